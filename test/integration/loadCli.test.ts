// `perflens load` as CI runs it: real autocannon load on 127.0.0.1, real exit codes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStringPromise } from 'xml2js';
import { demoEnv, runCli, startCli } from '../helpers/cli';
import type { LoadTestReport } from '../../server/loadtest/loadTestReport';

const scratch = mkdtempSync(join(tmpdir(), 'perflens-load-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A tiny service on 127.0.0.1:0 that answers after `delayMs`. */
async function service(delayMs = 0): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => setTimeout(() => res.end('ok'), delayMs));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

function loadFile(name: string, content: object): string {
  const file = join(scratch, name);
  writeFileSync(file, JSON.stringify(content, null, 2));
  return file;
}

function report(file: string): LoadTestReport {
  return JSON.parse(readFileSync(file, 'utf8')) as LoadTestReport;
}

test('the demo file whose thresholds hold exits 0, starting and stopping the demo on a free port', async () => {
  const summary = join(scratch, 'report-summary.json');
  const run = await runCli(['load', 'demo/perf/report.load.json', '--summary-export', summary, '--quiet'], { env: demoEnv(0) });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /✓ http_req_duration/);
  assert.match(run.stdout, /PASSED/);
  const r = report(summary);
  assert.equal(r.passed, true);
  assert.ok(r.totals.requests > 50);
  assert.deepEqual(r.requests.map((q) => q.name).sort(), ['health', 'report']);
  const port = new URL(r.baseUrl).port;
  assert.notEqual(port, '3000', 'a free port was picked');
  assert.equal(await fetch(`${r.baseUrl}/health`).then(() => true, () => false), false, 'the demo was stopped');
});

test('the demo file whose thresholds cannot hold exits 99 naming the breached threshold; JUnit has one case per threshold', async () => {
  const junit = join(scratch, 'breach.xml');
  const run = await runCli(['load', 'demo/perf/breach.load.json', '--junit', junit, '--quiet'], { env: demoEnv(0) });
  assert.equal(run.code, 99, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /✗ http_req_duration +p\(95\)<50: [\d.]+ ms/);
  assert.match(run.stdout, /FAILED/);
  const xml = await parseStringPromise(readFileSync(junit, 'utf8'));
  const cases = xml.testsuites.testsuite[0].testcase as Array<{ $: { name: string }; failure?: unknown[] }>;
  assert.equal(cases.length, 1);
  assert.equal(cases[0].$.name, 'http_req_duration: p(95)<50');
  assert.ok(cases[0].failure?.length, 'the breached threshold is a failure');
});

test('an invalid file exits 104 naming the key and the problem', async () => {
  const file = loadFile('invalid.load.json', {
    target: { baseUrl: 'http://127.0.0.1:9' },
    requests: [{ path: '/' }],
    scenarios: [{ type: 'sustaind', rate: 5, duration: '2s' }],
    thresholds: { http_req_duration: ['p(101)<5'] },
  });
  const run = await runCli(['load', file]);
  assert.equal(run.code, 104, run.stderr);
  assert.match(run.stderr, /scenarios\[0\]\.type/);
  assert.match(run.stderr, /sustained/);
  const badThreshold = loadFile('bad-threshold.load.json', { target: { baseUrl: 'http://127.0.0.1:9' }, requests: [{ path: '/' }], scenarios: [{ type: 'sustained', rate: 5, duration: '2s' }], thresholds: { http_req_duration: ['p(101)<5'] } });
  const run2 = await runCli(['load', badThreshold]);
  assert.equal(run2.code, 104, run2.stderr);
  assert.match(run2.stderr, /thresholds\["http_req_duration"\]\[0\].*p\(101\)/);
  const foreign = loadFile('foreign.load.json', { target: { baseUrl: 'http://example.com' }, requests: [{ path: '/' }], scenarios: [{ type: 'sustained', rate: 5, duration: '2s' }] });
  const run3 = await runCli(['load', foreign]);
  assert.equal(run3.code, 104, run3.stderr);
  assert.match(run3.stderr, /--allow-host example\.com/);
});

test('a ramp reaches each step\'s rate, and a spike shows in the per-second series', async () => {
  const { url } = await service(2);
  const summary = join(scratch, 'ramp.json');
  const file = loadFile('ramp.load.json', {
    target: { baseUrl: url },
    requests: [{ name: 'root', path: '/' }],
    scenarios: [
      { name: 'ramp', type: 'ramp', from: 20, to: 80, steps: 3, duration: '6s' },
      { name: 'spike', type: 'spike', baseline: 20, spike: 150, spikeDuration: '2s', duration: '6s' },
    ],
    thresholds: { http_req_failed: ['rate<0.01'] },
  });
  const run = await runCli(['load', file, '--summary-export', summary, '--quiet'], { timeoutMs: 60_000 });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const r = report(summary);
  const ramp = r.phases.filter((p) => p.scenario === 'ramp');
  assert.deepEqual(ramp.map((p) => p.requestedRate), [20, 50, 80]);
  for (const p of ramp) assert.ok(Math.abs(p.achievedRps / p.requestedRate! - 1) < 0.15, `step ${p.step}: ${p.achievedRps}/s for ${p.requestedRate}/s`);
  // The spike's seconds carry several times the baseline's requests.
  const spikePhase = r.phases.find((p) => p.scenario === 'spike' && p.step === 2)!;
  const at = (second: number) => r.perSecond.find((s) => s.second === second)?.requests ?? 0;
  const spikeSecond = Math.round(spikePhase.startMs / 1000);
  assert.ok(at(spikeSecond) > 3 * at(spikeSecond - 1), `per-second requests around the spike: ${JSON.stringify(r.perSecond)}`);
});

test('an abortOnFail threshold stops the run early with 99', async () => {
  const { url } = await service(30);
  const summary = join(scratch, 'abort.json');
  const file = loadFile('abort.load.json', {
    target: { baseUrl: url },
    requests: [{ path: '/' }],
    scenarios: [{ name: 'ramp', type: 'ramp', from: 10, to: 30, steps: 3, duration: '9s' }],
    thresholds: { http_req_duration: [{ threshold: 'p(95)<5', abortOnFail: true }] },
  });
  const run = await runCli(['load', file, '--summary-export', summary, '--quiet'], { timeoutMs: 60_000 });
  assert.equal(run.code, 99, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /stopped early: http_req_duration: p\(95\)<5 failed and has abortOnFail/);
  const r = report(summary);
  assert.equal(r.stopped?.by, 'threshold');
  assert.equal(r.phases.length, 1, 'only the first step ran');
  assert.ok(r.durationMs < r.plannedMs - 4000, `${r.durationMs} ms of ${r.plannedMs} planned`);
});

test('Ctrl-C gives 105 and still writes the summary', async () => {
  const { url } = await service(1);
  const summary = join(scratch, 'interrupted.json');
  const file = loadFile('long.load.json', { target: { baseUrl: url }, requests: [{ path: '/' }], scenarios: [{ type: 'sustained', rate: 50, duration: '60s' }], thresholds: { http_reqs: ['count>0'] } });
  const cli = startCli(['load', file, '--summary-export', summary], { timeoutMs: 60_000 });
  await cli.waitForOutput(/perflens: +2\/60 s/, 30_000);
  cli.child.kill('SIGINT');
  const run = await cli.result;
  assert.equal(run.code, 105, `${run.stdout}\n${run.stderr}`);
  const r = report(summary);
  assert.equal(r.stopped?.by, 'signal');
  assert.ok(r.totals.requests > 0 && r.durationMs < 30_000);
  assert.match(run.stdout, /STOPPED before the end/);
});
