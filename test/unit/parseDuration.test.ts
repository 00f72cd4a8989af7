import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseHeader } from '../../server/load/parseDuration';

test('parseDuration accepts units, combinations and bare seconds', () => {
  const cases: [text: string, ms: number][] = [
    ['10s', 10_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1500],
    ['0.25m', 15_000],
    ['10', 10_000],
    ['0.5', 500],
    [' 30s ', 30_000],
    ['1m0s', 60_000],
    ['1ms', 1],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, JSON.stringify(text));
});

test('parseDuration rejects anything else, quoting the input', () => {
  for (const text of ['', ' ', 'abc', '10x', '-5s', '-1', 's', 'ms', '1m30', '30s1m', '1s1s', '1 m', '1e3', '.5s', '1,5s', '10 seconds', '0', '0s', '0.0001s', 'Infinity', '1S']) {
    assert.throws(
      () => parseDuration(text),
      (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.ok(err.message.startsWith(`invalid duration ${JSON.stringify(text)}`), err.message);
        assert.match(err.message, /use e\.g\. 10s, 500ms, 2m, 1m30s, or a number of seconds/);
        return true;
      },
      JSON.stringify(text),
    );
  }
  assert.throws(() => parseDuration('30s1m'), /largest to smallest/);
  assert.throws(() => parseDuration('0s'), /more than 0/);
});

test('parseHeader splits at the first colon and trims', () => {
  const cases: [text: string, header: [string, string]][] = [
    ['Authorization: Bearer abc', ['Authorization', 'Bearer abc']],
    ['content-type:application/json', ['content-type', 'application/json']],
    ['X-Time: 12:30:00', ['X-Time', '12:30:00']],
    ['  X-Padded  :   value with  spaces  ', ['X-Padded', 'value with  spaces']],
    ['X-Empty:', ['X-Empty', '']],
    ["X-Token_1.2~!#$%&'*+^`|: v", ["X-Token_1.2~!#$%&'*+^`|", 'v']],
  ];
  for (const [text, header] of cases) assert.deepEqual(parseHeader(text), header, JSON.stringify(text));
});

test('parseHeader rejects malformed headers, quoting the input', () => {
  const cases: [text: string, why: RegExp][] = [
    ['Authorization Bearer abc', /no colon/],
    ['', /no colon/],
    [': value', /no name/],
    ['Bad Name: v', /"Bad Name" is not a valid header name/],
    ['Bad(Name): v', /not a valid header name/],
    ['X-Inject: a\r\nHost: evil', /line break/],
  ];
  for (const [text, why] of cases) {
    assert.throws(
      () => parseHeader(text),
      (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.ok(err.message.startsWith(`invalid header ${JSON.stringify(text)}: `), err.message);
        assert.match(err.message, why);
        assert.match(err.message, /write it as 'Name: value'/);
        return true;
      },
    );
  }
});
