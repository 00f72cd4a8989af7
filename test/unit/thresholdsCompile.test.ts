import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileThresholds, ThresholdConfigError, type ThresholdProblem } from '../../server/thresholds/thresholdSet';

test('compiles the example from the brief, in order, with paths', () => {
  const compiled = compileThresholds({
    http_req_duration: ['p(95)<300', 'p(99)<800', 'avg<200', 'med<=150', 'max<2000', 'min>0'],
    'http_req_duration{name:checkout}': ['p(99)<500'],
    'http_req_duration{scenario:spike}': [{ threshold: 'p(99)<800', abortOnFail: true, delayAbortEval: '10s' }],
    http_req_failed: ['rate<0.01'],
    http_reqs: ['rate>200', 'count>1000'],
  });
  assert.deepEqual(
    compiled.map((t) => `${t.path} ${t.metric} ${JSON.stringify(t.tags)} ${t.source} abort=${t.abortOnFail}/${t.delayAbortEvalMs}`),
    [
      'thresholds["http_req_duration"][0] http_req_duration {} p(95)<300 abort=false/0',
      'thresholds["http_req_duration"][1] http_req_duration {} p(99)<800 abort=false/0',
      'thresholds["http_req_duration"][2] http_req_duration {} avg<200 abort=false/0',
      'thresholds["http_req_duration"][3] http_req_duration {} med<=150 abort=false/0',
      'thresholds["http_req_duration"][4] http_req_duration {} max<2000 abort=false/0',
      'thresholds["http_req_duration"][5] http_req_duration {} min>0 abort=false/0',
      'thresholds["http_req_duration{name:checkout}"][0] http_req_duration {"name":"checkout"} p(99)<500 abort=false/0',
      'thresholds["http_req_duration{scenario:spike}"][0] http_req_duration {"scenario":"spike"} p(99)<800 abort=true/10000',
      'thresholds["http_req_failed"][0] http_req_failed {} rate<0.01 abort=false/0',
      'thresholds["http_reqs"][0] http_reqs {} rate>200 abort=false/0',
      'thresholds["http_reqs"][1] http_reqs {} count>1000 abort=false/0',
    ],
  );
  assert.deepEqual(compiled[7], {
    key: 'http_req_duration{scenario:spike}',
    source: 'p(99)<800',
    metric: 'http_req_duration',
    tags: { scenario: 'spike' },
    aggregation: { kind: 'p', percentile: 99 },
    operator: '<',
    value: 800,
    abortOnFail: true,
    delayAbortEvalMs: 10_000,
    path: 'thresholds["http_req_duration{scenario:spike}"][0]',
  });
});

const valid: Array<[name: string, thresholds: unknown, count: number]> = [
  ['empty object', {}, 0],
  ['every trend aggregation', { http_req_duration: ['avg<1', 'min<1', 'max<1', 'med<1', 'p(0)<1', 'p(100)<1', 'p(99.9)<1'] }, 7],
  ['rate of failures at the bounds', { http_req_failed: ['rate<=1', 'rate>=0', 'rate==0'] }, 3],
  ['counter aggregations', { http_reqs: ['count>0', 'rate>=1000'] }, 2],
  ['every known tag', { 'http_reqs{name:a,scenario:b,method:GET,status:200}': ['count>0'] }, 1],
  ['db metrics, every trend aggregation', { db_query_duration: ['avg<1', 'min<1', 'max<1', 'med<1', 'p(95)<50'], db_queries_per_request: ['max<10', 'p(99)<=12', 'avg<3'], db_pool_wait: ['p(99)<20'] }, 9],
  ['db metrics with tags', { 'db_query_duration{name:orders}': ['max<200'], 'db_queries_per_request{name:orders,scenario:steady,method:GET,status:200}': ['max<10'] }, 2],
  ['long form with only threshold', { http_req_duration: [{ threshold: 'avg<1' }] }, 1],
  ['long form abortOnFail false with delay', { http_req_duration: [{ threshold: 'avg<1', abortOnFail: false, delayAbortEval: '1m' }] }, 1],
  ['short and long mixed', { http_req_duration: ['avg<1', { threshold: 'p(95)<2', abortOnFail: true }] }, 2],
];

for (const [name, thresholds, count] of valid) {
  test(`compiles: ${name}`, () => {
    assert.equal(compileThresholds(thresholds).length, count);
  });
}

test('the db_* metrics compile as trends with their tags, abortOnFail included', () => {
  const [duration, perRequest] = compileThresholds({
    'db_query_duration{name:orders}': ['max<200'],
    'db_queries_per_request{name:search}': [{ threshold: 'max<10', abortOnFail: true }],
  });
  assert.deepEqual(
    [duration.metric, duration.tags, duration.aggregation, duration.operator, duration.value],
    ['db_query_duration', { name: 'orders' }, { kind: 'max' }, '<', 200],
  );
  assert.deepEqual([perRequest.metric, perRequest.tags, perRequest.abortOnFail, perRequest.path], ['db_queries_per_request', { name: 'search' }, true, 'thresholds["db_queries_per_request{name:search}"][0]']);
});

