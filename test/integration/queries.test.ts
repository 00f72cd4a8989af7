// `perflens profile` captures the queries a service sends through pg, end to end: real services
// (the demo, plain-ESM pg and Kysely workloads, PostGraphile from the registry), real PostgreSQL
// (the suite's, or one of the test's own where it must be stopped), real load on 127.0.0.1, short
// runs. Each test asserts what the report says against what the service's code does: the calling
// line is found by searching the source for the marked line, never hard-coded.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { demoEnv, freePort, repoRoot, runCli, startCli, stopProcess, type CliResult } from '../helpers/cli';
import { prepareRealServiceDatabase, realServiceEnv, realServices } from '../helpers/realServices';
import type { ProfileReport } from '../../server/analysis/reportTypes';
import type { QueriesSection, QueryStat } from '../../server/queries/queryReportTypes';

const scratch = mkdtempSync(join(tmpdir(), 'perflens-queries-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const databaseUrl = process.env.PERFLENS_TEST_DATABASE_URL;
const needsDatabase = databaseUrl ? false : 'needs PERFLENS_TEST_DATABASE_URL (run through scripts/test.mjs, which starts an embedded PostgreSQL)';

const demoDir = join(repoRoot, 'demo');
const pgService = join(repoRoot, 'test/fixtures/workloads/pgService.mjs');
const kyselyService = join(repoRoot, 'test/fixtures/workloads/kyselyService.mjs');

/** The 1-based line of `file` that contains `marker` (exactly one must). */
function lineOf(file: string, marker: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const found = lines.flatMap((text, i) => (text.includes(marker) ? [i + 1] : []));
  assert.equal(found.length, 1, `${marker} in ${file}: ${found.length} lines`);
  return found[0]!;
}

/** The line of the `pool.query(` call whose SQL (on the lines after it) contains `sql`. */
function queryCallLine(file: string, sql: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const sqlLine = lines.findIndex((text) => text.includes(sql));
  assert.ok(sqlLine >= 0, `${sql} in ${file}`);
  for (let i = sqlLine; i >= 0; i--) if (lines[i]!.includes('pool.query')) return i + 1;
  assert.fail(`no pool.query before ${sql} in ${file}`);
}

interface ProfileRun extends CliResult {
  out: string;
  jsonPath: string;
  report(): ProfileReport;
  queries(): QueriesSection;
}

interface ProfileOptions {
  /** Service command after `--`; omitted with `attach`. */
  command?: string[];
  attach?: string;
  url: string;
  name: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  duration?: string;
  timeoutMs?: number;
}

function profileArgs(options: ProfileOptions, out: string, jsonPath: string): string[] {
  const target = options.attach ? ['--attach', options.attach] : ['--', ...options.command!];
  return ['profile', '--url', options.url, '--duration', options.duration ?? '2s', '--quiet', '--out', out, '--json', jsonPath, ...(options.args ?? []), ...target];
}

async function profile(options: ProfileOptions): Promise<ProfileRun> {
  const out = join(scratch, options.name);
  const jsonPath = join(out, 'report.json');
  const result = await runCli(profileArgs(options, out, jsonPath), { env: options.env, cwd: options.cwd ?? repoRoot, timeoutMs: options.timeoutMs ?? 60_000 });
  return withReport(result, out, jsonPath);
}

function withReport(result: CliResult, out: string, jsonPath: string): ProfileRun {
  const report = () => JSON.parse(readFileSync(jsonPath, 'utf8')) as ProfileReport;
  const queries = () => {
    const section = report().queries;
    assert.ok(section, 'the report has a queries section');
    return section;
  };
  return { ...result, out, jsonPath, report, queries };
}

function statement(section: QueriesSection, fragment: string): QueryStat {
  const found = section.queries.filter((q) => q.text.includes(fragment));
  assert.equal(found.length, 1, `one statement with ${fragment}: ${section.queries.map((q) => q.text).join(' | ')}`);
  return found[0]!;
}

function describeQueries(section: QueriesSection): string {
  return JSON.stringify(section.queries.map((q) => ({ text: q.text.slice(0, 60), calls: q.calls, file: q.file, line: q.line, nPlusOne: q.nPlusOne })));
}

test('the demo\'s N+1: the items query 25 times per request, at its pool.query line in orders.ts; the other two not flagged', { skip: needsDatabase }, async () => {
  const port = await freePort();
  const run = await profile({ name: 'n-plus-one', url: `http://127.0.0.1:${port}/customers/7/orders`, command: ['node', 'dist/server.js'], cwd: demoDir, env: demoEnv(port), duration: '3s' });
  assert.equal(run.code, 0, run.stderr);
  const section = run.queries();
  const ordersTs = join(demoDir, 'src/routes/orders.ts');
  const itemsLine = queryCallLine(ordersTs, 'FROM order_items oi');
  assert.equal(section.queries.length, 3, describeQueries(section));

  const items = statement(section, 'FROM order_items oi');
  assert.ok(items.nPlusOne, describeQueries(section));
  assert.equal(items.nPlusOne.perRequest, 25);
  assert.equal(items.nPlusOne.perRequestMedian, 25);
  // Found from the demo's routes because perflens runs in the demo's folder.
  assert.equal(items.nPlusOne.endpoint, 'GET /customers/:customerId/orders');
  assert.match(items.nPlusOne.after ?? '', /FROM orders WHERE customer_id = \$1/);
  assert.ok(items.nPlusOne.requests > 10 && items.nPlusOne.requests <= items.nPlusOne.ofRequests, JSON.stringify(items.nPlusOne));
  assert.ok(items.file.endsWith('demo/src/routes/orders.ts'), items.file);
  assert.equal(items.line, itemsLine);
  assert.equal(items.site.mapped, true, 'mapped to the TypeScript through the source map');
  assert.equal(items.site.origin, 'own');
  assert.equal(items.perRequest?.max, 25);

  const customer = statement(section, 'FROM customers WHERE id = $1');
  const orders = statement(section, 'FROM orders WHERE customer_id = $1');
  for (const other of [customer, orders]) {
    assert.equal(other.nPlusOne, undefined, `${other.text} is sent once per request`);
    assert.equal(other.perRequest?.max, 1);
    assert.ok(other.file.endsWith('demo/src/routes/orders.ts'), other.file);
  }
  assert.equal(customer.line, queryCallLine(ordersTs, 'FROM customers WHERE id = $1'));
  // Every request the load sent (but those cut at the edges of the capture) sent 25 items queries.
  assert.ok(Math.abs(items.calls - 25 * customer.calls) <= 25 * 12, `${items.calls} items queries for ${customer.calls} customers`);
  assert.match(run.report().summary.headline, new RegExp(`N\\+1 at src/routes/orders\\.ts:${itemsLine}: the same statement 25 times per request`));
  assert.match(run.stdout, /N\+1 queries\n {2}- src\/routes\/orders\.ts:\d+: SELECT oi\.product_id/);
});

test('/search: the statement\'s time is at least what PostgreSQL measured for it; --explain suggests a trigram index and the report holds no parameter value', { skip: needsDatabase }, async () => {
  // The cross-check: pg_stat_statements (loaded by demo/src/embeddedPostgres.ts), PostgreSQL's own
  // execution time of the same statement over the same run. PerfLens times a query from the call
  // to its last result on the client, which contains the execution, so per call it can only be
  // larger. pg_stat_statements counts a few calls PerfLens does not see (the check request before
  // the agent is armed, queries in flight at the edges), so the means, not the totals, are compared.
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  let statStatements = true;
  try {
    await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await admin.query('SELECT pg_stat_statements_reset()');
  } catch {
    statStatements = false; // a database without the library preloaded: EXPLAIN ANALYZE below instead
  }
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/search?q=gift`;
    const run = await profile({ name: 'search', url, command: ['node', 'dist/server.js'], cwd: demoDir, env: demoEnv(port), args: ['--explain', '--connections', '4'], duration: '3s' });
    assert.equal(run.code, 0, run.stderr);
    const report = run.report();
    const section = run.queries();
    const search = statement(section, 'WHERE o.notes ILIKE $1');
    assert.ok(search.calls >= 5, `${search.calls} calls`);
    assert.ok(search.file.endsWith('demo/src/routes/search.ts'), search.file);
    assert.equal(search.line, queryCallLine(join(demoDir, 'src/routes/search.ts'), 'WHERE o.notes ILIKE $1'));
    const reportedMean = search.totalMs / search.calls;

    let postgresMean: number;
    if (statStatements) {
      const { rows } = await admin.query<{ calls: string; mean: number }>(
        "SELECT calls, mean_exec_time AS mean FROM pg_stat_statements WHERE query LIKE '%o.notes ILIKE $1%' AND query NOT LIKE 'EXPLAIN%'",
      );
      assert.equal(rows.length, 1, JSON.stringify(rows));
      assert.ok(Number(rows[0]!.calls) >= search.calls, `PostgreSQL saw ${rows[0]!.calls} calls, PerfLens ${search.calls}`);
      postgresMean = rows[0]!.mean;
    } else {
      const { rows } = await admin.query<{ 'QUERY PLAN': Array<{ 'Execution Time': number }> }>(
        "EXPLAIN (ANALYZE, FORMAT JSON) SELECT o.id, o.customer_id, o.status, o.created_at, o.total_cents, o.notes FROM perflens_demo.orders o WHERE o.notes ILIKE '%gift%' ORDER BY o.created_at DESC LIMIT 20",
      );
      postgresMean = rows[0]!['QUERY PLAN'][0]!['Execution Time'];
    }
    assert.ok(postgresMean > 1, `a full scan of 50,000 rows: ${postgresMean} ms`);
    assert.ok(reportedMean >= 0.95 * postgresMean, `PerfLens ${reportedMean.toFixed(2)} ms per call, PostgreSQL ${postgresMean.toFixed(2)} ms`);
    // And no more than the request that sent it took (the demo's own response time, measured by the load).
    assert.ok(search.p50Ms <= report.load!.latency.p50 * 1.05, `statement p50 ${search.p50Ms} ms, request p50 ${report.load!.latency.p50} ms`);

    assert.ok(search.explain, search.explainError ?? 'explained');
    const trigram = search.explain.suggestions.find((s) => s.kind === 'gin_trgm');
    assert.ok(trigram, JSON.stringify(search.explain.suggestions));
    assert.deepEqual(trigram.columns, ['notes']);
    assert.equal(trigram.table, 'perflens_demo.orders');
    assert.ok(trigram.sql.some((sql) => /USING gin \(notes gin_trgm_ops\)/.test(sql)), trigram.sql.join('\n'));
    assert.equal(search.explain.analyzed, false, 'EXPLAIN, not ANALYZE');
    // The pattern the demo built ('%gift%') never leaves the service: not in the plan, nowhere in
    // the report; "gift" is only in the URL that was loaded.
    const text = readFileSync(run.jsonPath, 'utf8');
    assert.doesNotMatch(text, /%gift%/);
    assert.doesNotMatch(text.split(url).join('').split(JSON.stringify(url).slice(1, -1)).join(''), /gift/i);
    assert.match(search.explain.text ?? '', /\$1/);
  } finally {
    await admin.end();
  }
});

test('the leaked client: GET /orders/999999/invoice keeps its connection; the leak at invoice.ts\'s LEAK line, never released, and the headline names it', { skip: needsDatabase }, async () => {
  const port = await freePort();
  const started = Date.now();
  // A pool of 3: once 3 clients have leaked, every request hangs; a 1 s timeout and 2 connections
  // let the run end on time. Waiting for the URL and the check request leak 2 before the load.
  const run = await profile({
    name: 'leak',
    url: `http://127.0.0.1:${port}/orders/999999/invoice`,
    command: ['node', 'dist/server.js'],
    cwd: demoDir,
    env: { ...demoEnv(port), DEMO_POOL_MAX: '3' },
    args: ['--accept-errors', '--leak-threshold', '2s', '--timeout', '1s', '--connections', '2'],
    duration: '3s',
  });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(Date.now() - started < 30_000, 'the run ended on time');
  const report = run.report();
  const section = run.queries();
  const leakLine = lineOf(join(demoDir, 'src/routes/invoice.ts'), '// LEAK');
  assert.ok(section.leaks.length >= 1, JSON.stringify(section.leaks));
  for (const leak of section.leaks) {
    assert.ok(leak.site.file.endsWith('demo/src/routes/invoice.ts'), leak.site.file);
    assert.equal(leak.site.line, leakLine);
    assert.equal(leak.site.origin, 'own');
    assert.equal(leak.releasedAfterAll, false);
    assert.ok(leak.heldMs >= 2000, `${leak.heldMs} ms`);
    assert.equal(leak.endpoint, 'GET /orders/:orderId/invoice');
    assert.match(leak.lastStatement ?? '', /FROM orders o JOIN customers c/);
    assert.equal(leak.stack[0]?.line, leakLine);
  }
  assert.match(report.summary.headline, new RegExp(`A connection checked out at src/routes/invoice\\.ts:${leakLine} was never released\\.`));
  // The pool ran out because of the leak: the verdict says so instead of "raise max".
  const pool = section.pools[0]!;
  assert.equal(pool.max, 3);
  assert.equal(pool.saturated, true, pool.verdict);
  assert.match(pool.verdict, /never released .*the pool ran out because of the leak, not the load/, pool.verdict);
  assert.ok(report.load!.errors.byStatus['404']! >= 1, JSON.stringify(report.load!.errors));
  assert.ok(report.load!.errors.timeouts >= 1, 'the exhausted pool: later requests time out');
});

