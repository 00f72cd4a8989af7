// The db_* threshold metrics from hand-made captures: the pure adapter (DbMetrics), LoadMetrics
// answering them from a query source (tags by request name and by scenario, live then final), and
// the naming of received requests after the load test's requests.
import { emptyCapture } from './queryFixtures';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadRecorder } from '../../server/load/loadRecorder';
import { aggregateOf, DbMetrics } from '../../server/loadtest/dbMetrics';
import { LoadMetrics, type QuerySource } from '../../server/loadtest/loadMetrics';
import { loadRequestNamer } from '../../server/loadtest/requestNames';
import type { CapturedRequest, QueryCapture, QueryExecution } from '../../server/queries/captureTypes';
import { evaluateThresholds, type Tags } from '../../server/thresholds/evaluate';
import { compileThresholds } from '../../server/thresholds/thresholdSet';

const PG = [{ dir: '/srv/node_modules/pg', version: '8.13.1' }];

function execution(request: number, ms: number, waitMs = 0, startMs = 0): QueryExecution {
  return { statement: 1, site: -1, request, startMs, ms, waitMs, rows: 1, pool: 1 };
}

function request(id: number, url: string, figures: Partial<CapturedRequest> = {}): CapturedRequest {
  return { id, method: 'GET', url, startMs: id * 10, endMs: id * 10 + 5, status: 200, ...figures };
}

function capture(parts: Partial<QueryCapture> = {}): QueryCapture {
  return emptyCapture({ status: { node: 'v20.16.0', pg: PG, requestContext: true }, statements: [{ id: 1, text: 'SELECT 1' }], pools: [{ id: 1, name: '127.0.0.1:5432/demo', max: 10 }], endMs: 1000, ...parts });
}

/**
 * Two requests to /customers/7/orders with 27 queries each (1 ms, then 2 ms … for the items), one
 * to /search with 1 slow query that waited for the pool, one to /health with none, one still in
 * progress with 3 so far, and 2 queries sent outside any request.
 */
function demoCapture(): QueryCapture {
  const executions: QueryExecution[] = [];
  for (const id of [1, 2]) for (let i = 0; i < 27; i++) executions.push(execution(id, i < 2 ? 1 : 2, 0.5));
  executions.push(execution(3, 120, 15));
  for (let i = 0; i < 3; i++) executions.push(execution(5, 2));
  executions.push(execution(0, 4), execution(0, 6));
  return capture({
    requests: [request(1, '/customers/7/orders'), request(2, '/customers/7/orders?x=1'), request(3, '/search?q=gift', { status: 500 }), request(4, '/health'), request(5, '/customers/7/orders', { endMs: undefined, status: undefined })],
    executions,
  });
}

const NAMES: Record<string, string> = { '/customers/7/orders': 'orders', '/customers/7/orders?x=1': 'orders', '/search?q=gift': 'search', '/health': 'health' };
const tagsOf = (r: CapturedRequest): Tags => ({ method: r.method, ...(NAMES[r.url] && { name: NAMES[r.url] }), ...(r.status !== undefined && { status: String(r.status) }) });

test('db_queries_per_request: one sample per finished request, those without queries included', () => {
  const db = new DbMetrics(demoCapture(), tagsOf);
  assert.deepEqual(db.samples('db_queries_per_request', {}), [0, 1, 27, 27], 'the request in progress (3 so far) and the queries outside requests are left out');
  assert.deepEqual(db.aggregate('db_queries_per_request', { name: 'orders' }, { kind: 'max' }), { value: 27 });
  assert.deepEqual(db.aggregate('db_queries_per_request', { name: 'search' }, { kind: 'max' }), { value: 1 });
  assert.deepEqual(db.aggregate('db_queries_per_request', { name: 'health' }, { kind: 'max' }), { value: 0 });
  assert.deepEqual(db.aggregate('db_queries_per_request', {}, { kind: 'avg' }), { value: 55 / 4 });
  assert.deepEqual(db.aggregate('db_queries_per_request', { status: '500' }, { kind: 'med' }), { value: 1 });
  assert.deepEqual(db.aggregate('db_queries_per_request', { name: 'nope' }, { kind: 'max' }), { noData: 'no finished request matched {name:nope}' });
});