test('delayAbortEval goes through parseDuration', () => {
  const [t] = compileThresholds({ http_req_duration: [{ threshold: 'avg<1', abortOnFail: true, delayAbortEval: '1m30s' }] });
  assert.equal(t.delayAbortEvalMs, 90_000);
});

function problemsOf(thresholds: unknown): ThresholdProblem[] {
  try {
    compileThresholds(thresholds);
  } catch (err) {
    assert.ok(err instanceof ThresholdConfigError);
    return [...err.problems];
  }
  assert.fail('expected a ThresholdConfigError');
}

// [case, thresholds, expected path, message fragments: the quoted input and what was expected]
const invalid: Array<[name: string, thresholds: unknown, path: string, fragments: string[]]> = [
  ['p(101)', { http_req_duration: ['p(101)<1'] }, 'thresholds["http_req_duration"][0]', ['percentile 101', '"p(101)<1"', 'expected 0 to 100']],
  ['p(-1)', { http_req_duration: ['p(-1)<1'] }, 'thresholds["http_req_duration"][0]', ['in "p(-1)<1"', 'expected a percentile from 0 to 100', 'found "-"']],
  ['p()', { http_req_duration: ['p()<1'] }, 'thresholds["http_req_duration"][0]', ['in "p()<1"', 'expected a percentile from 0 to 100']],
  ['p(95<1', { http_req_duration: ['p(95<1'] }, 'thresholds["http_req_duration"][0]', ['in "p(95<1"', 'expected ")"', 'column 5']],
  ['p95', { http_req_duration: ['p95<1'] }, 'thresholds["http_req_duration"][0]', ['in "p95<1"', 'expected an aggregation', 'p(95)']],
  ['no operator', { http_req_duration: ['avg 300'] }, 'thresholds["http_req_duration"][0]', ['in "avg 300"', 'expected an operator (<, <=, >, >=, ==, !=) after "avg" at column 4']],
  ['no value', { http_req_duration: ['avg<'] }, 'thresholds["http_req_duration"][0]', ['in "avg<"', 'expected a number', 'found the end']],
  ['bad value', { http_req_duration: ['avg<abc'] }, 'thresholds["http_req_duration"][0]', ['in "avg<abc"', 'expected a number', 'found "abc"']],
  ['rate on a trend', { http_req_duration: ['rate<0.01'] }, 'thresholds["http_req_duration"][0]', ['"rate<0.01"', 'http_req_duration', 'no aggregation "rate"', 'expected avg, min, max, med or p(N)']],
  ['percentile on a counter', { http_reqs: ['count>0', 'p(95)<1'] }, 'thresholds["http_reqs"][1]', ['"p(95)<1"', 'no aggregation "p(95)"', 'expected count or rate']],
  ['count on failures', { http_req_failed: ['count<1'] }, 'thresholds["http_req_failed"][0]', ['"count<1"', 'expected rate']],
  ['failure share above 1', { http_req_failed: ['rate<5'] }, 'thresholds["http_req_failed"][0]', ['"rate<5"', 'from 0 to 1', 'rate<0.01']],
  ['unknown metric', { http_req_durations: ['p(95)<1'] }, 'thresholds["http_req_durations"]', ['unknown metric "http_req_durations"', 'did you mean "http_req_duration"?', 'expected http_req_duration, http_req_failed, http_reqs, db_query_duration, db_queries_per_request or db_pool_wait']],
  ['unknown db metric', { db_queries_per_requests: ['max<10'] }, 'thresholds["db_queries_per_requests"]', ['unknown metric "db_queries_per_requests"', 'did you mean "db_queries_per_request"?']],
  ['rate on a db trend', { db_query_duration: ['rate<1'] }, 'thresholds["db_query_duration"][0]', ['"rate<1"', 'db_query_duration', 'no aggregation "rate"', 'expected avg, min, max, med or p(N)']],
  ['count of queries per request', { 'db_queries_per_request{name:orders}': ['count<10'] }, 'thresholds["db_queries_per_request{name:orders}"][0]', ['"count<10"', 'a trend of the number of queries each request sent', 'expected avg, min, max, med or p(N)']],
  ['unknown tag on a db metric', { 'db_pool_wait{nam:x}': ['p(99)<20'] }, 'thresholds["db_pool_wait{nam:x}"]', ['unknown tag "nam"', 'did you mean "name"?']],
  ['unknown metric, nothing close', { latency: ['p(95)<1'] }, 'thresholds["latency"]', ['unknown metric "latency"', 'expected http_req_duration']],
  ['unknown tag', { 'http_req_duration{nmae:x}': ['p(95)<1'] }, 'thresholds["http_req_duration{nmae:x}"]', ['unknown tag "nmae"', '"http_req_duration{nmae:x}"', 'did you mean "name"?', 'expected name, scenario, method or status']],
  ['a tag named __proto__', { 'http_req_duration{__proto__:x}': ['p(95)<1'] }, 'thresholds["http_req_duration{__proto__:x}"]', ['unknown tag "__proto__"', 'expected name, scenario, method or status']],
  ['bad key syntax', { 'http_req_duration{name}': ['p(95)<1'] }, 'thresholds["http_req_duration{name}"]', ['in "http_req_duration{name}"', 'expected ":"']],
  ['unknown long-form field', { http_req_duration: [{ threshold: 'avg<1', abortOnFial: true }] }, 'thresholds["http_req_duration"][0].abortOnFial', ['unknown field "abortOnFial"', 'did you mean "abortOnFail"?', 'expected threshold, abortOnFail or delayAbortEval']],
  ['bad delayAbortEval', { http_req_duration: [{ threshold: 'avg<1', abortOnFail: true, delayAbortEval: '10 seconds' }] }, 'thresholds["http_req_duration"][0].delayAbortEval', ['"10 seconds"', 'use e.g. 10s']],
  ['numeric delayAbortEval', { http_req_duration: [{ threshold: 'avg<1', abortOnFail: true, delayAbortEval: 10 }] }, 'thresholds["http_req_duration"][0].delayAbortEval', ['expected a duration such as "10s"', 'got a number (10)']],
  ['delayAbortEval without abortOnFail', { http_req_duration: [{ threshold: 'avg<1', delayAbortEval: '10s' }] }, 'thresholds["http_req_duration"][0].delayAbortEval', ['add "abortOnFail": true']],
  ['abortOnFail not a boolean', { http_req_duration: [{ threshold: 'avg<1', abortOnFail: 'yes' }] }, 'thresholds["http_req_duration"][0].abortOnFail', ['expected true or false', 'got a string ("yes")']],
  ['missing threshold field', { http_req_duration: [{ abortOnFail: true }] }, 'thresholds["http_req_duration"][0]', ['missing field "threshold"', 'p(95)<300']],
  ['threshold field not a string', { http_req_duration: [{ threshold: 300 }] }, 'thresholds["http_req_duration"][0].threshold', ['expected a threshold string', 'got a number (300)']],
  ['entry not a string', { http_req_duration: [300] }, 'thresholds["http_req_duration"][0]', ['expected a threshold string like "p(95)<300" or an object', 'got a number (300)']],
  ['non-array value', { http_req_failed: 'rate<0.01' }, 'thresholds["http_req_failed"]', ['expected an array of thresholds, e.g. ["rate<0.01"]', 'got a string ("rate<0.01")']],
  ['empty array', { http_reqs: [] }, 'thresholds["http_reqs"]', ['expected at least one threshold, e.g. ["count>1000"]']],
  ['not an object', ['p(95)<1'], 'thresholds', ['expected an object keyed by metric', 'got an array']],
  ['null', null, 'thresholds', ['expected an object keyed by metric', 'got null']],
];

