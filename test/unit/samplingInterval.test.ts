import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSamplingIntervalUs } from '../../server/profiling/samplingInterval';

test('the default sampling interval is 1 ms for short runs and keeps ~20,000 samples for long ones', () => {
  const cases: Array<[number, number]> = [[1000, 1000], [10_000, 1000], [20_000, 1000], [30_000, 1500], [60_000, 3000], [200_000, 10_000], [3_600_000, 10_000]];
  for (const [durationMs, expected] of cases) assert.equal(defaultSamplingIntervalUs(durationMs), expected, `${durationMs} ms`);
});
