import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { displayStatement, isReadStatement, leakSentence, nPlusOneSentence, queryDescription, queryFigures, queryNote, shortStatement } from '../../extension/queries/queryFormat';
import { QueryIndex, sitesOf } from '../../extension/queries/queryIndex';
import { CUSTOMER_SQL, demoQueriesSection, noPgSection, site, stat } from './queryFixtures';

const demo = join(__dirname, '..', '..', 'demo');
const orders = join(demo, 'src', 'routes', 'orders.ts');
const search = join(demo, 'src', 'routes', 'search.ts');
const db = join(demo, 'src', 'db.ts');

test('the note reads like the issue asks', () => {
  const s = stat('SELECT 1', site('/a.ts', 1, 1), { calls: 240, p95Ms: 182.4, nPlusOne: { endpoint: 'GET /x', perRequest: 26, perRequestMedian: 25, requests: 9, ofRequests: 10, msPerRequest: 12 } });
  assert.equal(queryNote(s), '● 182 ms p95 · 240 calls · N+1: 25 per request');
  assert.equal(queryNote({ ...s, nPlusOne: undefined, calls: 1, p95Ms: 0.42 }), '● 0.42 ms p95 · 1 call');
  assert.equal(queryNote({ ...s, nPlusOne: undefined, errors: 3, p95Ms: 1500 }, 12), '● 1.50 s p95 · 12 of 240 calls · 3 errors');
});

test('the demo: a note at each calling line, the N+1 at the items query', () => {
  const index = new QueryIndex(demoQueriesSection(demo));
  assert.deepEqual(
    index.linesIn(orders).map((l) => [l.line, l.note]),
    [
      [27, '● 1.20 ms p95 · 200 calls'],
      [30, '● 3.20 ms p95 · 200 calls'],
      [37, '● 1.80 ms p95 · 5,000 calls · N+1: 25 per request'],
    ],
  );
  assert.deepEqual(index.linesIn(search).map((l) => [l.line, l.note]), [[17, '● 182 ms p95 · 240 calls · 3 errors']]);
  assert.equal(index.at(orders, 37)?.queries[0].stat.nPlusOne?.endpoint, 'GET /customers/:customerId/orders');
  assert.equal(index.at(orders, 36), undefined, 'only calling lines');
  assert.equal(index.at(db, 34), undefined, 'a checkout line is not a calling line');
  assert.deepEqual(index.files().sort(), [orders, search].sort());
});

test('statements by total time, highest first, whatever order the report has', () => {
  const section = demoQueriesSection(demo);
  const index = new QueryIndex({ ...section, queries: [...section.queries].reverse() });
  assert.deepEqual(index.statements().map((s) => s.line), [17, 37, 30, 27]);
  assert.equal(index.find(CUSTOMER_SQL)?.line, 27);
  assert.equal(index.find('SELECT nothing'), undefined);
});

test('problems: the N+1 at its line, the saturated pool at the statement that waited longest, leaks by whether they came back', () => {
  const problems = new QueryIndex(demoQueriesSection(demo)).problems();
  assert.deepEqual(
    problems.map((p) => [p.kind, p.severity, p.file, p.line, p.column]),
    [
      ['n-plus-one', 'warning', orders, 37, 32],
      ['pool-saturated', 'warning', search, 17, 33],
      ['leaked-checkout', 'warning', db, 34, 29],
      ['leaked-checkout', 'information', orders, 27, 33],
    ],
  );
  const [nPlusOne, pool, leaked, released] = problems.map((p) => p.message);
  assert.match(nPlusOne, /^N\+1 on GET \/customers\/:customerId\/orders: sent 25 times per request \(median\) in 200 of 200 requests, 30\.5 ms of database time per request/);
  assert.match(nPlusOne, /Statement: SELECT oi\.product_id/);
  assert.match(pool, /^Pool 127\.0\.0\.1:5432\/perflens_demo is saturated: at 1410 checkouts\/s .*waited longest for a connection \(p95 40\.0 ms, 2\.90 s in all\): SELECT o\.id/);
  assert.match(leaked, /never released \(out for 30\.00 s when the run ended\): left in transaction; last statement `BEGIN`\. Call client\.release\(\)/);
  assert.match(released, /held 1\.25 s before it was released: by a request to GET \/customers\/:customerId\/orders\./);
});

test('a saturated pool with no statement that waited has no line: no diagnostic; a pool that is not saturated, none either', () => {
  const section = demoQueriesSection(demo);
  const noWait = { ...section, leaks: [], queries: section.queries.map((q) => ({ ...q, nPlusOne: undefined, wait: { totalMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 } })) };
  assert.deepEqual(new QueryIndex(noWait).problems(), []);
  const calm = { ...section, leaks: [], pools: section.pools.map((p) => ({ ...p, saturated: false })) };
  assert.deepEqual(new QueryIndex(calm).problems().map((p) => p.kind), ['n-plus-one']);
});

