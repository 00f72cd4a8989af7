import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLiveQueries, liveQueries } from '../../server/queries/liveQueries';
import type { QueryCapture } from '../../server/queries/captureTypes';
import { emptyCapture } from './queryFixtures';

const empty = emptyCapture();

test('the live line: queries so far, each pool\'s latest sample against max, leaks still out', () => {
  assert.equal(formatLiveQueries(liveQueries(empty)), '');
  const execution = { statement: 1, site: -1, request: 1, startMs: 0, ms: 1, waitMs: 0, rows: 1, pool: 1 };
  const capture: QueryCapture = {
    ...empty,
    pools: [{ id: 1, name: '127.0.0.1:5432/app', max: 10 }],
    poolSamples: [
      { pool: 1, atMs: 1000, total: 4, idle: 2, waiting: 0 },
      { pool: 1, atMs: 2000, total: 10, idle: 0, waiting: 4 },
    ],
    executions: [...Array.from({ length: 12344 }, () => execution), { ...execution, errorCode: '57014' }],
    leaks: [
      { id: 1, pool: 1, site: 1, request: 1, checkedOutAtMs: 0 },
      { id: 2, pool: 1, site: 1, request: 2, checkedOutAtMs: 0, releasedAfterMs: 6000 },
    ],
  };
  const live = liveQueries(capture);
  assert.deepEqual(live.pools, [{ name: '127.0.0.1:5432/app', max: 10, total: 10, busy: 10, waiting: 4 }]);
  assert.equal(formatLiveQueries(live), 'queries 12,345 (1 failed) · pool 10/10 busy, 4 waiting · 1 leaked');
});
