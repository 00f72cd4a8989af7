/** Samples a run aims for: enough for per-line costs (a line with 1 % of the time gets ~200). */
const TARGET_SAMPLES = 20_000;
const MIN_INTERVAL_US = 1000;
const MAX_INTERVAL_US = 10_000;

/**
 * The default CPU sampling interval for a run of `durationMs`: 1 ms for runs up to 20 s, then
 * coarser so that a run yields about 20,000 samples, at most 10 ms. Measured here (npm run bench):
 * 1 ms costs the service about +6 % CPU per request and 100 µs about +25 %, while a 30-s run at
 * 1 ms gives 26,000 samples, more than per-line costs need; stretching long runs keeps the
 * overhead at or under that of 1 ms without thinning the lines.
 */
export function defaultSamplingIntervalUs(durationMs: number): number {
  const us = Math.round((durationMs * 1000) / TARGET_SAMPLES / 100) * 100;
  return Math.min(MAX_INTERVAL_US, Math.max(MIN_INTERVAL_US, us));
}
