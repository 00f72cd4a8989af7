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
  assert.deepEqual(summary.perSecond!.map((s) => [s.second, s.requests, s.errors]), [[0, 2, 0], [1, 0, 0], [2, 1, 2]]);
  assert.equal(summary.perSecond![0].p99, 15);
  assert.equal(summary.perSecond![1].p99, 0);
  assert.equal(summary.requests, 3);
  assert.equal(summary.errors.failed, 2, 'the 500 and the reset');
  assert.deepEqual(summary.errors.byStatus, { '500': 1 });
  assert.ok(summary.histogram && summary.histogram.length > 10);
});

test('progress counts non-2xx answers as failed, by status', () => {
  const r = new LoadRecorder();
  r.tick(0);
  for (let i = 0; i < 4; i++) r.response(404, 1);
  r.response(200, 1);
  r.response(500, 2);
  r.error({ message: 'request timed out' });
  const p = r.progress(1000);
  assert.equal(p.requests, 6);
  assert.equal(p.errors, 1);
  assert.equal(p.failed, 6);
  assert.deepEqual(p.byStatus, { '404': 4, '500': 1 });
});
