import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functionCosts } from '../../server/analysis/functionCosts';
import { buildProfileModel, type ProfileModel } from '../../server/analysis/profileModel';
import { deepChainProfile, fixtureModel, fixtureText, recordedFixtures } from './profileFixtures';

test('synthetic profile: self, total and samples per function, sorted by self time', () => {
  const costs = functionCosts(fixtureModel('synthetic/basic.cpuprofile'));
  assert.deepEqual(
    costs.map((c) => [c.callFrame.functionName, c.selfMs, c.totalMs, c.samples]),
    [
      ['hot', 5, 5, 4],
      // fib appears three times on one stack: each sample counts once toward its total.
      ['fib', 3, 3, 3],
      ['(program)', 1, 1, 1],
      ['(garbage collector)', 1, 1, 1],
      ['main', 0.5, 8.5, 1],
    ],
  );
});

test('(root) and (idle) are left out; (program) and (garbage collector) stay', () => {
  const names = functionCosts(fixtureModel('synthetic/basic.cpuprofile')).map((c) => c.callFrame.functionName);
  assert.ok(!names.includes('(root)') && !names.includes('(idle)'));
  assert.ok(names.includes('(program)') && names.includes('(garbage collector)'));
});

test('functions are keyed by url, not scriptId: nodes from two sessions merge', () => {
  const profile = JSON.parse(fixtureText('synthetic/basic.cpuprofile'));
  profile.nodes[7].callFrame.scriptId = '99';
  const fib = functionCosts(buildProfileModel(profile)).filter((c) => c.callFrame.functionName === 'fib');
  assert.equal(fib.length, 1);
  assert.equal(fib[0].selfMs, 3);
});

/** Totals the slow, obvious way: every sample adds its weight once to each function on its stack. */
function bruteForceTotals(model: ProfileModel): Float64Array {
  const totals = new Float64Array(model.functions.length);
  for (let i = 0; i < model.sampleCount; i++) {
    const seen = new Set<number>();
    for (let node = model.sampleNode[i]; node >= 0; node = model.parent[node]) seen.add(model.functionOf[node]);
    for (const fn of seen) totals[fn] += model.sampleWeightMs[i];
  }
  return totals;
}

for (const file of recordedFixtures()) {
  test(`${file}: totals ≥ self, recursion counted once, matching a brute-force count`, () => {
    const model = fixtureModel(file);
    const costs = functionCosts(model);
    const expected = bruteForceTotals(model);
    for (const cost of costs) {
      assert.ok(cost.totalMs >= cost.selfMs - 1e-9, cost.callFrame.functionName);
      assert.ok(cost.totalMs <= model.durationMs + 1e-9, cost.callFrame.functionName);
      assert.ok(Math.abs(cost.totalMs - expected[cost.functionIndex]) < 1e-6, `${cost.callFrame.functionName}: ${cost.totalMs} vs ${expected[cost.functionIndex]}`);
    }
    for (let i = 1; i < costs.length; i++) assert.ok(costs[i - 1].selfMs >= costs[i].selfMs, 'sorted by self time');
  });
}

test('node-cpu-prof cpuWork: hotLoop is the hottest function; fib recursion is counted once', () => {
  const model = fixtureModel('node-cpu-prof/v20.20.2/cpuWork.cpuprofile');
  const costs = functionCosts(model);
  assert.equal(costs[0].callFrame.functionName, 'hotLoop');
  const fib = costs.find((c) => c.callFrame.functionName === 'fib')!;
  let nodeTotals = 0;
  const nodeTotal = new Float64Array(model.selfMs);
  for (let k = model.nodeCount - 1; k > 0; k--) {
    const n = model.preorder[k];
    if (model.parent[n] >= 0) nodeTotal[model.parent[n]] += nodeTotal[n];
  }
  for (let n = 0; n < model.nodeCount; n++) if (model.functionOf[n] === fib.functionIndex) nodeTotals += nodeTotal[n];
  assert.ok(nodeTotals > fib.totalMs * 1.5, 'summing every fib node would count nested calls many times');
});

test('a 200,000-deep recursion: total counted once, no stack overflow', () => {
  const [f] = functionCosts(buildProfileModel(deepChainProfile(200_000)));
  assert.equal(f.callFrame.functionName, 'f');
  assert.equal(f.totalMs, 5);
  assert.equal(f.selfMs, 5);
});