for (const [name, thresholds, path, fragments] of invalid) {
  test(`rejects: ${name}`, () => {
    const problems = problemsOf(thresholds);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(problems[0].path, path);
    for (const fragment of fragments) assert.ok(problems[0].message.includes(fragment), `${JSON.stringify(fragment)} not in: ${problems[0].message}`);
  });
}

test('collects every problem, not just the first, and the error message lists them with their paths', () => {
  const thresholds = {
    http_req_durations: ['p(95)<1', 'p(95) 1'],
    http_req_duration: ['p(95)<300', 'p(101)<1', 'rate<1', { threshold: 'avg<1', abortOnFial: true, delayAbortEval: 'soon' }],
    http_reqs: 'count>1',
    http_req_failed: [],
  };
  assert.throws(() => compileThresholds(thresholds), (err: unknown) => {
    assert.ok(err instanceof ThresholdConfigError);
    assert.deepEqual(err.problems.map((p) => p.path), [
      'thresholds["http_req_durations"]',
      'thresholds["http_req_durations"][1]', // syntax is still checked under an unknown metric
      'thresholds["http_req_duration"][1]',
      'thresholds["http_req_duration"][2]',
      'thresholds["http_req_duration"][3].abortOnFial',
      'thresholds["http_req_duration"][3].delayAbortEval',
      'thresholds["http_req_duration"][3].delayAbortEval',
      'thresholds["http_reqs"]',
      'thresholds["http_req_failed"]',
    ]);
    assert.ok(err.message.startsWith('9 problems in thresholds:\n  thresholds["http_req_durations"]: unknown metric'), err.message);
    assert.equal(err.message.split('\n').length, 10);
    return true;
  });
});

test('a non-syntax error from the parser is not swallowed', () => {
  const trap = { get http_req_duration(): unknown { throw new RangeError('boom'); } };
  assert.throws(() => compileThresholds(trap), RangeError);
});
