import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileThresholds } from '../../server/thresholds/thresholdSet';
import { compare, evaluateThresholds, formatNumber, shouldAbort, type MetricsView, type Tags, type TrendAggregation } from '../../server/thresholds/evaluate';

/** Two request names; `checkout` is slow and sometimes fails, `home` is fast. Tag `{}` = both. */
interface Group { count: number; failed: number; rate: number; durations: Record<string, number> }
const GROUPS: Record<string, Group> = {
  all: { count: 3000, failed: 30, rate: 300, durations: { avg: 120.25, min: 2, max: 1900, med: 100, 'p(95)': 312.4, 'p(99)': 800, 'p(99.9)': 1500.123 } },
  checkout: { count: 1000, failed: 25, rate: 100, durations: { avg: 250, min: 50, max: 1900, med: 240, 'p(95)': 450, 'p(99)': 800, 'p(99.9)': 1800 } },
  home: { count: 2000, failed: 0, rate: 200, durations: { avg: 55.5, min: 2, max: 90, med: 50, 'p(95)': 80, 'p(99)': 88, 'p(99.9)': 89.9 } },
};

function fakeMetrics(groups = GROUPS): MetricsView & { calls: string[] } {
  const calls: string[] = [];
  const group = (tags: Tags): Group | undefined => {
    const keys = Object.keys(tags);
    if (keys.length === 0) return groups.all;
    if (keys.length === 1 && keys[0] === 'name') return groups[tags.name];
    return undefined;
  };
  return {
    calls,
    durationAggregate(tags, a: TrendAggregation) {
      const name = a.kind === 'p' ? `p(${a.percentile})` : a.kind;
      calls.push(`duration ${name}`);
      return group(tags)?.durations[name];
    },
    failedRate: (tags) => { const g = group(tags); return g && g.failed / g.count; },
    requestCount: (tags) => group(tags)?.count ?? 0,
    requestRate: (tags) => group(tags)?.rate,
  };
}

function evaluateOne(key: string, source: string, metrics: MetricsView = fakeMetrics()) {
  const [result] = evaluateThresholds(compileThresholds({ [key]: [source] }), metrics, 10_000);
  return result;
}

