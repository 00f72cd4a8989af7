// `perflens load` with thresholds on the database: the demo started by the file (target.command) on
// the suite's PostgreSQL, the query agent armed for the whole run. GET /customers/7/orders sends
// 1 + 1 + 25 queries (the items N+1), GET /search one: an N+1 gate on `orders` breaches with 27,
// the same gate on `search` holds, and the report's queries section flags the items statement.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoEnv, repoRoot, runCli } from '../helpers/cli';
import type { LoadTestReport } from '../../server/loadtest/loadTestReport';

const scratch = mkdtempSync(join(tmpdir(), 'perflens-load-queries-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function loadFile(name: string, content: object): string {
  const file = join(scratch, name);
  writeFileSync(file, JSON.stringify(content, null, 2));
  return file;
}

const database = process.env.PERFLENS_TEST_DATABASE_URL;

test('db_queries_per_request gates the N+1 endpoint (27 queries: exit 99) and passes the other; the queries section flags the items statement', async () => {
  const summary = join(scratch, 'queries-summary.json');
  const file = loadFile('queries.load.json', {
    target: {
      baseUrl: 'http://127.0.0.1:${PORT}',
      command: 'node demo/dist/server.js',
      cwd: repoRoot,
      env: { PORT: '${PORT}', ...(database && { DATABASE_URL: database }) },
      waitTimeout: '60s',
    },
    requests: [
      { name: 'orders', method: 'GET', path: '/customers/7/orders' },
      { name: 'search', method: 'GET', path: '/search?q=gift' },
    ],
    scenarios: [
      { name: 'warmup', type: 'sustained', rate: 6, duration: '2s' },
      { name: 'steady', type: 'sustained', rate: 10, duration: '3s' },
    ],
    thresholds: {
      'db_queries_per_request{name:orders}': ['max<10'],
      'db_queries_per_request{name:search}': ['max<10'],
      'db_queries_per_request{name:orders,scenario:steady}': ['min==27'],
      db_query_duration: ['max<10000'],
      db_pool_wait: ['p(99)<10000'],
    },
  });
  const run = await runCli(['load', file, '--summary-export', summary, '--quiet'], { env: demoEnv(0), timeoutMs: 120_000 });
  assert.equal(run.code, 99, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /✗ db_queries_per_request\{name:orders\} +max<10: 27 queries per request\n/);
  assert.match(run.stdout, /✓ db_queries_per_request\{name:search\} +max<10: 1 query per request\n/);
  assert.match(run.stdout, /✓ db_queries_per_request\{name:orders,scenario:steady\} +min==27: 27 queries per request\n/);
  assert.match(run.stdout, /✓ db_query_duration +max<10000: [\d.]+ ms\n/);
  assert.match(run.stdout, /✓ db_pool_wait +p\(99\)<10000: [\d.]+ ms\n/);
  assert.match(run.stdout, /\nQueries to PostgreSQL \(pg [\d.]+\)/);
  assert.match(run.stdout, /\nN\+1 queries\n {2}- demo\/src\/routes\/orders\.ts:\d+: SELECT oi\.product_id.* sent 25 times per request in \d+ of \d+ orders requests/);
  assert.match(run.stdout, /FAILED: a threshold was breached/);

  const r = JSON.parse(readFileSync(summary, 'utf8')) as LoadTestReport;
  assert.equal(r.passed, false);
  const byKey = new Map(r.thresholds.map((t) => [t.key, t]));
  assert.deepEqual([byKey.get('db_queries_per_request{name:orders}')?.ok, byKey.get('db_queries_per_request{name:orders}')?.observed], [false, 27]);
  assert.deepEqual([byKey.get('db_queries_per_request{name:search}')?.ok, byKey.get('db_queries_per_request{name:search}')?.observed], [true, 1]);
  assert.ok(byKey.get('db_queries_per_request{name:orders}')?.line, 'placed on its line in the file');

  const queries = r.queries!;
  assert.ok(queries, 'the report has a queries section');
  assert.equal(queries.requestContext, true);
  const items = queries.queries.find((q) => q.text.includes('FROM order_items'))!;
  assert.ok(items, queries.queries.map((q) => q.text).join('\n'));
  assert.equal(items.nPlusOne?.endpoint, 'orders', 'the endpoint is the load-test request\'s name');
  assert.equal(items.nPlusOne?.perRequest, 25);
  assert.match(items.site.file, /demo\/src\/routes\/orders\.ts$/, 'mapped to the TypeScript source');
  const search = queries.queries.find((q) => q.text.includes('ILIKE'))!;
  assert.equal(search.nPlusOne, undefined);
  assert.equal(queries.pools.length, 1);
  const orders = r.requests.find((q) => q.name === 'orders')!;
  assert.ok(items.calls >= 25 * orders.requests * 0.9, `${items.calls} items queries for ${orders.requests} orders requests`);
  assert.deepEqual(r.warnings.filter((w) => /queries/.test(w)), [], 'no warning about queries');
});

test('an abortOnFail N+1 gate is evaluated live on the queries captured so far: the run stops after the first scenario', async () => {
  const summary = join(scratch, 'abort-summary.json');
  const file = loadFile('abort.load.json', {
    target: { baseUrl: 'http://127.0.0.1:${PORT}', command: 'node demo/dist/server.js', cwd: repoRoot, env: { PORT: '${PORT}', ...(database && { DATABASE_URL: database }) }, waitTimeout: '60s' },
    requests: [{ name: 'orders', method: 'GET', path: '/customers/7/orders' }],
    scenarios: [
      { name: 'first', type: 'sustained', rate: 5, duration: '2s' },
      { name: 'never', type: 'sustained', rate: 5, duration: '10s' },
    ],
    thresholds: { 'db_queries_per_request{name:orders}': [{ threshold: 'max<10', abortOnFail: true }] },
  });
  const run = await runCli(['load', file, '--summary-export', summary, '--quiet'], { env: demoEnv(0), timeoutMs: 120_000 });
  assert.equal(run.code, 99, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /stopped early: db_queries_per_request\{name:orders\}: max<10 failed and has abortOnFail/);
  const r = JSON.parse(readFileSync(summary, 'utf8')) as LoadTestReport;
  assert.equal(r.stopped?.by, 'threshold');
  assert.deepEqual(r.phases.map((p) => p.scenario), ['first']);
  assert.equal(r.thresholds[0].observed, 27, 'the final verdict, on the whole capture');
});

test('db_* thresholds without target.command are a setup error on their line (104); without them the report warns that queries need it', async () => {
  const server = createServer((req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.close());
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const invalid = loadFile('running.load.json', {
    target: { baseUrl },
    requests: [{ name: 'root', path: '/' }],
    scenarios: [{ type: 'sustained', rate: 5, duration: '1s' }],
    thresholds: { http_req_failed: ['rate<0.01'], 'db_queries_per_request{name:root}': ['max<10'] },
  });
  const rejected = await runCli(['load', invalid, '--quiet']);
  assert.equal(rejected.code, 104, `${rejected.stdout}\n${rejected.stderr}`);
  assert.match(rejected.stderr, /thresholds\["db_queries_per_request\{name:root\}"\]: db_queries_per_request needs target\.command in the file/);
  const lineOf = readFileSync(invalid, 'utf8').split('\n').findIndex((l) => l.includes('"db_queries_per_request{name:root}"')) + 1;
  assert.match(rejected.stderr, new RegExp(`running\\.load\\.json:${lineOf}:\\d+`), 'placed at the key');

  const summary = join(scratch, 'running-summary.json');
  const plain = loadFile('running-plain.load.json', { target: { baseUrl }, requests: [{ path: '/' }], scenarios: [{ type: 'sustained', rate: 5, duration: '1s' }], thresholds: { http_req_failed: ['rate<0.01'] } });
  const ran = await runCli(['load', plain, '--summary-export', summary, '--quiet']);
  assert.equal(ran.code, 0, `${ran.stdout}\n${ran.stderr}`);
  const r = JSON.parse(readFileSync(summary, 'utf8')) as LoadTestReport;
  assert.equal(r.queries, undefined);
  assert.equal(r.warnings.length, 1, r.warnings.join('\n'));
  assert.match(r.warnings[0], /queries were not captured, and db_\* thresholds cannot be used: that needs target\.command/);
  assert.match(ran.stdout, /Warnings\n {2}! .*needs target\.command/);
});