test('a statement sent from several lines: each line gets its share of the calls', () => {
  const main = site('/app/src/a.ts', 10, 5);
  const s = stat('SELECT 1', main, { calls: 100, otherSites: [{ ...site('/app/src/b.ts', 3, 1), calls: 30 }] });
  const index = new QueryIndex({ ...noPgSection(), warnings: [], queries: [s] });
  assert.deepEqual(sitesOf(s).map((x) => [x.file, x.calls, x.primary]), [['/app/src/a.ts', 70, true], ['/app/src/b.ts', 30, false]]);
  assert.match(index.at('/app/src/a.ts', 10)!.note, /70 of 100 calls/);
  assert.match(index.at('/app/src/b.ts', 3)!.note, /30 of 100 calls/);
  assert.equal(index.at('/app/src/b.ts', 3)!.queries[0].primary, false);
});

test('several statements from one line (a shared helper): the costliest speaks, the note counts the rest', () => {
  const helper = site('/app/src/db.ts', 12, 10, 'query');
  const index = new QueryIndex({ ...noPgSection(), warnings: [], queries: [stat('SELECT a', helper, { totalMs: 5, p95Ms: 2 }), stat('SELECT b', helper, { totalMs: 50, p95Ms: 20 }), stat('SELECT c', helper, { totalMs: 1 })] });
  const line = index.at('/app/src/db.ts', 12)!;
  assert.deepEqual(line.queries.map((q) => q.stat.text), ['SELECT b', 'SELECT a', 'SELECT c']);
  assert.equal(line.note, '● 20.0 ms p95 · 1 call · +2 more statements');
});

test('file: URLs and Windows paths find their lines', () => {
  const index = new QueryIndex({ ...noPgSection(), warnings: [], queries: [stat('SELECT 1', site(pathToFileURL('/app/src/x.ts').href, 4, 1)), stat('SELECT 2', site('C:\\app\\y.ts', 2, 1))] });
  assert.equal(index.at('/app/src/x.ts', 4)?.queries[0].stat.text, 'SELECT 1');
  assert.equal(index.at('C:/app/y.ts', 2)?.queries[0].stat.text, 'SELECT 2');
  assert.equal(index.problems().length, 0);
});

test('a section without pg: no lines, no problems, its warning kept', () => {
  const index = new QueryIndex(noPgSection());
  assert.deepEqual(index.files(), []);
  assert.deepEqual(index.problems(), []);
  assert.deepEqual(index.section.warnings, ['no PostgreSQL client (pg) found in the service']);
});

test('the figures of the hover and tooltip', () => {
  const s = new QueryIndex(demoQueriesSection(demo)).statements()[0];
  assert.deepEqual(queryFigures(s), [
    ['Calls', '240 (1 per request, up to 1)'],
    ['Time', 'p50 121 ms · p95 182 ms · p99 240 ms · max 310 ms · total 31.20 s'],
    ['Rows', '4,800'],
    ['Errors', '3: 57014 ×3 (canceling statement due to statement timeout)'],
    ['Pool wait', 'p95 40.0 ms · max 61.0 ms · total 2.90 s'],
  ]);
  assert.equal(queryDescription(s), '31.20 s · 240 calls · p95 182 ms');
  const items = new QueryIndex(demoQueriesSection(demo)).at(orders, 37)!.queries[0].stat;
  assert.equal(queryFigures(items).at(-1)![0], 'N+1');
  assert.match(nPlusOneSentence(items.nPlusOne!), /each time after `SELECT id, status, created_at, total_cents FROM orders WHERE customer_id = \? ORDER BY created_at DESC`/);
});

test('statements: shortened for labels, cut for display, SELECT/WITH told from writes', () => {
  assert.equal(shortStatement('SELECT  a,\n   b FROM t'), 'SELECT a, b FROM t');
  assert.equal(shortStatement('SELECT abcdefghij FROM t', 12), 'SELECT abcd…');
  assert.equal(displayStatement('x'.repeat(10), 4), 'xxxx\n-- … (6 more characters)');
  for (const read of ['SELECT 1', '  select 1', 'WITH x AS (SELECT 1) SELECT * FROM x', '(SELECT 1) UNION (SELECT 2)', '-- why\nSELECT 1', '/* hint */ SELECT 1']) assert.equal(isReadStatement(read), true, read);
  for (const write of ['INSERT INTO t VALUES ($1)', 'UPDATE t SET a = 1', 'DELETE FROM t', 'CREATE INDEX i ON t (a)', 'selected']) assert.equal(isReadStatement(write), false, write);
});

test('a leak in words, released or not', () => {
  const [leaked, released] = demoQueriesSection(demo).leaks;
  assert.match(leakSentence(leaked), /^A client of pool 127\.0\.0\.1:5432\/perflens_demo checked out here was never released/);
  assert.match(leakSentence({ ...released, endpoint: undefined }), /was held 1\.25 s before it was released\. Release it/);
});