// [metric key, threshold, ok, message]
const cases: Array<[key: string, source: string, ok: boolean, message: string]> = [
  // every trend aggregation
  ['http_req_duration', 'p(95)<300', false, 'p(95)<300: 312.4 ms ✗'],
  ['http_req_duration', 'p(95)<400', true, 'p(95)<400: 312.4 ms ✓'],
  ['http_req_duration', 'p(99.9)<2000', true, 'p(99.9)<2000: 1500.1 ms ✓'],
  ['http_req_duration', 'avg<200', true, 'avg<200: 120.3 ms ✓'],
  ['http_req_duration', 'med<=100', true, 'med<=100: 100 ms ✓'],
  ['http_req_duration', 'max<2000', true, 'max<2000: 1900 ms ✓'],
  ['http_req_duration', 'min>2', false, 'min>2: 2 ms ✗'],
  // every operator, at the boundary and either side of it (med = 100)
  ['http_req_duration', 'med<100', false, 'med<100: 100 ms ✗'],
  ['http_req_duration', 'med<101', true, 'med<101: 100 ms ✓'],
  ['http_req_duration', 'med<=99', false, 'med<=99: 100 ms ✗'],
  ['http_req_duration', 'med>100', false, 'med>100: 100 ms ✗'],
  ['http_req_duration', 'med>99', true, 'med>99: 100 ms ✓'],
  ['http_req_duration', 'med>=100', true, 'med>=100: 100 ms ✓'],
  ['http_req_duration', 'med>=101', false, 'med>=101: 100 ms ✗'],
  ['http_req_duration', 'med==100', true, 'med==100: 100 ms ✓'],
  ['http_req_duration', 'med===101', false, 'med==101: 100 ms ✗'],
  ['http_req_duration', 'med!=100', false, 'med!=100: 100 ms ✗'],
  ['http_req_duration', 'med != 99', true, 'med!=99: 100 ms ✓'],
  // tags
  ['http_req_duration{name:checkout}', 'p(95)<300', false, 'p(95)<300: 450 ms ✗'],
  ['http_req_duration{name:home}', 'p(95)<300', true, 'p(95)<300: 80 ms ✓'],
  // failures and counters
  ['http_req_failed', 'rate<0.01', false, 'rate<0.01: 0.01 (1% failed) ✗'],
  ['http_req_failed', 'rate<=0.01', true, 'rate<=0.01: 0.01 (1% failed) ✓'],
  ['http_req_failed{name:checkout}', 'rate<0.05', true, 'rate<0.05: 0.025 (2.5% failed) ✓'],
  ['http_req_failed{name:home}', 'rate==0', true, 'rate==0: 0 (0% failed) ✓'],
  ['http_reqs', 'count>1000', true, 'count>1000: 3000 ✓'],
  ['http_reqs{name:checkout}', 'count>1000', false, 'count>1000: 1000 ✗'],
  ['http_reqs', 'rate>=300', true, 'rate>=300: 300/s ✓'],
  ['http_reqs{name:home}', 'rate>250', false, 'rate>250: 200/s ✗'],
  // no data fails (k6 passes it), for every metric
  ['http_req_duration{name:chekout}', 'p(95)<300', false, 'p(95)<300: no data, no requests matched {name:chekout} ✗'],
  ['http_req_failed{scenario:spike}', 'rate<0.01', false, 'rate<0.01: no data, no requests matched {scenario:spike} ✗'],
  ['http_reqs{name:nope}', 'count<10', false, 'count<10: no data, no requests matched {name:nope} ✗'],
  ['http_reqs{name:a,scenario:b}', 'rate<10', false, 'rate<10: no data, no requests matched {name:a,scenario:b} ✗'],
];

for (const [key, source, ok, message] of cases) {
  test(`${key} ${source} → ${ok ? 'ok' : 'fails'}`, () => {
    const result = evaluateOne(key, source);
    assert.equal(result.ok, ok);
    assert.equal(result.message, message);
    assert.equal(result.threshold.source, source);
    assert.equal(result.elapsedMs, 10_000);
    assert.equal(result.observed === undefined, message.includes('no data'));
  });
}

test('no requests at all fails every threshold with its own message', () => {
  const empty = fakeMetrics({ all: { count: 0, failed: 0, rate: 0, durations: {} } });
  const results = evaluateThresholds(compileThresholds({ http_reqs: ['count<1', 'rate<1'], http_req_failed: ['rate<0.01'], http_req_duration: ['p(99)<1'] }), empty, 5000);
  assert.deepEqual(results.map((r) => [r.ok, r.observed, r.message]), [
    [false, undefined, 'count<1: no data, no requests were made ✗'],
    [false, undefined, 'rate<1: no data, no requests were made ✗'],
    [false, undefined, 'rate<0.01: no data, no requests were made ✗'],
    [false, undefined, 'p(99)<1: no data, no requests were made ✗'],
  ]);
  assert.deepEqual(empty.calls, [], 'no aggregate asked for when nothing matched');
});

test('an aggregate the view cannot give (undefined or NaN) counts as no data', () => {
  assert.equal(evaluateOne('http_req_duration', 'p(50)<1').message, 'p(50)<1: no data, no requests were made ✗');
  const nan = fakeMetrics({ all: { ...GROUPS.all, durations: { avg: NaN } } });
  assert.equal(evaluateOne('http_req_duration', 'avg<1', nan).observed, undefined);
});

test('a value that rounds to the limit is shown with all its digits', () => {
  const close = fakeMetrics({ all: { ...GROUPS.all, durations: { 'p(95)': 300.04 } } });
  assert.equal(evaluateOne('http_req_duration', 'p(95)<300', close).message, 'p(95)<300: 300.04 ms ✗');
});

