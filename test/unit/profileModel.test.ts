import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameKind } from '../../server/analysis/functionTable';
import { buildProfileModel, type ProfileModel } from '../../server/analysis/profileModel';
import { deepChainProfile, fixtureModel, fixtureText, recordedFixtures, sum } from './profileFixtures';

const selfByName = (model: ProfileModel) => {
  const self: Record<string, number> = {};
  for (let n = 0; n < model.nodeCount; n++) {
    const name = model.callFrame[n].functionName;
    self[name] = (self[name] ?? 0) + model.selfMs[n];
  }
  return self;
};

test('synthetic profile: exact sample weights, self times and special nodes', () => {
  const model = fixtureModel('synthetic/basic.cpuprofile');
  assert.equal(model.nodeCount, 9);
  assert.equal(model.durationMs, 11.5);
  assert.equal(model.sampleCount, 11);
  // The gap startTime → first sample goes to sample 0; the last sample runs to endTime.
  assert.deepEqual([...model.sampleWeightMs], [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.5]);
  assert.deepEqual(selfByName(model), { '(root)': 0, '(program)': 1, '(idle)': 1, '(garbage collector)': 1, main: 0.5, hot: 5, fib: 3 });
  assert.deepEqual([model.idleMs, model.programMs, model.gcMs], [1, 1, 1]);
  assert.deepEqual([...model.hitCount], [0, 1, 1, 1, 1, 4, 1, 1, 1]);
  assert.deepEqual([...model.kind], [FrameKind.root, FrameKind.program, FrameKind.idle, FrameKind.gc, 0, 0, 0, 0, 0]);
  assert.equal(model.indexOfId(7), 6);
  assert.equal(model.indexOfId(99), -1);
  assert.equal(model.hasPositionTicks, true);
  // The three fib nodes are one function; hot and main are others.
  assert.equal(new Set([6, 7, 8].map((n) => model.functionOf[n])).size, 1);
  assert.equal(model.functions.length, 7);
});

test('negative time deltas: samples are sorted by time before weighing', () => {
  const model = fixtureModel('synthetic/negativeDeltas.cpuprofile');
  assert.deepEqual([...model.sampleTimeUs], [1000, 1500, 3000]);
  assert.deepEqual([...model.sampleNode].map((n) => model.callFrame[n].functionName), ['a', 'c', 'b']);
  assert.deepEqual(selfByName(model), { '(root)': 0, a: 1.5, b: 1, c: 1.5 });
  assert.equal(sum(model.selfMs), model.durationMs);
});

test('sorting equal times keeps the samples in their recorded order', () => {
  const profile = JSON.parse(fixtureText('synthetic/negativeDeltas.cpuprofile'));
  profile.timeDeltas = [1000, 500, -500, 0];
  profile.samples = [2, 3, 4, 2];
  const model = buildProfileModel(profile);
  assert.deepEqual([...model.sampleNode].map((n) => model.callFrame[n].functionName), ['a', 'c', 'a', 'b']);
});

test('`parent` links give the same tree as `children`, even without validation', () => {
  const model = buildProfileModel(JSON.parse(fixtureText('synthetic/parentLinks.cpuprofile')));
  assert.deepEqual([...model.parent], [-1, 0, 1, 0]);
  assert.deepEqual(selfByName(model), { '(root)': 0, main: 0, hot: 2.5, '(idle)': 0.5 });
  assert.equal(model.idleMs, 0.5);
});

for (const file of recordedFixtures()) {
  test(`${file}: self times add up to the duration; the tree is in preorder`, () => {
    const model = fixtureModel(file);
    assert.ok(Math.abs(sum(model.selfMs) - model.durationMs) < 0.001, `${sum(model.selfMs)} vs ${model.durationMs}`);
    assert.ok(Math.abs(sum(model.sampleWeightMs) - model.durationMs) < 0.001);
    assert.equal(model.durationMs, (model.endTime - model.startTime) / 1000);
    assert.equal(sum(model.hitCount), model.sampleCount);
    const position = new Int32Array(model.nodeCount).fill(-1);
    model.preorder.forEach((node, k) => (position[node] = k));
    assert.ok(position.every((p) => p >= 0), 'every node once');
    for (let n = 0; n < model.nodeCount; n++) if (model.parent[n] >= 0) assert.ok(position[model.parent[n]] < position[n]);
    for (let i = 1; i < model.sampleCount; i++) assert.ok(model.sampleTimeUs[i] >= model.sampleTimeUs[i - 1]);
  });
}

test('a 200,000-deep tree builds without recursion', () => {
  const model = buildProfileModel(deepChainProfile(200_000));
  assert.equal(model.nodeCount, 200_001);
  assert.equal(model.durationMs, 5);
  assert.equal(sum(model.selfMs), 5);
});
