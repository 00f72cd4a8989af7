import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyHistogram } from '../../server/load/latencyHistogram';

test('percentiles are exact to 3 significant digits, p95 included', () => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.record(i); // 1 … 1000 ms
  const s = h.summary();
  for (const [value, expected] of [[s.p50, 500], [s.p90, 900], [s.p95, 950], [s.p99, 990]] as const) {
    assert.ok(Math.abs(value - expected) / expected <= 0.001, `${value} ≈ ${expected}`);
  }
  assert.equal(s.max, 1000);
  assert.equal(s.mean, 500.5);
});

test('no percentile exceeds the largest value recorded', () => {
  const h = new LatencyHistogram();
  for (const ms of [397.3, 410.2, 572.4, 988.7]) h.record(ms);
  const s = h.summary();
  assert.equal(s.max, 988.7);
  assert.ok(s.p99 <= s.max && s.p95 <= s.p99 && s.p50 <= s.p95, JSON.stringify(s));
});

test('an empty histogram reports zeros', () => {
  assert.deepEqual(new LatencyHistogram().summary(), { p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 });
});

test('histograms of separate runs merge into exactly the histogram of all their values', () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  const all = new LatencyHistogram();
  for (let i = 1; i <= 600; i++) {
    (i % 3 === 0 ? b : a).record(i * 1.5);
    all.record(i * 1.5);
  }
  const merged = LatencyHistogram.merge([a, b].map((h) => ({ histogram: h.encode(), latency: h.summary(), requests: h.count })));
  assert.equal(merged.count, 600);
  assert.deepEqual(merged.summary(), all.summary());
});
