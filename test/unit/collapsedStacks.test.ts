import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { toCollapsedStacks } from '../../server/analysis/collapsedStacks';
import { assertGolden, fixtureModel, profilesDir, recordedFixtures } from './profileFixtures';

test('synthetic profile: collapsed stacks by samples and by microseconds', () => {
  const model = fixtureModel('synthetic/basic.cpuprofile');
  assert.equal(
    toCollapsedStacks(model),
    [
      '(garbage collector) 1',
      '(idle) 1',
      '(program) 1',
      'main (main.js:1) 1',
      'main (main.js:1);fib (main.js:20) 1',
      'main (main.js:1);fib (main.js:20);fib (main.js:20) 1',
      'main (main.js:1);fib (main.js:20);fib (main.js:20);fib (main.js:20) 1',
      'main (main.js:1);hot (main.js:10) 4',
      '',
    ].join('\n'),
  );
  assert.match(toCollapsedStacks(model, { useSamples: false }), /^main \(main\.js:1\);hot \(main\.js:10\) 5000$/m);
});

for (const file of ['synthetic/basic.cpuprofile', ...recordedFixtures()]) {
  test(`${file}: collapsed stacks match the golden file`, () => {
    const text = toCollapsedStacks(fixtureModel(file));
    const total = text.split('\n').filter(Boolean).reduce((s, line) => s + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    assert.equal(total, fixtureModel(file).sampleCount);
    assertGolden(join(profilesDir, file.replace(/\.cpuprofile$/, '.collapsed.txt')), text);
  });
}