test('pool saturation: a pool of 2 under 10 connections to /reports/daily is saturated, and the statements carry the wait', { skip: needsDatabase }, async () => {
  const port = await freePort();
  const run = await profile({
    name: 'pool',
    url: `http://127.0.0.1:${port}/reports/daily?day=2024-06-01&holdMs=20`,
    command: ['node', 'dist/server.js'],
    cwd: demoDir,
    env: { ...demoEnv(port), DEMO_POOL_MAX: '2' },
    args: ['--connections', '10'],
    duration: '3s',
  });
  assert.equal(run.code, 0, run.stderr);
  const report = run.report();
  const section = run.queries();
  assert.equal(section.pools.length, 1);
  const pool = section.pools[0]!;
  assert.equal(pool.max, 2);
  assert.equal(pool.saturated, true, pool.verdict);
  assert.match(pool.verdict, /max = 2/);
  assert.equal(pool.peak.busy, 2);
  assert.ok(pool.peak.waiting > 0);
  assert.ok(pool.wait.p95Ms > 10, `pool wait p95 ${pool.wait.p95Ms} ms`);
  // The wait for the connection is the wait of the first statement sent on it (BEGIN READ ONLY).
  const begin = statement(section, 'BEGIN READ ONLY');
  assert.ok(begin.wait.p95Ms > 0, `BEGIN wait ${JSON.stringify(begin.wait)}`);
  const statementWait = section.queries.reduce((sum, q) => sum + q.wait.totalMs, 0);
  assert.ok(statementWait > 0.5 * pool.wait.totalMs, `statements waited ${statementWait} ms, the pool's checkouts ${pool.wait.totalMs} ms`);
  const sleepLine = lineOf(join(demoDir, 'src/routes/dailyReport.ts'), "client.query('SELECT pg_sleep");
  assert.equal(statement(section, 'pg_sleep').line, sleepLine);
  assert.match(report.summary.headline, /ran out of connections: .*max = 2/);
});

