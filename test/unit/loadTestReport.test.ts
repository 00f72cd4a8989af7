import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadRecorder } from '../../server/load/loadRecorder';
import { LoadMetrics } from '../../server/loadtest/loadMetrics';
import { buildLoadTestReport, formatLoadTestSummary, saturationWarnings, toJUnit } from '../../server/loadtest/loadTestReport';
import { shareByWeight } from '../../server/loadtest/runLoadTest';
import { evaluateThresholds } from '../../server/thresholds/evaluate';
import { compileThresholds } from '../../server/thresholds/thresholdSet';
import { demoQueriesSection } from './queryFixtures';

/** A run of `ms` latencies (one per request) with some 500s. */
function summary(latencies: number[], errors500 = 0, rate?: number) {
  const r = new LoadRecorder();
  r.tick(0);
  latencies.forEach((ms, i) => r.response(i < errors500 ? 500 : 200, ms));
  return r.summary({ url: 'http://127.0.0.1:1/', method: 'GET', headers: {}, connections: 2, rate, durationMs: 2000, timeoutMs: 1000 }, 2, 2000, false);
}

function metrics(): LoadMetrics {
  const m = new LoadMetrics();
  m.add({ scenario: 'steady', name: 'report', method: 'GET', startMs: 0, summary: summary(Array.from({ length: 100 }, (_, i) => i + 1), 2, 50) });
  m.add({ scenario: 'steady', name: 'health', method: 'GET', startMs: 0, summary: summary(Array.from({ length: 100 }, () => 1), 0, 50) });
  return m;
}

test('metrics by tag: durations from the merged histograms, failures counted as k6 does', () => {
  const m = metrics();
  const p95 = m.durationAggregate({ name: 'report' }, { kind: 'p', percentile: 95 })!;
  assert.ok(Math.abs(p95 - 95) <= 0.095, `p(95) ${p95} ≈ 95 ms (3 significant digits)`);
  assert.equal(m.durationAggregate({}, { kind: 'max' }), 100);
  assert.equal(m.durationAggregate({ name: 'nothing' }, { kind: 'avg' }), undefined);
  assert.equal(m.failedRate({}), 2 / 200);
  assert.equal(m.requestCount({ scenario: 'steady' }), 200);
  assert.equal(m.requestRate({}), 100, '200 requests over the phase\'s 2 s, the two runs overlapping');
});

test('the report, its summary and its JUnit XML agree on which thresholds hold', () => {
  const m = metrics();
  const thresholds = compileThresholds({ http_req_duration: ['p(95)<50'], 'http_req_duration{name:health}': ['max<5'], http_req_failed: ['rate<0.05'] });
  const run = { metrics: m, thresholds: evaluateThresholds(thresholds, m, 2000), durationMs: 2000, plannedMs: 2000 };
  const report = buildLoadTestReport(run, { file: 'x.load.json', baseUrl: 'http://127.0.0.1:1' });
  assert.equal(report.passed, false);
  assert.deepEqual(report.thresholds.map((t) => [t.key, t.ok]), [['http_req_duration', false], ['http_req_duration{name:health}', true], ['http_req_failed', true]]);
  assert.deepEqual(report.phases, [{ scenario: 'steady', startMs: 0, durationMs: 2000, requestedRate: 100, achievedRps: 100 }]);

  const text = formatLoadTestSummary(report);
  assert.match(text, /✗ http_req_duration +p\(95\)<50: [\d.]+ ms\n/);
  assert.match(text, /✓ http_req_failed +rate<0\.05/);
  assert.match(text, /FAILED: a threshold was breached/);

  const xml = toJUnit(report);
  assert.equal((xml.match(/<testcase /g) ?? []).length, 3);
  assert.equal((xml.match(/<failure /g) ?? []).length, 1);
  assert.match(xml, /name="http_req_duration: p\(95\)&lt;50"/);
});

test('rates and connections are shared by weight in whole numbers that add up', () => {
  assert.deepEqual(shareByWeight(10, [1, 3]), [3, 7]);
  assert.deepEqual(shareByWeight(100, [1, 1, 1]), [34, 33, 33]);
  assert.deepEqual(shareByWeight(2, [1, 1, 1]), [1, 1, 1], 'each request gets at least 1');
});

test('a phase that fell short of its requested rate by more than 5 % is called saturated', () => {
  const warnings = saturationWarnings([
    { scenario: 'steady', startMs: 0, durationMs: 5000, requestedRate: 60, achievedRps: 59.5 },
    { scenario: 'ramp', step: 3, startMs: 5000, durationMs: 5000, requestedRate: 60, achievedRps: 10.4 },
    { scenario: 'closed', startMs: 10_000, durationMs: 5000, achievedRps: 3 },
  ]);
  assert.deepEqual(warnings, ['ramp #3: requested 60/s, achieved 10.4/s (17 %): the service saturated, so its latencies are those of an overloaded service']);
});

test('the queries section goes into the report and the summary; queries not captured is a warning', () => {
  const m = metrics();
  const thresholds = compileThresholds({ 'db_queries_per_request{name:report}': ['max<10'] });
  m.useQueries({
    capture: () => ({
      status: { node: 'v20.16.0', pg: [{ dir: '/srv/node_modules/pg', version: '8.13.1' }], requestContext: true },
      statements: [{ id: 1, text: 'SELECT 1' }],
      sites: [],
      requests: [{ id: 1, method: 'GET', url: '/report', startMs: 0, endMs: 10, status: 200 }],
      pools: [],
      executions: Array.from({ length: 12 }, () => ({ statement: 1, site: -1, request: 1, startMs: 1, ms: 0.5, waitMs: 0, rows: 1, pool: -1 })),
      checkouts: [],
      poolSamples: [],
      leaks: [],
      dropped: 0,
      startMs: 0,
      endMs: 1000,
    }),
    nameOf: (r) => (r.url === '/report' ? 'report' : undefined),
    runMsOf: (t) => t,
  });
  const queries = demoQueriesSection('/srv/demo');
  const run = { metrics: m, thresholds: evaluateThresholds(thresholds, m, 2000), durationMs: 2000, plannedMs: 2000 };
  const report = buildLoadTestReport(run, { file: 'x.load.json', baseUrl: 'http://127.0.0.1:1', queries });
  assert.equal(report.queries, queries);
  assert.deepEqual(report.thresholds.map((t) => [t.ok, t.observed, t.message]), [[false, 12, 'max<10: 12 queries per request ✗']]);
  const text = formatLoadTestSummary(report, { cwd: '/srv/demo' });
  assert.match(text, /✗ db_queries_per_request\{name:report\} +max<10: 12 queries per request\n/);
  assert.match(text, /\nQueries to PostgreSQL \(pg 8\.23\.1\)/);
  assert.match(text, /\nN\+1 queries\n {2}- src\/routes\/orders\.ts:37: SELECT oi\.product_id.* sent 25 times per request/);
  assert.ok(text.indexOf('Queries to PostgreSQL') < text.indexOf('FAILED'), 'the queries table comes before the verdict');

  const without = buildLoadTestReport({ ...run, queriesUnavailable: 'the queries were not captured: no target.command' }, { file: 'x.load.json', baseUrl: 'http://127.0.0.1:1' });
  assert.equal(without.queries, undefined);
  assert.deepEqual(without.warnings, ['the queries were not captured: no target.command']);
  assert.match(formatLoadTestSummary(without), /Warnings\n {2}! the queries were not captured: no target\.command/);
  assert.doesNotMatch(formatLoadTestSummary(without), /Queries to PostgreSQL/);
});
