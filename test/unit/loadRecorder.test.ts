import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadRecorder } from '../../server/load/loadRecorder';

const options = { url: 'http://127.0.0.1:1/', method: 'GET', headers: {}, connections: 1, durationMs: 3000, timeoutMs: 1000 };

test('the per-second series counts each second apart, empty seconds included', () => {
  const r = new LoadRecorder();
  r.tick(0);
  r.response(200, 5);
  r.response(200, 15);
  r.tick(2); // nothing in second 1
  r.response(500, 40);
  r.error({ code: 'ECONNRESET' });
  const summary = r.summary(options, 1, 3000, false);
  assert.deepEqual(summary.perSecond!.map((s) => [s.second, s.requests, s.errors]), [[0, 2, 0], [1, 0, 0], [2, 1, 1]]);
  assert.equal(summary.perSecond![0].p99, 15);
  assert.equal(summary.perSecond![1].p99, 0);
  assert.equal(summary.requests, 3);
  assert.ok(summary.histogram && summary.histogram.length > 10);
});
