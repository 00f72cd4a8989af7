import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteHandlerSite } from '../../server/analysis/routeHandlerNames';
import {
  CPU_BOUND_MIN_SAMPLES,
  DELAY_MAX_MS,
  DELAY_MEDIAN_MS,
  diagnoseVitals,
  ELU_CPU_BOUND,
  GC_BLOCKING_MS_PER_SECOND,
  heapOnlyGrows,
  MEMORY_MIN_GROWTH_BYTES,
} from '../../server/vitals/diagnoseVitals';
import { groupBlocks } from '../../server/vitals/groupBlocks';
import { heapFloors } from '../../server/vitals/heapFloors';
import { summarizeVitals } from '../../server/vitals/summarizeVitals';
import type { ObservedBlock, VitalsSample } from '../../server/vitals/vitalsTypes';
import { block, frame, MB, seconds } from './vitalsFixtures';

const sites: RouteHandlerSite[] = [{ file: '/app/src/routes/block.ts', line: 18, method: 'GET', path: '/block' }];
const busyWait = frame('file:///app/src/routes/block.ts', 12, 9, 'busyWait');
const handler = frame('file:///app/src/routes/block.ts', 20, 5, '');

function diagnose(samples: VitalsSample[], blocks: ObservedBlock[] = [], context: Parameters<typeof diagnoseVitals>[3] = {}) {
  const groups = groupBlocks(blocks, { routeHandlers: sites });
  return diagnoseVitals(summarizeVitals(samples, [], blocks), samples, groups, { cwd: '/app', ...context });
}
const rules = (found: ReturnType<typeof diagnose>) => found.map((d) => d.rule);

test("event-loop delay, Clinic's thresholds exactly: median ≥ 10 ms or max ≥ 100 ms", () => {
  assert.equal(DELAY_MEDIAN_MS, 10);
  assert.equal(DELAY_MAX_MS, 100);
  assert.deepEqual(rules(diagnose(seconds(5, () => ({ delay: { p50: 10, max: 20 } })))), ['event-loop-delay'], 'median exactly 10');
  assert.deepEqual(rules(diagnose(seconds(5, () => ({ delay: { p50: 9.99, max: 99.99 } })))), [], 'just under both');
  assert.deepEqual(rules(diagnose(seconds(5, (i) => ({ delay: { max: i === 2 ? 100 : 3 } })))), ['event-loop-delay'], 'max exactly 100');
});

test('with a located block group: the title names the endpoint, the function and its line, and the action opens it', () => {
  const blocks = [block(2000, 212, [busyWait, handler]), block(3000, 212, [busyWait, handler]), block(4000, 150)];
  const [finding] = diagnose(seconds(5), blocks);
  assert.equal(finding.rule, 'event-loop-delay');
  assert.equal(finding.title, 'GET /block blocked the event loop for 212 ms in busyWait (src/routes/block.ts:12), twice.');
  assert.deepEqual(finding.action, { kind: 'open-block', label: 'Open busyWait', file: '/app/src/routes/block.ts', line: 12 });
  assert.match(finding.detail, /median is 0\.4 ms and the max 212 ms/);
  assert.match(finding.detail, /3 blocks, 574 ms in all, 1 of them not located/);
});

test('without a located block: the delay in figures and a CPU profile as the next step', () => {
  const [finding] = diagnose(seconds(5, (i) => ({ delay: { p50: 12, max: i === 1 ? 180 : 20 } })), [block(2000, 150)]);
  assert.equal(finding.title, 'The event loop was delayed up to 180 ms (median 12 ms): take a CPU profile to see what runs.');
  assert.deepEqual(finding.action, { kind: 'profile-cpu', label: 'Take a CPU profile' });
  // A block located only in Node's own code has nothing to open.
  const [inNode] = diagnose(seconds(5), [block(2000, 150, [frame('node:internal/timers', 512, 7, 'listOnTimeout')])]);
  assert.equal(inNode.action.kind, 'profile-cpu');
});

test('GC: blocking (minor + major) time ≥ 100 ms in one second, exactly; incremental and weak callbacks do not count', () => {
  assert.equal(GC_BLOCKING_MS_PER_SECOND, 100);
  const at = (gc: Partial<VitalsSample['gc']>) => seconds(5, (i) => (i === 3 ? { gc } : {}));
  const found = diagnose(at({ minor: 30, major: 70, count: 4, maxMs: 50 }));
  assert.deepEqual(rules(found), ['gc-blocking']);
  assert.equal(found[0].title, 'Garbage collection stopped the service for 100 ms in one second (70 ms major, 30 ms minor): take heap snapshots to see what fills the heap.');
  assert.deepEqual(found[0].action, { kind: 'heap-snapshot', label: 'Take heap snapshots' });
  assert.match(found[0].detail, /old-space \(major\)/);
  assert.match(diagnose(at({ minor: 80, major: 20 }))[0].detail, /new-space \(minor\)/);
  assert.deepEqual(rules(diagnose(at({ minor: 30, major: 69.9 }))), []);
  assert.deepEqual(rules(diagnose(at({ minor: 10, major: 10, incremental: 300, weakcb: 100 }))), []);
  // A summary kept without its samples (the live panel's) still words the finding.
  const summary = summarizeVitals(at({ minor: 30, major: 120 }), [], []);
  assert.equal(diagnoseVitals(summary, [], [])[0].title, 'Garbage collection stopped the service for 150 ms in one second: take heap snapshots to see what fills the heap.');
});

/** Saw-tooth heap: +4 MB a second, a collection every 5 s back to a floor that rises `rise` MB per cycle, `levelAfter` cycles at most. */
function heap(count: number, rise: number, levelAfter = Infinity): VitalsSample[] {
  return seconds(count, (i) => ({ memory: { heapUsed: (40 + Math.min(Math.floor(i / 5), levelAfter) * rise + (i % 5) * 4) * MB } }));
}