test('db_query_duration and db_pool_wait: one sample per execution, tagged with its request', () => {
  const db = new DbMetrics(demoCapture(), tagsOf);
  assert.equal(db.samples('db_query_duration', {}).length, 54 + 1 + 3 + 2, 'every execution, in a request or not');
  assert.deepEqual(db.aggregate('db_query_duration', {}, { kind: 'max' }), { value: 120 });
  assert.deepEqual(db.aggregate('db_query_duration', { name: 'orders' }, { kind: 'max' }), { value: 2 });
  assert.deepEqual(db.aggregate('db_query_duration', { name: 'orders' }, { kind: 'min' }), { value: 1 });
  assert.deepEqual(db.aggregate('db_query_duration', { name: 'orders' }, { kind: 'p', percentile: 3 }), { value: 1 }, 'nearest rank: 4 of 54 are 1 ms');
  assert.deepEqual(db.aggregate('db_query_duration', { name: 'search' }, { kind: 'avg' }), { value: 120 });
  assert.deepEqual(db.aggregate('db_pool_wait', { name: 'search' }, { kind: 'p', percentile: 99 }), { value: 15 });
  assert.deepEqual(db.aggregate('db_pool_wait', { name: 'orders' }, { kind: 'med' }), { value: 0.5 });
  assert.deepEqual(db.aggregate('db_pool_wait', {}, { kind: 'min' }), { value: 0 });
  assert.deepEqual(db.aggregate('db_query_duration', { name: 'health' }, { kind: 'max' }), { noData: 'no query matched {name:health}' });
  assert.deepEqual(db.aggregate('db_query_duration', { method: 'GET', name: 'orders' }, { kind: 'max' }), { value: 2 }, 'several tags: all must match');
});

test('no data, with the reason: no pg, no query at all, requests not told apart', () => {
  const noPg = new DbMetrics(capture({ status: { node: 'v20.16.0', pg: [], requestContext: true }, requests: [request(1, '/health')] }), tagsOf);
  for (const metric of ['db_query_duration', 'db_queries_per_request', 'db_pool_wait'] as const) {
    assert.deepEqual(noPg.aggregate(metric, {}, { kind: 'max' }), { noData: 'no PostgreSQL client (pg) was found in the service, so no query was captured' });
  }
  const quiet = new DbMetrics(capture({ requests: [request(1, '/health')] }), tagsOf);
  assert.deepEqual(quiet.aggregate('db_queries_per_request', {}, { kind: 'max' }), { noData: 'no query was captured: the service sent none to PostgreSQL (pg 8.13.1 is loaded)' });
  const oldNode = new DbMetrics(capture({ status: { node: 'v16.0.0', pg: PG, requestContext: false }, executions: [execution(0, 3)] }), tagsOf);
  assert.deepEqual(oldNode.aggregate('db_query_duration', {}, { kind: 'max' }), { value: 3 }, 'all queries together need no request');
  assert.deepEqual(oldNode.aggregate('db_query_duration', { name: 'orders' }, { kind: 'max' }), { noData: 'queries cannot be tied to requests: Node.js v16.0.0 has no http.server diagnostics channels' });
  assert.match((oldNode.aggregate('db_queries_per_request', {}, { kind: 'max' }) as { noData: string }).noData, /cannot be tied to requests/);
});

test('the no-data reasons reach the threshold messages, and fail them', () => {
  const m = new LoadMetrics();
  m.useQueries({ capture: () => capture({ status: { node: 'v20.16.0', pg: [], requestContext: true } }), nameOf: () => undefined, runMsOf: (t) => t });
  const [result] = evaluateThresholds(compileThresholds({ db_queries_per_request: ['max<10'] }), m, 1000);
  assert.equal(result.ok, false);
  assert.equal(result.message, 'max<10: no data, no PostgreSQL client (pg) was found in the service, so no query was captured ✗');
  const without = new LoadMetrics();
  without.queriesUnavailable('the agent could not be put into the service (boom)');
  assert.equal(evaluateThresholds(compileThresholds({ db_pool_wait: ['p(99)<20'] }), without, 1000)[0].message, 'p(99)<20: no data, the agent could not be put into the service (boom) ✗');
  assert.match(evaluateThresholds(compileThresholds({ db_pool_wait: ['p(99)<20'] }), new LoadMetrics(), 1000)[0].message, /no data, the queries were not captured in this run/);
});

test('aggregateOf: nearest-rank percentiles and median over ascending samples', () => {
  const sorted = [1, 2, 3, 4, 100];
  assert.equal(aggregateOf(sorted, { kind: 'avg' }), 22);
  assert.equal(aggregateOf(sorted, { kind: 'med' }), 3);
  assert.equal(aggregateOf(sorted, { kind: 'p', percentile: 80 }), 4);
  assert.equal(aggregateOf(sorted, { kind: 'p', percentile: 81 }), 100);
  assert.equal(aggregateOf(sorted, { kind: 'p', percentile: 0 }), 1);
  assert.equal(aggregateOf(sorted, { kind: 'p', percentile: 100 }), 100);
  assert.equal(aggregateOf([7], { kind: 'min' }), 7);
});

