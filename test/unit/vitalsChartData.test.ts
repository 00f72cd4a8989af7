import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartData, chartRange, MIN_SPAN_MS } from '../../webview/vitals/chartData';
import { emptySnapshot, WINDOW_MS, type LoadPoint, type VitalsSnapshot } from '../../webview/vitals/vitalsStore';
import { sample } from './vitalsUiFixtures';

const T0 = 1_764_590_000_000;
const point = (wallMs: number, extra: Partial<LoadPoint> = {}): LoadPoint => ({ wallMs, source: 'load-test', p99: 40, rps: 100, failedPerSecond: 0, failed: 0, scenario: 'ramp', ...extra });
const snapshot = (s: Partial<VitalsSnapshot>): VitalsSnapshot => ({ ...emptySnapshot(), ...s });

test('one column per series, x in seconds since the epoch: delay ms, ELU and CPU in %, GC by kind, memory in MB', () => {
  const data = chartData(snapshot({ samples: [sample(T0 + 1000, { p99: 20, elu: 0.5, cpu: 1.25, heapMb: 64 }), sample(T0 + 2000, { elu: null })] }));
  assert.deepEqual(data.delay[0], [(T0 + 1000) / 1000, (T0 + 2000) / 1000]);
  assert.deepEqual(data.delay.slice(1).map((c) => c[0]), [5, 20, 30]);
  assert.deepEqual(data.util[1], [50, null], 'no ELU on a Node without it: a gap, not a zero');
  assert.deepEqual(data.util[2], [125, 42], 'CPU past one core shows past 100 %');
  assert.deepEqual(data.gc.slice(1).map((c) => c[0]), [1.5, 0, 0.25, 0]);
  assert.deepEqual(data.memory.slice(1).map((c) => c[0]), [64, 80, 120, 3]);
});

test('the shared x range: at least 30 s, at most the five minutes kept, ending at the newest thing', () => {
  assert.deepEqual(chartRange(snapshot({ samples: [sample(T0), sample(T0 + 2000)] })), [(T0 + 2000 - MIN_SPAN_MS) / 1000, (T0 + 2000) / 1000]);
  const long = snapshot({ samples: [sample(T0), sample(T0 + 200_000)], load: [point(T0 + 400_000)] });
  assert.deepEqual(chartRange(long), [(T0 + 400_000 - WINDOW_MS) / 1000, (T0 + 400_000) / 1000]);
});

test('load: p99 so far only (no p50 unless an event had one), requests and failed per second, a break between runs', () => {
  const data = chartData(snapshot({ load: [point(T0 + 1000), point(T0 + 2000, { failedPerSecond: 2.25 }), point(T0 + 30_000, { p99: 80 })] }));
  assert.equal(data.hasP50, false);
  assert.equal(data.latency.length, 2);
  assert.deepEqual(data.latency[0], [T0 / 1000 + 1, T0 / 1000 + 2, T0 / 1000 + 3, T0 / 1000 + 30]);
  assert.deepEqual(data.latency[1], [40, 40, null, 80], 'an empty row between the runs: the line breaks');
  assert.deepEqual(data.throughput[2], [0, 2.3, null, 0]);
  const withP50 = chartData(snapshot({ load: [point(T0 + 1000, { p50: 9 }), point(T0 + 2000)] }));
  assert.equal(withP50.hasP50, true);
  assert.deepEqual(withP50.latency[2], [9, null]);
});