test('compare covers every operator', () => {
  const table: Array<[number, Parameters<typeof compare>[1], number, boolean]> = [
    [1, '<', 2, true], [2, '<', 2, false], [2, '<=', 2, true], [3, '<=', 2, false],
    [3, '>', 2, true], [2, '>', 2, false], [2, '>=', 2, true], [1, '>=', 2, false],
    [2, '==', 2, true], [2.0001, '==', 2, false], [1, '!=', 2, true], [2, '!=', 2, false],
  ];
  for (const [observed, op, value, expected] of table) assert.equal(compare(observed, op, value), expected, `${observed}${op}${value}`);
});

test('formatNumber keeps numbers short', () => {
  const table: Array<[number, string]> = [[312.44, '312.4'], [1500.123, '1500.1'], [12.345, '12.35'], [0.012345, '0.0123'], [0.5, '0.5'], [3000, '3000'], [0, '0'], [-1.5, '-1.5'], [Infinity, 'Infinity']];
  for (const [n, text] of table) assert.equal(formatNumber(n), text, String(n));
});

test('shouldAbort: only an abortOnFail threshold that fails with data, once its delay has passed', () => {
  const thresholds = compileThresholds({
    'http_req_duration{name:checkout}': [
      { threshold: 'p(95)<300', abortOnFail: true, delayAbortEval: '10s' }, // fails (450)
      'p(99)<100', // fails, but does not abort
    ],
    'http_req_duration{name:home}': [{ threshold: 'p(95)<300', abortOnFail: true }], // passes (80)
    'http_req_duration{scenario:spike}': [{ threshold: 'p(99)<800', abortOnFail: true }], // no data yet
  });
  const metrics = fakeMetrics();
  const at = (ms: number) => shouldAbort(evaluateThresholds(thresholds, metrics, ms), ms);
  assert.equal(at(0), undefined);
  assert.equal(at(9_999), undefined, 'still within its delay');
  assert.equal(at(10_000)?.threshold.path, 'thresholds["http_req_duration{name:checkout}"][0]', 'at the delay exactly');
  assert.equal(at(60_000)?.message, 'p(95)<300: 450 ms ✗');
  // without the failing one, nothing aborts: the passing one, the non-aborting one and the no-data one
  const rest = evaluateThresholds(thresholds.slice(1), metrics, 60_000);
  assert.deepEqual(rest.map((r) => r.ok), [false, true, false]);
  assert.equal(shouldAbort(rest, 60_000), undefined);
});

test('shouldAbort with no delay aborts at once', () => {
  const thresholds = compileThresholds({ http_req_failed: [{ threshold: 'rate<0.001', abortOnFail: true }] });
  assert.equal(shouldAbort(evaluateThresholds(thresholds, fakeMetrics(), 0), 0)?.observed, 0.01);
});

// ---------------------------------------------------------------------------------------------
// db_* metrics: answered by the view's dbAggregate (see dbMetrics.test.ts for the real one).

/** Aggregates by `metric{tags}`; anything else has no data with the view's own reason. */
const DB: Record<string, Record<string, number>> = {
  'db_query_duration{}': { 'p(95)': 42.5, max: 180, avg: 3.25 },
  'db_query_duration{name:orders}': { max: 250 },
  'db_queries_per_request{}': { max: 27, avg: 14 },
  'db_queries_per_request{name:orders}': { max: 27, 'p(95)': 27 },
  'db_queries_per_request{name:search}': { max: 1, med: 1 },
  'db_queries_per_request{name:health}': { max: 0 },
  'db_pool_wait{}': { 'p(99)': 12.25 },
};

function dbMetricsView(http = GROUPS): MetricsView & { asked: string[] } {
  const asked: string[] = [];
  return {
    ...fakeMetrics(http),
    asked,
    dbAggregate(metric, tags, a) {
      const key = `${metric}{${Object.entries(tags).map(([k, v]) => `${k}:${v}`).join(',')}}`;
      const name = a.kind === 'p' ? `p(${a.percentile})` : a.kind;
      asked.push(`${key} ${name}`);
      const value = DB[key]?.[name];
      return value === undefined ? { noData: `nothing for ${key}` } : { value };
    },
  };
}