test('an ESM service on pg: N+1 (sequential and Promise.all) at the // Q: lines, SQLSTATE 42P01 counted, cursors and submittables captured and still answering', { skip: needsDatabase }, async () => {
  // One service for the five runs: perflens attaches to its inspector each time (arm, load, disarm).
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const service = spawn(process.execPath, [`--inspect=127.0.0.1:${inspectorPort}`, pgService], { env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  service.stdout!.on('data', (d) => (output += d));
  service.stderr!.on('data', (d) => (output += d));
  try {
    for (let i = 0; !/pg-service listening/.test(output); i++) {
      assert.ok(i < 300 && service.exitCode === null, `pgService did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const run = (path: string, extra: string[] = []) => profile({ name: `esm${path}`, url: `http://127.0.0.1:${port}${path}`, attach: `port:${inspectorPort}`, args: extra });
    const marked = (name: string) => lineOf(pgService, `// Q: ${name}`);
    const fileIsPgService = (stat: QueryStat) => assert.equal(stat.file, pgService);

    const sequential = await run('/n-plus-one');
    assert.equal(sequential.code, 0, sequential.stderr);
    const books = statement(sequential.queries(), 'FROM books WHERE author_id = $1');
    fileIsPgService(books);
    assert.equal(books.line, marked('n+1 books'));
    assert.equal(books.site.origin, 'own');
    assert.ok(books.nPlusOne && books.nPlusOne.perRequest >= 5, JSON.stringify(books.nPlusOne));
    assert.equal(books.nPlusOne.perRequest, 10);
    assert.equal(books.nPlusOne.endpoint, 'GET /n-plus-one');
    assert.equal(statement(sequential.queries(), 'FROM authors').line, marked('n+1 authors'));

    const concurrent = await run('/n-plus-one-concurrent');
    assert.equal(concurrent.code, 0, concurrent.stderr);
    const concurrentBooks = statement(concurrent.queries(), 'FROM books WHERE author_id = $1');
    assert.equal(concurrentBooks.line, marked('concurrent books'));
    assert.ok(concurrentBooks.nPlusOne, 'repeats sent together (Promise.all) are an N+1 too');
    assert.equal(concurrentBooks.nPlusOne.perRequest, 10);
    assert.equal(concurrentBooks.nPlusOne.endpoint, 'GET /n-plus-one-concurrent');

    const failing = await run('/sql-error', ['--accept-errors']);
    assert.equal(failing.code, 0, failing.stderr);
    assert.ok(failing.report().load!.errors.byStatus['500']! > 0);
    const missing = statement(failing.queries(), 'FROM no_such_table');
    assert.equal(missing.line, marked('sql-error'));
    assert.ok(missing.calls > 0);
    assert.equal(missing.errors, missing.calls);
    assert.deepEqual(missing.errorCodes.map((e) => [e.code, e.count]), [['42P01', missing.calls]]);
    assert.match(missing.errorCodes[0]!.message, /relation "no_such_table" does not exist/);
    assert.deepEqual(failing.queries().warnings, [], 'a SQL error is not the database going away');

    for (const [path, fragment, name] of [['/cursor', 'SELECT id, title FROM books ORDER BY id', 'cursor'], ['/submittable', 'WHERE pages > $1', 'submittable']] as const) {
      const result = await run(path);
      assert.equal(result.code, 0, result.stderr);
      const load = result.report().load!;
      assert.ok(load.requests > 0);
      assert.equal(load.errors.failed, 0, `${path} answers 200 under capture: ${JSON.stringify(load.errors)}`);
      assert.deepEqual(Object.keys(load.errors.statusCodes), ['200']);
      const captured = statement(result.queries(), fragment);
      assert.ok(captured.calls > 0);
      assert.equal(captured.errors, 0);
      assert.equal(captured.line, marked(name));
      // One per request (a cursor's 11 reads are one query); the capture runs a little longer than the load.
      assert.ok(captured.calls < 1.5 * load.requests + 20, `${captured.calls} for ${load.requests} requests`);
    }
    // After five arm/disarm rounds the service still answers.
    const health = await fetch(`http://127.0.0.1:${port}/cursor`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { count: 100, reads: 11 });
  } finally {
    await stopProcess(service);
  }
});

test('Kysely: the N+1 is credited to the service\'s line that awaited the builder, not to kysely', { skip: needsDatabase }, async () => {
  const port = await freePort();
  const run = await profile({ name: 'kysely', url: `http://127.0.0.1:${port}/n-plus-one`, command: ['node', kyselyService], env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port) } });
  assert.equal(run.code, 0, run.stderr);
  const section = run.queries();
  const books = statement(section, 'from "books" where "author_id" = $1');
  assert.equal(books.file, kyselyService);
  assert.equal(books.line, lineOf(kyselyService, '// Q: kysely n+1 books'));
  assert.equal(books.site.origin, 'own');
  assert.equal(books.site.package, undefined);
  assert.doesNotMatch(JSON.stringify(books.otherSites ?? []), /node_modules/);
  assert.equal(books.nPlusOne?.perRequest, 10);
  assert.equal(statement(section, 'from "authors"').line, lineOf(kyselyService, '// Q: kysely n+1 authors'));
});

test('the database stops mid-run: the report is still written, says the database went away, counts the errors and keeps the CPU profile', { skip: needsDatabase }, async () => {
  const embedded = (await import(pathToFileURL(join(demoDir, 'dist/embeddedPostgres.js')).href)) as typeof import('../../demo/src/embeddedPostgres');
  const database = await embedded.startEmbeddedPostgres();
  try {
    const port = await freePort();
    const out = join(scratch, 'database-gone');
    const jsonPath = join(out, 'report.json');
    const options: ProfileOptions = { name: 'database-gone', url: `http://127.0.0.1:${port}/customers/7/orders`, command: ['node', 'dist/server.js'], duration: '4s', args: ['--timeout', '2s'] };
    // The demo seeds the new database on start (about 1 s).
    const cli = startCli(profileArgs(options, out, jsonPath), { cwd: demoDir, env: { ...process.env, PORT: String(port), DATABASE_URL: database.url }, timeoutMs: 90_000 });
    await cli.waitForOutput(/perflens: profiling while/, 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    await database.stop();
    const result = await cli.result;
    assert.equal(result.signal, null, 'not killed');
    assert.ok(result.code === 0 || result.code === 1, `exit code ${result.code}:\n${result.stderr}`);
    assert.doesNotMatch(result.stderr, /TypeError|ReferenceError|at .*\.js:\d+:\d+\)/, 'no crash');
    const run = withReport(result, out, jsonPath);
    assert.ok(existsSync(jsonPath), `report written:\n${result.stderr}`);
    const report = run.report();
    const section = run.queries();
    assert.ok(section.warnings.some((w) => /^the database went away mid-run: \d+ queries failed with /.test(w)), JSON.stringify(section.warnings));
    const errors = section.queries.reduce((n, q) => n + q.errors, 0);
    assert.ok(errors >= 3, `${errors} failed queries`);
    assert.ok(report.load!.errors.failed > 0, 'the requests after the stop failed');
    assert.ok(report.load!.requests > 0, 'and the ones before it succeeded');
    assert.ok(report.profile.samples > 0, 'the CPU profile is kept');
    assert.equal(readdirSync(out).filter((f) => f.endsWith('.cpuprofile')).length, 1, 'the .cpuprofile is written');
  } finally {
    await database.stop();
  }
});

test('a service without pg: the queries section says no PostgreSQL client was found, with no statements', async () => {
  const port = await freePort();
  const server = "require('node:http').createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')";
  const run = await profile({ name: 'no-pg', url: `http://127.0.0.1:${port}/`, command: ['node', '-e', server], env: { ...process.env, PORT: String(port) }, duration: '1s' });
  assert.equal(run.code, 0, run.stderr);
  const section = run.queries();
  assert.deepEqual(section.queries, []);
  assert.deepEqual(section.pg, []);
  assert.deepEqual(section.pools, []);
  assert.deepEqual(section.warnings, ['no PostgreSQL client (pg) found in the service: no queries were captured']);
  assert.doesNotMatch(run.report().summary.headline, /PostgreSQL/);
});

test('PostGraphile (no code of its own): its statements are captured at graphile-build-pg\'s line in node_modules', { skip: needsDatabase }, async () => {
  const service = (await realServices()).find((s) => s.name === 'postgraphile-js');
  assert.ok(service, 'postgraphile-js in the real services');
  await prepareRealServiceDatabase(databaseUrl!);
  const request = service.queryRequests![0]!;
  const port = await freePort();
  const run = await profile({
    name: 'postgraphile',
    url: `http://127.0.0.1:${port}${request.path}`,
    command: service.start,
    cwd: service.dir,
    env: realServiceEnv(service, port, databaseUrl),
    args: ['--method', request.method, ...Object.entries(request.headers).flatMap(([k, v]) => ['--header', `${k}: ${v}`]), '--body', request.body!],
    duration: '3s',
  });
  assert.equal(run.code, 0, run.stderr);
  const report = run.report();
  const section = run.queries();
  assert.equal(report.load!.errors.failed, 0);
  assert.ok(section.queries.length >= request.queries, describeQueries(section));
  assert.ok(Math.abs(section.perRequest.mean - request.queries) < 0.2, `${section.perRequest.mean} queries per request`);
  for (const q of section.queries.slice(0, request.queries)) {
    assert.ok(q.calls > 10, `${q.text}: ${q.calls} calls`);
    assert.equal(q.errors, 0);
    // Every frame is in node_modules: the first one outside pg's own packages.
    assert.equal(q.site.origin, 'dependency', JSON.stringify(q.site));
    assert.equal(q.site.package, 'graphile-build-pg');
    assert.ok(q.file.startsWith(join(service.dir, 'node_modules', 'graphile-build-pg') + '/'), q.file);
    assert.equal(q.nPlusOne, undefined);
  }
  // Its three root fields go through one client concurrently; the time they spend in PostgreSQL per
  // request cannot be more than the request took.
  const pgShare = /In PostgreSQL: [\d.]+ queries and ([\d.]+) ms per request of its ([\d.]+) ms mean latency/.exec(report.summary.headline);
  assert.ok(pgShare, report.summary.headline);
  assert.ok(Number(pgShare[1]) <= Number(pgShare[2]), pgShare[0]);
});

test('--no-queries: no queries section; --leak-threshold under 2s is a usage error', { skip: needsDatabase }, async () => {
  const port = await freePort();
  const off = await profile({ name: 'no-queries', url: `http://127.0.0.1:${port}/customers/7/orders`, command: ['node', 'dist/server.js'], cwd: demoDir, env: demoEnv(port), args: ['--no-queries'], duration: '1s' });
  assert.equal(off.code, 0, off.stderr);
  assert.equal(off.report().queries, undefined);
  assert.doesNotMatch(off.stdout, /Queries to PostgreSQL/);
  assert.doesNotMatch(off.report().summary.headline, /PostgreSQL/);

  const short = await runCli(['profile', '--url', `http://127.0.0.1:${port}/customers/7/orders`, '--leak-threshold', '1s', '--', 'node', 'dist/server.js'], { cwd: demoDir, env: demoEnv(port) });
  assert.equal(short.code, 2, short.stderr);
  assert.match(short.stderr, /--leak-threshold: at least 2s/);
  const both = await runCli(['profile', '--url', `http://127.0.0.1:${port}/customers/7/orders`, '--no-queries', '--explain', '--', 'node', 'dist/server.js'], { cwd: demoDir, env: demoEnv(port) });
  assert.equal(both.code, 2, both.stderr);
  assert.match(both.stderr, /--no-queries turns query capture off/);
});
