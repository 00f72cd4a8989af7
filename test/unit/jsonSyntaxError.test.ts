import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findJsonSyntaxError } from '../../server/analysis/jsonSyntaxError';
import { fixtureText } from './profileFixtures';

test('valid JSON has no syntax error, whatever JSON.parse accepts', () => {
  const valid = ['0', '-1.5e+3', '"a\\u00e9\\n"', ' [ ] ', '{}', '{"a":[1,{"b":null}],"c":true,"d":false}', fixtureText('synthetic/basic.cpuprofile'), `${'['.repeat(5000)}${']'.repeat(5000)}`];
  for (const text of valid) {
    JSON.parse(text);
    assert.equal(findJsonSyntaxError(text), undefined, text.slice(0, 40));
  }
});

test('the first error is found where JSON.parse fails', () => {
  const cases: Array<[string, number, string]> = [
    ['{"a":1', 6, "',' or '}'"],
    ['[1,2', 4, "',' or ']'"],
    ['{"a" 1}', 5, "':'"],
    ['{a:1}', 1, 'a property name in double quotes'],
    ['[01]', 2, "',' or ']'"],
    ['"tab\there"', 4, 'the end of the string'],
    ['"bad \\x"', 5, 'the end of the string'],
    ['[tru]', 1, 'a value'],
    ['', 0, 'a value'],
    ['1 2', 2, 'the end of the text'],
  ];
  for (const [text, position, expected] of cases) {
    assert.throws(() => JSON.parse(text));
    assert.deepEqual(findJsonSyntaxError(text), { position, expected }, text);
  }
});