const dbCases: Array<[key: string, source: string, ok: boolean, message: string]> = [
  ['db_query_duration', 'p(95)<50', true, 'p(95)<50: 42.5 ms ✓'],
  ['db_query_duration', 'avg<3', false, 'avg<3: 3.25 ms ✗'],
  ['db_query_duration{name:orders}', 'max<200', false, 'max<200: 250 ms ✗'],
  ['db_queries_per_request{name:orders}', 'max<10', false, 'max<10: 27 queries per request ✗'],
  ['db_queries_per_request{name:orders}', 'p(95)<=27', true, 'p(95)<=27: 27 queries per request ✓'],
  ['db_queries_per_request{name:search}', 'max<10', true, 'max<10: 1 query per request ✓'],
  ['db_queries_per_request{name:health}', 'max<1', true, 'max<1: 0 queries per request ✓'],
  ['db_queries_per_request', 'avg<10', false, 'avg<10: 14 queries per request ✗'],
  ['db_pool_wait', 'p(99)<20', true, 'p(99)<20: 12.25 ms ✓'],
  // no data: the view's reason, and it fails
  ['db_pool_wait{name:orders}', 'p(99)<20', false, 'p(99)<20: no data, nothing for db_pool_wait{name:orders} ✗'],
  ['db_queries_per_request{scenario:spike}', 'max<10', false, 'max<10: no data, nothing for db_queries_per_request{scenario:spike} ✗'],
];

for (const [key, source, ok, message] of dbCases) {
  test(`${key} ${source} → ${ok ? 'ok' : 'fails'}`, () => {
    const result = evaluateOne(key, source, dbMetricsView());
    assert.equal(result.ok, ok);
    assert.equal(result.message, message);
    assert.equal(result.observed === undefined, message.includes('no data'));
  });
}

test('db_* thresholds have no data, and fail, when the view does not capture queries', () => {
  const results = evaluateThresholds(compileThresholds({ db_query_duration: ['p(95)<50'], db_queries_per_request: ['max<10'], db_pool_wait: ['p(99)<20'] }), fakeMetrics(), 1000);
  for (const r of results) {
    assert.equal(r.ok, false);
    assert.equal(r.observed, undefined);
    assert.match(r.message, /: no data, the queries were not captured in this run ✗$/);
  }
});

test('db_* thresholds are asked of the view with their tags and trend aggregation, whatever the http metrics have', () => {
  const noRequests = dbMetricsView({ all: { count: 0, failed: 0, rate: 0, durations: {} } });
  const results = evaluateThresholds(compileThresholds({ 'db_queries_per_request{name:orders}': ['max<10'], http_reqs: ['count>0'] }), noRequests, 1000);
  assert.deepEqual(results.map((r) => [r.observed, r.ok]), [[27, false], [undefined, false]]);
  assert.deepEqual(noRequests.asked, ['db_queries_per_request{name:orders} max']);
});

test('a NaN from dbAggregate is no data', () => {
  const nan: MetricsView = { ...fakeMetrics(), dbAggregate: () => ({ value: NaN }) };
  const result = evaluateOne('db_query_duration', 'avg<1', nan);
  assert.equal(result.observed, undefined);
  assert.equal(result.ok, false);
});

test('shouldAbort: an abortOnFail db_* threshold that fails with data stops the run; with no data it does not', () => {
  const thresholds = compileThresholds({
    'db_queries_per_request{name:orders}': [{ threshold: 'max<10', abortOnFail: true }],
    'db_query_duration{name:nothing}': [{ threshold: 'max<10', abortOnFail: true }],
  });
  const results = evaluateThresholds(thresholds, dbMetricsView(), 2000);
  assert.equal(shouldAbort(results, 2000)?.threshold.key, 'db_queries_per_request{name:orders}');
  assert.equal(shouldAbort(results.slice(1), 2000), undefined);
});
