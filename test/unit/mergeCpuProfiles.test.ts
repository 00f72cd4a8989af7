import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol } from 'devtools-protocol';
import { mergeCpuProfiles } from '../../server/analysis/mergeCpuProfiles';

const frame = (functionName: string, lineNumber = 0): Protocol.Runtime.CallFrame => ({ functionName, scriptId: '1', url: 'file:///app.js', lineNumber, columnNumber: 0 });

/** root → main → {hot, cold}; ids chosen differently per chunk, as V8 does across Profiler.start calls. */
function chunk(base: number, startTime: number, samples: string[], hotTicks: number): Protocol.Profiler.Profile {
  const ids = { root: base + 1, main: base + 2, hot: base + 3, cold: base + 4 };
  const count = (name: string) => samples.filter((s) => s === name).length;
  return {
    nodes: [
      { id: ids.root, callFrame: frame('(root)'), hitCount: 0, children: [ids.main] },
      { id: ids.main, callFrame: frame('main', 1), hitCount: count('main'), children: [ids.hot, ids.cold] },
      { id: ids.hot, callFrame: frame('hot', 10), hitCount: count('hot'), children: [], positionTicks: [{ line: 12, ticks: hotTicks }] },
      { id: ids.cold, callFrame: frame('cold', 20), hitCount: count('cold'), children: [] },
    ],
    startTime,
    endTime: startTime + samples.length * 1000 + 500,
    samples: samples.map((s) => ids[s as keyof typeof ids]),
    timeDeltas: samples.map(() => 1000),
  };
}

function stacksOf(profile: Protocol.Profiler.Profile): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return profile.samples!.map((id) => {
    const names: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) names.unshift(byId.get(cur)!.callFrame.functionName);
    return names.join(';');
  });
}

test('merging chunks keeps every sample, on the same stack, at the same time', () => {
  const a = chunk(0, 1_000_000, ['hot', 'hot', 'main'], 2);
  const b = chunk(100, 1_010_000, ['cold', 'hot'], 1);
  const merged = mergeCpuProfiles([a, b]);
  assert.deepEqual(stacksOf(merged), [...stacksOf(a), ...stacksOf(b)]);
  assert.equal(merged.startTime, a.startTime);
  assert.equal(merged.endTime, b.endTime);
  // Absolute sample times survive: the first sample of b sits at b.startTime + 1000.
  const times = merged.timeDeltas!.reduce<number[]>((acc, d) => [...acc, (acc.at(-1) ?? merged.startTime) + d], []);
  assert.deepEqual(times, [1_001_000, 1_002_000, 1_003_000, 1_011_000, 1_012_000]);
});

test('merged nodes add up hit counts and line ticks, one node per call path', () => {
  const merged = mergeCpuProfiles([chunk(0, 0, ['hot', 'hot'], 2), chunk(50, 5000, ['hot', 'cold'], 1)]);
  assert.equal(merged.nodes.length, 4);
  const hot = merged.nodes.find((n) => n.callFrame.functionName === 'hot')!;
  assert.equal(hot.hitCount, 3);
  assert.deepEqual(hot.positionTicks, [{ line: 12, ticks: 3 }]);
  const ids = new Set(merged.nodes.map((n) => n.id));
  for (const n of merged.nodes) for (const c of n.children ?? []) assert.ok(ids.has(c), `child ${c} exists`);
});

test('one profile is returned as it is; none is an error', () => {
  const a = chunk(0, 0, ['hot'], 1);
  assert.equal(mergeCpuProfiles([a]), a);
  assert.throws(() => mergeCpuProfiles([]), /no profiles/);
});
