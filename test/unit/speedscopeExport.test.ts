import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toSpeedscope } from '../../server/analysis/speedscopeExport';
import { createFileSourceMapResolver } from '../../server/sourcemaps/fileSourceMapLoader';
import { fixtureModel, recordedFixtures, workloadsDir } from './profileFixtures';

test('synthetic profile: frames, stacks from the root down, merged runs, weights', () => {
  const file = toSpeedscope(fixtureModel('synthetic/basic.cpuprofile'), undefined, 'basic');
  assert.equal(file.$schema, 'https://www.speedscope.app/file-format-schema.json');
  const [profile] = file.profiles;
  assert.deepEqual([profile.type, profile.unit, profile.name, profile.startValue, profile.endValue], ['sampled', 'milliseconds', 'basic', 0, 11.5]);
  const names = (stack: number[]) => stack.map((i) => file.shared.frames[i].name).join(';');
  assert.deepEqual(profile.samples.map(names), ['main;hot', 'main;fib', 'main;fib;fib', 'main;fib;fib;fib', '(program)', '(idle)', '(garbage collector)', 'main']);
  // The four hot samples in a row become one of 2 + 1 + 1 + 1 ms.
  assert.deepEqual(profile.weights, [5, 1, 1, 1, 1, 1, 1, 0.5]);
  assert.deepEqual(file.shared.frames.find((f) => f.name === 'hot'), { name: 'hot', file: '/app/main.js', line: 10, col: 13 });
  assert.ok(!file.shared.frames.some((f) => f.name === '(root)'));
  assert.deepEqual(JSON.parse(JSON.stringify(file)), file, 'plain JSON');
});

for (const fixture of recordedFixtures()) {
  test(`${fixture}: frame indices are valid and unique per function; weights sum to the duration`, () => {
    const model = fixtureModel(fixture);
    const file = toSpeedscope(model, undefined, fixture);
    const [profile] = file.profiles;
    assert.equal(profile.samples.length, profile.weights.length);
    for (const stack of profile.samples) for (const i of stack) assert.ok(Number.isInteger(i) && i >= 0 && i < file.shared.frames.length);
    const used = new Set(profile.samples.flat());
    assert.equal(used.size, file.shared.frames.length, 'every frame is used');
    assert.ok(Math.abs(profile.weights.reduce((s, w) => s + w, 0) - model.durationMs) < 0.001);
    assert.ok(profile.weights.every((w) => w >= 0));
  });
}

test('frames are source-mapped', () => {
  const ts = join(workloadsDir, 'ts-src', 'hotPath.ts');
  const tsLine = readFileSync(ts, 'utf8').split('\n').findIndex((l) => l.includes('function computeDiscount(')) + 1;
  const { resolver } = createFileSourceMapResolver();
  const file = toSpeedscope(fixtureModel('node-cpu-prof/v20.20.2/tsHotPath.cpuprofile'), resolver, 'ts');
  const frame = file.shared.frames.find((f) => f.name === 'computeDiscount');
  assert.deepEqual(frame && [frame.file, frame.line], [ts, tsLine]);
  assert.ok(file.shared.frames.some((f) => f.name === '(garbage collector)'));
});
