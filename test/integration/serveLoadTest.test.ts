// `perflens serve` running *.load.json load tests as the extension asks for them: runLoadTest on the
// demo files (it starts and stops the demo itself), progress events, breached thresholds placed on
// their line, invalid files as LOAD_TEST_CONFIG with lines, cancelLoadTest, one at a time.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli';
import { ServeClient } from '../helpers/serveClient';

const scratch = mkdtempSync(join(tmpdir(), 'perflens-serve-load-test-'));


let client: ServeClient;
before(async () => {
  // The demo files start the demo with `node dist/server.js`: it inherits the server's environment.
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (process.env.PERFLENS_TEST_DATABASE_URL) env.DATABASE_URL = process.env.PERFLENS_TEST_DATABASE_URL;
  client = await ServeClient.start(env);
});
after(async () => {
  await client?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function loadFile(name: string, text: string): string {
  const file = join(scratch, name);
  writeFileSync(file, text);
  return file;
}

/** 1-based line of the first line of `file` containing `needle`. */
function lineOf(file: string, needle: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `${needle} in ${file}`);
  return index + 1;
}

const answers = (url: string) => fetch(url).then(() => true, () => false);

test('runLoadTest on demo/perf/report.load.json: starts the demo, progress events, exit code 0, demo stopped', async () => {
  const from = client.events.length;
  const { report, exitCode } = await client.ok('runLoadTest', { file: join(repoRoot, 'demo/perf/report.load.json') });
  assert.equal(exitCode, 0, JSON.stringify(report.thresholds));
  assert.equal(report.passed, true);
  assert.ok(report.totals.requests > 50, `${report.totals.requests} requests`);
  assert.deepEqual(report.requests.map((q) => q.name).sort(), ['health', 'report']);
  const events = client.events.slice(from);
  const progress = events.flatMap((e) => (e.event === 'loadTestProgress' ? [e.data] : []));
  assert.ok(progress.length >= 5, `progress about once a second over 15 s: ${progress.length}`);
  assert.ok(progress.some((p) => p.requests > 0 && p.totalMs === report.plannedMs));
  assert.ok(events.some((e) => e.event === 'targetOutput'), "the demo's output is streamed");
  assert.ok(!events.some((e) => e.event === 'targetExited'), "the load test's own service is not the session's target");
  assert.equal(await answers(`${report.baseUrl}/health`), false, 'the demo was stopped');
  assert.deepEqual(await client.ok('getTarget', {}), {}, 'the session has no target');
});

test('runLoadTest on demo/perf/breach.load.json: exit code 99, the breached threshold on its line', async () => {
  const file = join(repoRoot, 'demo/perf/breach.load.json');
  const { report, exitCode } = await client.ok('runLoadTest', { file });
  assert.equal(exitCode, 99, JSON.stringify(report.thresholds));
  assert.equal(report.passed, false);
  const breached = report.thresholds.filter((t) => !t.ok);
  assert.equal(breached.length, 1);
  assert.equal(breached[0].source, 'p(95)<50');
  assert.equal(breached[0].line, lineOf(file, '"p(95)<50"'));
});

test('an invalid file is LOAD_TEST_CONFIG with every problem on its line; so are bad thresholds and a foreign host', async () => {
  const invalid = loadFile(
    'invalid.load.json',
    JSON.stringify({ target: { baseUrl: 'http://127.0.0.1:${PORT}' }, requests: [{ path: '/' }], scenarios: [{ type: 'sustaind', rate: 5, duration: '2s' }] }, null, 2),
  );
  const error = await client.failure('runLoadTest', { file: invalid });
  assert.equal(error.code, 'LOAD_TEST_CONFIG', JSON.stringify(error));
  const { problems } = error.data as { problems: Array<{ path: string; message: string; line?: number; column?: number }> };
  const typeProblem = problems.find((p) => p.path === 'scenarios[0].type');
  assert.ok(typeProblem, JSON.stringify(problems));
  assert.match(typeProblem.message, /sustained/);
  assert.equal(typeProblem.line, lineOf(invalid, '"sustaind"'));
  assert.ok(typeProblem.column! > 1);

  const badThreshold = loadFile(
    'bad-threshold.load.json',
    JSON.stringify({ target: { baseUrl: 'http://127.0.0.1:9' }, requests: [{ path: '/' }], scenarios: [{ type: 'sustained', rate: 5, duration: '2s' }], thresholds: { http_req_duration: ['p(95)<5', 'p(101)<5'] } }, null, 2),
  );
  const thresholdError = await client.failure('runLoadTest', { file: badThreshold });
  assert.equal(thresholdError.code, 'LOAD_TEST_CONFIG');
  const [thresholdProblem] = (thresholdError.data as { problems: Array<{ path: string; line?: number }> }).problems;
  assert.equal(thresholdProblem.path, 'thresholds["http_req_duration"][1]');
  assert.equal(thresholdProblem.line, lineOf(badThreshold, '"p(101)<5"'));

  const foreign = loadFile('foreign.load.json', JSON.stringify({ target: { baseUrl: 'http://example.com' }, requests: [{ path: '/' }], scenarios: [{ type: 'sustained', rate: 5, duration: '2s' }] }, null, 2));
  const hostError = await client.failure('runLoadTest', { file: foreign });
  assert.equal(hostError.code, 'LOAD_TEST_CONFIG');
  assert.match(hostError.message, /example\.com/);
  assert.deepEqual(
    (hostError.data as { problems: Array<{ path: string; line?: number }> }).problems.map((p) => [p.path, p.line]),
    [['target.baseUrl', lineOf(foreign, '"baseUrl"')]],
  );

  const missing = await client.failure('runLoadTest', { file: join(scratch, 'missing.load.json') });
  assert.equal(missing.code, 'LOAD_TEST_CONFIG');
  const badParams = await client.failure('runLoadTest', { file: 'relative.load.json' });
  assert.deepEqual(badParams, { code: 'BAD_REQUEST', message: 'params.file must be an absolute path, not "relative.load.json"' });
});

test('cancelLoadTest stops a running load test at once: exit code 105 with what ran; one load test at a time', async () => {
  assert.deepEqual(await client.ok('cancelLoadTest', {}), {}, 'nothing to cancel: nothing happens');
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const file = loadFile('long.load.json', JSON.stringify({ target: { baseUrl: url }, requests: [{ path: '/' }], scenarios: [{ type: 'sustained', rate: 50, duration: '60s' }], thresholds: { http_reqs: ['count>0'] } }, null, 2));

  const from = client.events.length;
  const running = client.request('runLoadTest', { file });
  await client.waitForEvent('loadTestProgress', (p) => p.requests > 0, from);
  assert.equal((await client.failure('runLoadTest', { file })).code, 'BUSY');
  const profile = await client.failure('profileEndpoint', { load: { url: `${url}/`, method: 'GET', headers: {}, connections: 1, durationMs: 1000, timeoutMs: 1000 }, outDir: scratch });
  assert.equal(profile.code, 'BUSY');
  const cancelledAt = Date.now();
  assert.deepEqual(await client.ok('cancelLoadTest', {}), {});
  const reply = await running;
  assert.ok(reply.result, JSON.stringify(reply.error));
  assert.ok(Date.now() - cancelledAt < 5000, `returned ${Date.now() - cancelledAt} ms after cancelLoadTest`);
  assert.equal(reply.result.exitCode, 105);
  assert.equal(reply.result.report.stopped?.by, 'signal');
  assert.equal(reply.result.report.passed, false);
  assert.ok(reply.result.report.totals.requests > 0 && reply.result.report.durationMs < 30_000);
});
