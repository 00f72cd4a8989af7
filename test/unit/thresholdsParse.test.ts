import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type ThresholdExpression,
  type MetricKey,
  formatExpression,
  parseMetricKey,
  parseThresholdExpression,
  ThresholdSyntaxError,
} from '../../server/thresholds/parseThreshold';

const p = (percentile: number) => ({ kind: 'p' as const, percentile });
const k = (kind: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate') => ({ kind });

const validExpressions: Array<[text: string, expected: ThresholdExpression]> = [
  // every aggregation
  ['avg<200', { aggregation: k('avg'), operator: '<', value: 200 }],
  ['min>0', { aggregation: k('min'), operator: '>', value: 0 }],
  ['max<2000', { aggregation: k('max'), operator: '<', value: 2000 }],
  ['med<=150', { aggregation: k('med'), operator: '<=', value: 150 }],
  ['count>1000', { aggregation: k('count'), operator: '>', value: 1000 }],
  ['rate<0.01', { aggregation: k('rate'), operator: '<', value: 0.01 }],
  ['p(95)<300', { aggregation: p(95), operator: '<', value: 300 }],
  ['p(0)>=1', { aggregation: p(0), operator: '>=', value: 1 }],
  ['p(100)<5000', { aggregation: p(100), operator: '<', value: 5000 }],
  ['p(99.9)<800', { aggregation: p(99.9), operator: '<', value: 800 }],
  ['p(101)<1', { aggregation: p(101), operator: '<', value: 1 }], // range is meaning, checked by compileThresholds
  // every operator
  ['avg<1', { aggregation: k('avg'), operator: '<', value: 1 }],
  ['avg<=1', { aggregation: k('avg'), operator: '<=', value: 1 }],
  ['avg>1', { aggregation: k('avg'), operator: '>', value: 1 }],
  ['avg>=1', { aggregation: k('avg'), operator: '>=', value: 1 }],
  ['avg==1', { aggregation: k('avg'), operator: '==', value: 1 }],
  ['avg===1', { aggregation: k('avg'), operator: '==', value: 1 }],
  ['avg!=1', { aggregation: k('avg'), operator: '!=', value: 1 }],
  // whitespace and decimals
  ['p( 95 ) < 300', { aggregation: p(95), operator: '<', value: 300 }],
  ['  p (99.9)<=  1.5  ', { aggregation: p(99.9), operator: '<=', value: 1.5 }],
  ['\tavg\t>=\t0.25', { aggregation: k('avg'), operator: '>=', value: 0.25 }],
  ['rate < 0.001', { aggregation: k('rate'), operator: '<', value: 0.001 }],
  ['count === 0', { aggregation: k('count'), operator: '==', value: 0 }],
];

for (const [text, expected] of validExpressions) {
  test(`parseThresholdExpression(${JSON.stringify(text)})`, () => {
    assert.deepEqual(parseThresholdExpression(text), expected);
  });
}

test('formatExpression gives the canonical text', () => {
  assert.equal(formatExpression(parseThresholdExpression('p( 99.9 ) <= 1.50')), 'p(99.9)<=1.5');
  assert.equal(formatExpression(parseThresholdExpression('count === 3')), 'count==3');
  // Without the exponent JavaScript would write (2e+21, 1e-7): the grammar has none.
  assert.equal(formatExpression(parseThresholdExpression('count<2000000000000000000000')), 'count<2000000000000000000000');
  assert.equal(formatExpression(parseThresholdExpression('p(0.0000001)<0.00000012345')), 'p(0.0000001)<0.00000012345');
  assert.equal(formatExpression(parseThresholdExpression('avg<123456789012345678901234.5')), 'avg<123456789012345690000000');
});

// [input, 1-based column, what was expected, what was found]
const invalidExpressions: Array<[text: string, column: number, expected: string, found: string]> = [
  ['p(-1)<1', 3, 'a percentile from 0 to 100', '"-"'],
  ['p()<1', 3, 'a percentile from 0 to 100', '")"'],
  ['p(95<1', 5, '")" to close the percentile', '"<"'],
  ['p95<1', 1, 'an aggregation (avg, min, max, med, p(N), count or rate)', '"p95"'],
  ['p<1', 2, '"(" to start the percentile', '"<"'],
  ['avg 300', 4, 'an operator (<, <=, >, >=, ==, !=)', '"300"'],
  ['p(95) 300', 6, 'an operator (<, <=, >, >=, ==, !=)', '"300"'],
  ['avg<', 5, 'a number', 'the end'],
  ['avg<abc', 5, 'a number', '"abc"'],
  ['avg<-1', 5, 'a number', '"-"'],
  ['avg<1.', 5, 'a number', '"1."'],
  ['avg<=>1', 6, 'a number', '">"'],
  ['avg<300ms', 8, 'the end of the threshold', '"ms"'],
  ['avg<1 2', 6, 'the end of the threshold', '"2"'],
  ['avgg<1', 1, 'an aggregation (avg, min, max, med, p(N), count or rate)', '"avgg"'],
  ['', 1, 'an aggregation (avg, min, max, med, p(N), count or rate)', 'the end'],
  ['<300', 1, 'an aggregation (avg, min, max, med, p(N), count or rate)', '"<"'],
  ['avg=1', 4, 'an operator (<, <=, >, >=, ==, !=)', '"="'],
];

for (const [text, column, expected, found] of invalidExpressions) {
  test(`parseThresholdExpression rejects ${JSON.stringify(text)}`, () => {
    assert.throws(() => parseThresholdExpression(text), (err: unknown) => {
      assert.ok(err instanceof ThresholdSyntaxError);
      assert.equal(err.column, column);
      assert.equal(err.input, text);
      assert.ok(err.expected.startsWith(expected), err.expected);
      assert.ok(err.message.startsWith(`expected ${expected}`), err.message);
      assert.ok(err.message.includes(`at column ${column} in ${JSON.stringify(text)}, found ${found}`), err.message);
      assert.equal(err.pointer, `${text}\n${' '.repeat(column - 1)}^`);
      return true;
    });
  });
}

test('a number too large for a double (over 308 digits) is refused, not read as Infinity', () => {
  for (const [text, column] of [[`avg<${'9'.repeat(400)}`, 5], [`p(${'1'.repeat(320)})<1`, 3]] as const) {
    assert.throws(() => parseThresholdExpression(text), (err: unknown) => {
      assert.ok(err instanceof ThresholdSyntaxError);
      assert.equal(err.column, column);
      assert.match(err.message, /^the number \d{12}… \(\d+ digits\) is too large at column \d+ in ".*": expected a smaller number$/);
      return true;
    });
  }
});

test('the brief\'s example error reads as written', () => {
  assert.throws(() => parseThresholdExpression('p(95) 300'), {
    message: 'expected an operator (<, <=, >, >=, ==, !=) after "p(95)" at column 6 in "p(95) 300", found "300"',
  });
});

test('hints for likely mistakes', () => {
  assert.throws(() => parseThresholdExpression('p95<1'), /write a percentile as p\(95\)/);
  assert.throws(() => parseThresholdExpression('avg<300ms'), /values have no units; durations are in ms/);
});

const validKeys: Array<[key: string, expected: MetricKey]> = [
  ['http_req_duration', { metric: 'http_req_duration', tags: {} }],
  ['http_req_duration{name:checkout}', { metric: 'http_req_duration', tags: { name: 'checkout' } }],
  ['http_req_duration{scenario:spike}', { metric: 'http_req_duration', tags: { scenario: 'spike' } }],
  ['http_reqs{name:a,scenario:b}', { metric: 'http_reqs', tags: { name: 'a', scenario: 'b' } }],
  [' http_req_failed { name : a , status : 500 } ', { metric: 'http_req_failed', tags: { name: 'a', status: '500' } }],
  ['http_req_duration{name:api/v1.users-list_x:1}', { metric: 'http_req_duration', tags: { name: 'api/v1.users-list_x:1' } }],
  ['http_req_duration{name:"GET /users, all"}', { metric: 'http_req_duration', tags: { name: 'GET /users, all' } }],
  ["http_req_duration{name:'x}y'}", { metric: 'http_req_duration', tags: { name: 'x}y' } }],
  ['not_a_metric{nope:x}', { metric: 'not_a_metric', tags: { nope: 'x' } }], // names are meaning, checked later
];

for (const [key, expected] of validKeys) {
  test(`parseMetricKey(${JSON.stringify(key)})`, () => {
    assert.deepEqual(parseMetricKey(key), expected);
  });
}

const invalidKeys: Array<[key: string, column: number, expected: string]> = [
  ['', 1, 'a metric name'],
  ['{name:x}', 1, 'a metric name'],
  ['http_reqs{}', 11, 'a tag name'],
  ['http_reqs{name}', 15, '":" between the tag and its value'],
  ['http_reqs{name:}', 16, 'a value for tag "name"'],
  ['http_reqs{name:x,}', 18, 'a tag name'],
  ['http_reqs{name:x', 17, '"," or "}"'],
  ['http_reqs{name:x y}', 17, '"," or "}"'],
  ['http_reqs{name:"x}', 16, 'a value for tag "name"'],
  ['http_reqs{name:x}y', 18, 'the end of the metric key'],
  ['http reqs', 5, '"{" to start the tags, or the end of the metric key'],
  ['http_reqs{name:x,name:y}', 18, 'each tag once'],
];

for (const [key, column, expected] of invalidKeys) {
  test(`parseMetricKey rejects ${JSON.stringify(key)}`, () => {
    assert.throws(() => parseMetricKey(key), (err: unknown) => {
      assert.ok(err instanceof ThresholdSyntaxError);
      assert.equal(err.column, column, err.message);
      assert.ok(err.expected.startsWith(expected), err.expected);
      assert.ok(err.message.includes(`at column ${column} in ${JSON.stringify(key)}`), err.message);
      assert.ok(err.message.includes(`expected ${expected}`), err.message);
      return true;
    });
  });
}