/** A phase's run as LoadMetrics records it. */
function phase(scenario: string, startMs: number, durationMs: number) {
  const r = new LoadRecorder();
  r.tick(0);
  r.response(200, 1);
  const summary = r.summary({ url: 'http://127.0.0.1:1/', method: 'GET', headers: {}, connections: 1, durationMs, timeoutMs: 1000 }, 1, durationMs, false);
  return { scenario, name: 'orders', method: 'GET', startMs, summary: { ...summary, durationMs } };
}

test('LoadMetrics: requests named after the load test, scenario by the phase running when they started, rebuilt as batches arrive', () => {
  const live = capture({ startMs: 5000 });
  const source: QuerySource = {
    capture: () => live,
    nameOf: loadRequestNamer([{ name: 'orders', method: 'GET', path: '/customers/7/orders' }], 'http://127.0.0.1:3000'),
    // The agent's clock read 5000 at arming, 50 ms before the run started.
    runMsOf: (agentMs) => agentMs - 5000 - 50,
  };
  const m = new LoadMetrics();
  m.useQueries(source);
  m.add(phase('warmup', 0, 2000));
  m.add(phase('steady', 2100, 3000));
  const perRequest = (tags: Tags) => m.dbAggregate('db_queries_per_request', tags, { kind: 'max' });
  assert.deepEqual(perRequest({}), { noData: 'no query was captured: the service sent none to PostgreSQL (pg 8.13.1 is loaded)' });

  // A batch arrives: a warm-up request (run time 1000) with 2 queries, a steady one (run time 3000) with 5.
  live.requests.push({ id: 1, method: 'GET', url: '/customers/7/orders', startMs: 6050, endMs: 6060, status: 200 }, { id: 2, method: 'GET', url: '/customers/7/orders', startMs: 8050 });
  live.executions.push(...[1, 1].map((id) => execution(id, 1)), ...[2, 2, 2, 2, 2].map((id) => execution(id, 1)));
  live.endMs = 9000;
  assert.deepEqual(perRequest({ name: 'orders' }), { value: 2 }, 'the steady request is still in progress');
  assert.deepEqual(perRequest({ scenario: 'warmup' }), { value: 2 });
  assert.deepEqual(perRequest({ scenario: 'steady' }), { noData: 'no finished request matched {scenario:steady}' });

  // Its response finishes in the next batch.
  live.requests[1].endMs = 8070;
  live.requests[1].status = 200;
  live.endMs = 10_000;
  assert.deepEqual(perRequest({ scenario: 'steady', name: 'orders' }), { value: 5 });
  assert.deepEqual(perRequest({ status: '200' }), { value: 5 });
  assert.deepEqual(perRequest({ method: 'GET' }), { value: 5 });
  assert.equal(m.scenarioAt(2050), undefined, 'between two scenarios, within the slack of both');
  assert.equal(m.scenarioAt(2500), 'steady');
  assert.equal(m.scenarioAt(60_000), undefined, 'after the last phase');
});

test('LoadMetrics: overlapping phases of two scenarios (parallel) tag no scenario', () => {
  const m = new LoadMetrics();
  m.add(phase('a', 0, 3000));
  m.add(phase('b', 0, 3000));
  m.add(phase('a', 3000, 3000));
  assert.equal(m.scenarioAt(1000), undefined);
  assert.equal(m.scenarioAt(4000), 'a');
});

test('loadRequestNamer: by method and path with query, through a base URL with a path, else by the only request on that path', () => {
  const nameOf = loadRequestNamer(
    [
      { name: 'orders', method: 'GET', path: '/customers/7/orders' },
      { name: 'search', method: 'GET', path: '/search?q=gift' },
      { name: 'search-toy', method: 'GET', path: '/search?q=toy' },
      { name: 'create', method: 'post', path: 'orders' },
      { name: 'spaced', method: 'GET', path: '/a b' },
    ],
    'http://127.0.0.1:3000/api/',
  );
  assert.equal(nameOf({ method: 'GET', url: '/api/customers/7/orders' }), 'orders');
  assert.equal(nameOf({ method: 'get', url: '/api/customers/7/orders?page=2' }), 'orders', 'the only request on that path');
  assert.equal(nameOf({ method: 'GET', url: '/api/search?q=gift' }), 'search');
  assert.equal(nameOf({ method: 'GET', url: '/api/search?q=toy' }), 'search-toy');
  assert.equal(nameOf({ method: 'GET', url: '/api/search?q=other' }), undefined, 'two requests on /search: neither is it');
  assert.equal(nameOf({ method: 'POST', url: '/api/orders' }), 'create');
  assert.equal(nameOf({ method: 'GET', url: '/api/orders' }), undefined, 'another method');
  assert.equal(nameOf({ method: 'GET', url: '/customers/7/orders' }), undefined, 'outside the base path');
  assert.equal(nameOf({ method: 'GET', url: '/api/a%20b' }), 'spaced', 'one spelling of percent-encoding on both sides');
});