test('memory: a saw-tooth heap does not trigger memory-growing; a floor rising steadily does', () => {
  assert.deepEqual(rules(diagnose(heap(120, 0))), [], 'the same floor after every collection');
  const leak = diagnose(heap(120, 1));
  assert.deepEqual(rules(leak), ['memory-growing'], '1 MB more after each collection: 21 MB in two minutes');
  assert.match(leak[0].title, /^The heap only grows: its floor rose from 40 MB to 61 MB in 1\.8 min \(12 MB a minute\): a leak is suspected\.$/);
  assert.deepEqual(leak[0].action, { kind: 'find-leak', label: 'Find the leak' });
});

test('memory: a heap that grows then levels off (warm-up) does not trigger; nor a small or short rise', () => {
  assert.deepEqual(rules(diagnose(heap(120, 8, 6))), [], 'up 48 MB in the first half minute, then flat');
  const creeping = seconds(120, (i) => {
    const cycle = Math.floor(i / 5);
    return { memory: { heapUsed: (40 + Math.min(cycle, 6) * 8 + Math.max(0, cycle - 6) * 0.2 + (i % 5) * 4) * MB } };
  });
  assert.ok(heapFloors(creeping).every((f, k, all) => k === 0 || f.bytes > all[k - 1].bytes), 'the floors do rise in every window…');
  assert.deepEqual(rules(diagnose(creeping)), [], '…but almost all of it in the warm-up');
  assert.deepEqual(rules(diagnose(heap(120, 0.3))), [], 'a rise under MEMORY_MIN_GROWTH_BYTES');
  assert.equal(MEMORY_MIN_GROWTH_BYTES, 10 * MB);
  assert.deepEqual(rules(diagnose(heap(19, 10))), [], 'under 20 s: no floor to speak of');
  const noisy = heap(120, 1).map((s, i) => (i === 62 ? { ...s, memory: { ...s.memory, heapUsed: 30 * MB } } : s));
  assert.deepEqual(rules(diagnose(noisy)), [], 'one window whose floor fell back: the heap does not only grow');
});

test('heapOnlyGrows wants a fair share of the rise in the later half', () => {
  const floors = (mb: number[]) => mb.map((m, k) => ({ startMs: k * 5000, endMs: (k + 1) * 5000, atMs: k * 5000, bytes: m * MB }));
  assert.equal(heapOnlyGrows(floors([40, 50, 60, 70])), true);
  assert.equal(heapOnlyGrows(floors([40, 60, 70, 71])), false, 'f3 − (f1 + f2) / 2 is 6 MB of 31: levelling off');
  assert.equal(heapOnlyGrows(floors([19.8, 40.3, 63.1, 77.3])), true, "the demo's /leak, whose last floor came just after a major GC: 26 of 58 MB rose after the run's middle");
  assert.equal(heapOnlyGrows(floors([40, 50, 60])), false, 'three windows are not enough');
  assert.equal(heapOnlyGrows(floors([20, 39, 68, 60, 102])), true, 'a window lifted by old-space garbage (68 before a major GC brought it to 60) does not hide a leak');
  assert.equal(heapOnlyGrows(floors([40, 70, 41, 72, 42, 74])), false, 'a saw-tooth: what stays is about 40 MB');
  assert.equal(heapOnlyGrows(floors([400, 410, 420, 430])), false, '30 MB is under 10 % of a 400 MB floor');
  assert.equal(heapFloors(heap(19, 1)).length, 0);
});

test('cpu-bound: median ELU ≥ 0.95 with a low median delay, exactly; not when the typical turn is slow; beside a few blocks; the hottest function when known', () => {
  assert.equal(ELU_CPU_BOUND, 0.95);
  const busy = seconds(10, () => ({ elu: 0.95 }));
  const found = diagnose(busy, [], { hottest: { function: 'render', file: '/app/src/render.ts', line: 40 } });
  assert.deepEqual(rules(found), ['cpu-bound']);
  assert.equal(found[0].title, 'CPU-bound: the event loop was busy 95% of the time (median) with little delay: scale out or optimise the hottest function, render (src/render.ts:40).');
  assert.deepEqual(found[0].action, { kind: 'open-hottest', label: 'Open render', file: '/app/src/render.ts', line: 40 });
  assert.deepEqual(diagnose(busy)[0].action, { kind: 'profile-cpu', label: 'Take a CPU profile' });
  assert.deepEqual(rules(diagnose(seconds(10, () => ({ elu: 0.949 })))), []);
  assert.deepEqual(rules(diagnose(seconds(10, () => ({ elu: 1, delay: { p50: 15 } })))), ['event-loop-delay'], 'the typical turn is slow: not cpu-bound');
  assert.deepEqual(rules(diagnose(seconds(10, (i) => ({ elu: 1, delay: { p50: 2, max: i === 3 ? 150 : 4 } })))), ['event-loop-delay', 'cpu-bound'], 'one 150 ms block: both');
  assert.deepEqual(rules(diagnose(seconds(CPU_BOUND_MIN_SAMPLES - 1, () => ({ elu: 1 })))), [], 'too few samples');
});

test('the findings come in order: delay, gc, memory', () => {
  const samples = heap(120, 1).map((s, i) => (i === 50 ? { ...s, delay: { ...s.delay, max: 400 }, gc: { ...s.gc, major: 150 } } : s));
  assert.deepEqual(rules(diagnose(samples)), ['event-loop-delay', 'gc-blocking', 'memory-growing']);
});
