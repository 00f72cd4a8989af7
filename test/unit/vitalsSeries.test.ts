import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VitalsSeries } from '../../server/vitals/vitalsSeries';
import type { GcPause } from '../../server/vitals/vitalsTypes';
import { block, sample, WALL0 } from './vitalsFixtures';

const pause = (atMs: number, ms = 12): GcPause => ({ atMs, wallMs: WALL0 + atMs, ms, kind: 'major' });

test('keeps the last N seconds of samples, pauses and blocks, on the target clock', () => {
  const series = new VitalsSeries(10);
  for (let s = 1; s <= 30; s++) series.addSample(sample({ atMs: s * 1000 }));
  assert.deepEqual(series.samples().map((s) => s.atMs / 1000), [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30], 'the newest at 30 s: everything from 20 s on');
  assert.equal(series.latest()?.atMs, 30_000);

  series.addGcPauses([pause(15_000), pause(25_000)]);
  assert.deepEqual(series.gcPauses().map((p) => p.atMs), [25_000], 'a pause older than the window is dropped as it comes');
  series.addBlock(block(22_000, 300));
  series.addBlock(block(29_500, 150));
  assert.equal(series.blocks().length, 2);

  // A block far ahead moves the window for every kind.
  series.addBlock(block(33_000, 2500));
  assert.deepEqual(series.samples().map((s) => s.atMs / 1000), [23, 24, 25, 26, 27, 28, 29, 30]);
  assert.deepEqual(series.gcPauses().map((p) => p.atMs), [25_000]);
  assert.deepEqual(series.blocks().map((b) => b.endMs), [29_500, 33_000]);
});

test('the default keeps five minutes', () => {
  const series = new VitalsSeries();
  for (let s = 1; s <= 400; s++) series.addSample(sample({ atMs: s * 1000 }));
  assert.equal(series.samples().length, 301, '100 s … 400 s, ends included');
  assert.equal(series.samples()[0].atMs, 100_000);
});

test('items out of order take their place; the lists returned are copies; clear starts again', () => {
  const series = new VitalsSeries(60);
  series.addSample(sample({ atMs: 1000 }));
  series.addSample(sample({ atMs: 3000 }));
  series.addSample(sample({ atMs: 2000 }));
  assert.deepEqual(series.samples().map((s) => s.atMs), [1000, 2000, 3000]);
  series.samples().pop();
  assert.equal(series.samples().length, 3);
  series.clear();
  assert.equal(series.samples().length, 0);
  assert.equal(series.latest(), undefined);
  series.addSample(sample({ atMs: 500 }));
  assert.deepEqual(series.samples().map((s) => s.atMs), [500], 'a new target: its clock starts again');
});

test('keepSeconds must be positive', () => {
  assert.throws(() => new VitalsSeries(0), RangeError);
});
