import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitCommandLine } from '../../server/target/splitCommandLine';

const cases: Array<[string, string[]]> = [
  ['node dist/server.js', ['node', 'dist/server.js']],
  ['  npm   run  start ', ['npm', 'run', 'start']],
  [`node -e "console.log('hi there')"`, ['node', '-e', "console.log('hi there')"]],
  [`node 'my app.js' --flag`, ['node', 'my app.js', '--flag']],
  ['node my\\ app.js', ['node', 'my app.js']],
  [`echo "a \\"quoted\\" word"`, ['echo', 'a "quoted" word']],
  [`node ''`, ['node', '']],
  ['', []],
];

for (const [input, expected] of cases) {
  test(`splits ${JSON.stringify(input)}`, () => assert.deepEqual(splitCommandLine(input), expected));
}

test('an unclosed quote is an error that quotes the input', () => {
  assert.throws(() => splitCommandLine(`node "app.js`), /unclosed " in "node \\"app.js"/);
});
