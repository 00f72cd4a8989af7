import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floorGrowthPerMinute, heapFloors } from '../../server/vitals/heapFloors';
import { blockingGcPerSecond, summarizeVitals } from '../../server/vitals/summarizeVitals';
import { block, MB, sample, seconds } from './vitalsFixtures';

test('delay: median of the per-second p50s, nearest-rank p99 of the p99s, max of the maxima and the blocks', () => {
  const samples = seconds(5, (i) => ({ delay: { p50: [1, 2, 30, 4, 5][i], p99: [10, 20, 30, 40, 50][i], max: [11, 22, 33, 44, 55][i] } }));
  const summary = summarizeVitals(samples, [], []);
  assert.equal(summary.delay.p50, 4, 'the median, not the mean (8.4)');
  assert.equal(summary.delay.p99, 50, 'under a hundred seconds: the largest p99');
  assert.equal(summary.delay.max, 55);
  assert.equal(summarizeVitals(samples, [], [block(3000, 412)]).delay.max, 412, 'a block the histogram missed counts in the max');

  const twoBad = seconds(200, (i) => ({ delay: { p99: i === 7 ? 900 : i === 9 ? 800 : 3 } }));
  assert.equal(summarizeVitals(twoBad, [], []).delay.p99, 3, 'one bad second in a hundred does not show: the 198th of 200 is the p99');
  const threeBad = seconds(200, (i) => ({ delay: { p99: i === 7 ? 900 : i === 9 ? 800 : i === 11 ? 700 : 3 } }));
  assert.equal(summarizeVitals(threeBad, [], []).delay.p99, 700);
});

test('an even count takes the mean of the two middle p50s', () => {
  assert.equal(summarizeVitals(seconds(4, (i) => ({ delay: { p50: [1, 2, 4, 100][i] } })), [], []).delay.p50, 3);
});

test('seconds, CPU and ELU: means weighted by the interval, ELU absent when never measured', () => {
  const samples = [sample({ atMs: 1000, cpu: 0.2, elu: 0.1 }), sample({ atMs: 5000, intervalMs: 4000, cpu: 1, elu: 1 }), sample({ atMs: 6000, cpu: 0.2, elu: 0.4 })];
  const summary = summarizeVitals(samples, [], []);
  assert.equal(summary.seconds, 6);
  assert.equal(summary.cpu.mean, 0.7333, '(0.2 + 4 × 1 + 0.2) / 6');
  assert.equal(summary.cpu.max, 1);
  assert.deepEqual(summary.elu, { mean: 0.75, p50: 0.4, max: 1 });
  assert.equal(summarizeVitals(seconds(3), [], []).elu, undefined);
});

test('GC: total and count of every kind; the per-second max of the blocking kinds only; the longest pause', () => {
  const samples = [
    sample({ atMs: 1000, gc: { minor: 30, major: 50, incremental: 40, weakcb: 5, count: 9, maxMs: 20 } }),
    sample({ atMs: 2000, gc: { minor: 10, major: 0, incremental: 200, weakcb: 0, count: 3, maxMs: 8 } }),
    sample({ atMs: 6000, intervalMs: 4000, gc: { minor: 100, major: 100, count: 2, maxMs: 100 } }),
  ];
  const summary = summarizeVitals(samples, [{ atMs: 500, wallMs: 0, ms: 35, kind: 'major' }], []);
  assert.equal(summary.gc.totalMs, 535);
  assert.equal(summary.gc.count, 14);
  assert.equal(summary.gc.maxPerSecondMs, 80, 'minor + major of the first second; incremental and weakcb do not block; the 4 s interval is 50 ms a second');
  assert.equal(summary.gc.longestMs, 100);
  assert.equal(blockingGcPerSecond(samples[2]), 50);
  assert.equal(summarizeVitals(samples.slice(0, 2), [{ atMs: 500, wallMs: 0, ms: 35, kind: 'major' }], []).gc.longestMs, 35, 'a marked pause longer than the intervals say');
});

test('memory start, end, max; blocks count, total, longest; an empty run', () => {
  const samples = seconds(3, (i) => ({ memory: { heapUsed: [50, 90, 60][i] * MB, rss: [100, 140, 130][i] * MB } }));
  const summary = summarizeVitals(samples, [], [block(1000, 120), block(2000, 300)]);
  assert.deepEqual(summary.memory, { heapUsedStart: 50 * MB, heapUsedEnd: 60 * MB, heapUsedMax: 90 * MB, rssStart: 100 * MB, rssEnd: 130 * MB, rssMax: 140 * MB });
  assert.deepEqual(summary.blocks, { count: 2, totalMs: 420, longestMs: 300 });
  const empty = summarizeVitals([], [], []);
  assert.equal(empty.seconds, 0);
  assert.equal(empty.delay.max, 0);
  assert.equal(empty.memory.heapUsedEnd, 0);
});

/** A saw-tooth heap: +`step` MB a second from `floor` MB, a collection every `period` seconds back to the floor, which rises `rise` MB per cycle. */
function sawTooth(count: number, { floor = 40, step = 4, period = 5, rise = 0 } = {}) {
  return seconds(count, (i) => ({ memory: { heapUsed: (floor + Math.floor(i / period) * rise + (i % period) * step) * MB } }));
}

test('heap floors: the lowest heapUsed of each window; none under 20 s', () => {
  assert.deepEqual(heapFloors(sawTooth(20)), [], '19 s from the first sample to the last');
  const floors = heapFloors(sawTooth(61));
  assert.equal(floors.length, 8, '60 s: eight windows of 7.5 s');
  assert.ok(floors.every((f) => f.bytes === 40 * MB), 'a saw-tooth heap keeps its floor');
  assert.equal(heapFloors(sawTooth(26)).length, 5, '25 s: five windows of 5 s');
});

test('the floor growth per minute: 0 for a saw-tooth, the slope for a leak, absent on a short run', () => {
  const flat = summarizeVitals(sawTooth(61), [], []);
  assert.equal(flat.memory.heapFloorGrowthPerMinute, 0);
  const leak = summarizeVitals(sawTooth(121, { rise: 1 }), [], []);
  const perMinute = leak.memory.heapFloorGrowthPerMinute! / MB;
  assert.ok(perMinute > 10 && perMinute < 14, `about 12 MB a minute (1 MB every 5 s), got ${perMinute}`);
  assert.equal(summarizeVitals(sawTooth(15, { rise: 5 }), [], []).memory.heapFloorGrowthPerMinute, undefined);
  assert.equal(floorGrowthPerMinute([]), undefined);
});
