// The loop must not measure the wrong thing: a path that answers 404 or 400 stops before any load
// (CLI and server, with "did you mean …?" from the known routes), failed answers are counted by
// status, a profile made mostly of errors says so first, and the N+1 endpoint — which waits on
// PostgreSQL — is called not CPU-bound. Real demo, real PostgreSQL, real load on 127.0.0.1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoEnv, freePort, repoRoot, runCli } from '../helpers/cli';
import { ServeClient } from '../helpers/serveClient';
import type { ProfileReport } from '../../server/analysis/reportTypes';
import type { EndpointRejection } from '../../server/routes/endpointRejection';

const scratch = mkdtempSync(join(tmpdir(), 'perflens-verdicts-'));
let client: ServeClient | undefined;
after(async () => {
  await client?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function profile(path: string, name: string, extra: string[] = [], cwd = repoRoot) {
  const port = await freePort();
  const out = join(scratch, name);
  const result = await runCli(['profile', '--url', `http://127.0.0.1:${port}${path}`, '--duration', '4s', '--quiet', '--out', out, '--json', join(out, 'report.json'), ...extra, '--', 'node', join(repoRoot, 'demo/dist/server.js')], { env: demoEnv(port), timeoutMs: 90_000, cwd });
  return { ...result, out, report: () => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ProfileReport };
}

test('perflens profile on a path that answers 404 stops before the load: exit 1, the status named, nothing written', async () => {
  const run = await profile('/articles', 'not-found');
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /GET \/articles answered 404: the service has no such route .*“no route for GET \/articles”\. Nothing was loaded or profiled\./);
  assert.doesNotMatch(run.stderr, /profiling while/);
  assert.equal(existsSync(join(run.out, 'report.json')), false);
});

test('a near miss: "did you mean" from the routes in the folder perflens runs in', async () => {
  const run = await profile('/customer/7/orders', 'near-miss', [], join(repoRoot, 'demo'));
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /GET \/customer\/7\/orders answered 404; did you mean \/customers\/7\/orders\?/);
});

test('a route that needs a query string: the 400 and the service\'s own words, before any load', async () => {
  const run = await profile('/search', 'no-query');
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /GET \/search answered 400: the route wants a different request \(a query string, a body, a header\)\. The service said: “q is required, e\.g\. \/search\?q=gift”\./);
});

test('--accept-errors profiles the error path on purpose: failures by status, and the headline says so first', async () => {
  const run = await profile('/customers//orders', 'errors', ['--accept-errors']);
  assert.equal(run.code, 0, run.stderr);
  const report = run.report();
  const load = report.load!;
  assert.ok(load.requests > 0);
  assert.deepEqual(load.errors.byStatus, { '404': load.requests });
  assert.equal(load.errors.failed, load.requests);
  assert.equal(report.summary.verdict, 'mostly-errors');
  assert.match(report.summary.headline, new RegExp(`^${load.requests} of ${load.requests} requests failed \\(${load.requests} × 404\\): this profile shows how the service answers errors`));
  assert.match(run.stdout, new RegExp(`; ${load.requests} failed \\(${load.requests} × 404\\)`));
});

test('the N+1 endpoint waits on PostgreSQL: not CPU-bound, with the CPU busy share and CPU per request', async () => {
  const run = await profile('/customers/1/orders', 'n-plus-one');
  assert.equal(run.code, 0, run.stderr);
  const report = run.report();
  assert.equal(report.load!.errors.failed, 0);
  assert.equal(report.summary.verdict, 'not-cpu-bound', `${report.summary.headline} (idle ${report.profile.idleShare}, busy ${report.profile.cpuBusyShare})`);
  assert.match(report.summary.headline, /^Not CPU-bound: its CPU was busy [\d.]+ % of the load, its event loop sat idle [\d.]+ % of it/);
  assert.ok(report.profile.cpuBusyShare! > 0 && report.profile.cpuBusyShare! < 1.5);
  assert.ok(report.summary.cpuPerRequestMs! > 0);
  // Its handler is an arrow function: V8 says (anonymous), the report says which route it is.
  assert.equal(report.summary.hottestOwnFunction?.name, 'GET /customers/:customerId/orders', JSON.stringify(report.summary.hottestOwnFunction));
  // Go to Hot Line goes to the user's own code, never into express or pg.
  assert.equal(report.summary.hottestOwnLine?.origin, 'own');
  assert.doesNotMatch(report.summary.hottestOwnLine!.file, /node_modules/);
  assert.match(run.stdout, /Self time by origin: .*Node\.js internals/);
});

test('the server: ENDPOINT_REJECTED before the load, with suggestions from the known routes', async () => {
  client = await ServeClient.start();
  const port = await freePort();
  const env: Record<string, string> = { PORT: String(port) };
  if (process.env.PERFLENS_TEST_DATABASE_URL) env.DATABASE_URL = process.env.PERFLENS_TEST_DATABASE_URL;
  await client.ok('launchTarget', { command: ['node', 'demo/dist/server.js'], cwd: repoRoot, env });
  const params = { load: { url: `http://127.0.0.1:${port}/orders/7`, method: 'GET', headers: {}, connections: 2, durationMs: 2000, timeoutMs: 10_000 }, outDir: join(scratch, 'rpc'), waitTimeoutMs: 60_000 };
  const knownRoutes = [{ method: 'GET', path: '/api/orders/:id' }, { method: 'GET', path: '/report' }];
  const error = await client.failure('profileEndpoint', { ...params, knownRoutes });
  assert.equal(error.code, 'ENDPOINT_REJECTED');
  assert.match(error.message, /^GET \/orders\/7 answered 404; did you mean \/api\/orders\/7\?/);
  const data = error.data as EndpointRejection;
  assert.equal(data.status, 404);
  assert.deepEqual(data.suggestions, [{ method: 'GET', path: '/api/orders/7' }]);
  assert.equal(data.fix, 'path');
  assert.equal(client.events.some((e) => e.event === 'loadProgress'), false, 'no load was sent');
  // The same server, a path that answers: the load's failures are counted live, by status.
  const ok = await client.ok('profileEndpoint', { ...params, load: { ...params.load, url: `http://127.0.0.1:${port}/health` } });
  assert.equal(ok.report.load!.errors.failed, 0);
  const progress = client.events.filter((e) => e.event === 'loadProgress');
  assert.ok(progress.length > 0);
  for (const p of progress) if (p.event === 'loadProgress') assert.deepEqual(p.data.byStatus, {});
});
