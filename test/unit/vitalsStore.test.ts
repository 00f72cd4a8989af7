import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadTestProgress } from '../../server/loadtest/runLoadTest';
import type { LiveVitals, VitalsStatus } from '../../server/vitals/vitalsTypes';
import { VitalsStore, WINDOW_MS, type WatchInfo } from '../../webview/vitals/vitalsStore';
import { liveBlock, sample } from './vitalsUiFixtures';

const T0 = 1_764_590_000_000;
const status: VitalsStatus = { node: 'v20.20.2', missing: [], pauseCapture: true };
const info: WatchInfo = { target: 'node dist/server.js', blockThresholdMs: 100, nameBlocks: true, status, startedWallMs: T0, roots: ['/w'] };
const live = (wallMs: number, extra: Partial<LiveVitals> = {}): LiveVitals => ({
  sample: sample(wallMs),
  gcPauses: [],
  summary: { seconds: 1, delay: { p50: 1, p99: 12, max: 20 }, cpu: { mean: 0.4, max: 0.4 }, gc: { totalMs: 1, count: 1, maxPerSecondMs: 1, longestMs: 1 }, memory: { heapUsedStart: 1, heapUsedEnd: 1, heapUsedMax: 1, rssStart: 1, rssEnd: 1, rssMax: 1 }, blocks: { count: 0, totalMs: 0, longestMs: 0 } },
  diagnosis: [],
  ...extra,
});
const loadTest = (scenario: string, failed: number, extra: Partial<LoadTestProgress> = {}): LoadTestProgress => ({ elapsedMs: 0, totalMs: 60_000, scenario, rps: 100, p99: 40, errors: 0, failed, byStatus: {}, requests: 100, ...extra });

test('the history first (sorted), then events; a second given twice is kept once; received only grows', () => {
  const store = new VitalsStore();
  store.start(info, [sample(T0 + 2000), sample(T0 + 1000)], []);
  assert.deepEqual(store.view.samples.map((s) => s.wallMs), [T0 + 1000, T0 + 2000]);
  assert.equal(store.view.received, 2);
  assert.equal(store.apply({ type: 'vitals', live: live(T0 + 2000) }), false, 'already in the history');
  assert.equal(store.apply({ type: 'vitals', live: live(T0 + 3000, { diagnosis: [{ rule: 'cpu-bound', title: 't', detail: 'd', action: { kind: 'profile-cpu', label: 'Profile' } }] }) }), true);
  assert.equal(store.view.received, 3);
  assert.equal(store.view.diagnosis[0].rule, 'cpu-bound');
});

test('the last five minutes are kept, measured from the newest sample', () => {
  const store = new VitalsStore();
  store.start(info, [], []);
  for (let i = 0; i <= 400; i++) store.apply({ type: 'vitals', live: live(T0 + i * 1000) });
  const kept = store.view.samples;
  assert.equal(kept[kept.length - 1].wallMs, T0 + 400_000);
  assert.equal(kept[0].wallMs, T0 + 400_000 - WINDOW_MS);
  assert.equal(kept.length, WINDOW_MS / 1000 + 1);
  assert.equal(store.view.received, 401, 'the count of samples received, not kept');
});

test('blocks: sorted by end, each once (the history and the event may both have it)', () => {
  const store = new VitalsStore();
  store.start(info, [], [liveBlock('/w/src/x.ts', 5, T0 + 5000, 200)]);
  assert.equal(store.apply({ type: 'block', block: liveBlock('/w/src/x.ts', 5, T0 + 5000, 200) }), false);
  assert.equal(store.apply({ type: 'block', block: liveBlock('/w/src/x.ts', 5, T0 + 3000, 150) }), true);
  assert.deepEqual(store.view.blocks.map((b) => b.endWallMs), [T0 + 3000, T0 + 5000]);
});

test('a stall is shown until it is over; the end clears it and nothing is applied after', () => {
  const store = new VitalsStore();
  store.start(info, [sample(T0)], []);
  store.apply({ type: 'stall', stall: { sinceWallMs: T0, ms: 3000, over: false } });
  assert.equal(store.view.stall?.ms, 3000);
  store.apply({ type: 'stall', stall: { sinceWallMs: T0, ms: 4200, over: true } });
  assert.equal(store.view.stall, undefined);
  store.apply({ type: 'stall', stall: { sinceWallMs: T0, ms: 1000, over: false } });
  store.apply({ type: 'ended', wallMs: T0 + 9000, reason: 'The target went away: node exited with code 1' });
  assert.equal(store.view.stall, undefined);
  assert.equal(store.ended, true);
  assert.equal(store.apply({ type: 'vitals', live: live(T0 + 10_000) }), false);
  assert.equal(store.view.samples.length, 1, 'the charts keep what arrived');
});

test('load-test progress: a mark at each scenario, failed per second from the counts, started afresh in each phase', () => {
  const store = new VitalsStore();
  store.start(info, [], []);
  store.apply({ type: 'loadTestProgress', wallMs: T0 + 1000, progress: loadTest('ramp', 0) });
  store.apply({ type: 'loadTestProgress', wallMs: T0 + 2000, progress: loadTest('ramp', 10) });
  store.apply({ type: 'loadTestProgress', wallMs: T0 + 4000, progress: loadTest('ramp', 30) });
  store.apply({ type: 'loadTestProgress', wallMs: T0 + 5000, progress: loadTest('spike', 4) });
  assert.deepEqual(store.view.marks.map((m) => [m.wallMs - T0, m.label]), [[1000, 'ramp'], [5000, 'spike']]);
  assert.deepEqual(store.view.load.map((p) => p.failedPerSecond), [0, 10, 10, 4]);
  assert.equal(store.view.load[0].p50, undefined, 'no p50 in the events: none invented');
  store.apply({ type: 'loadTestProgress', wallMs: T0 + 6000, progress: { ...loadTest('spike', 4), p50: 7 } as LoadTestProgress });
  assert.equal(store.view.load[4].p50, 7, 'kept when an event carries one');
});

test("a profile run's progress and its phases (only the ones worth a mark)", () => {
  const store = new VitalsStore();
  store.start(info, [], []);
  assert.equal(store.apply({ type: 'profilePhase', wallMs: T0, phase: 'waiting-for-url' }), false);
  store.apply({ type: 'profilePhase', wallMs: T0 + 100, phase: 'profiling' });
  store.apply({ type: 'loadProgress', wallMs: T0 + 1100, progress: { elapsedMs: 1000, requests: 500, rps: 500, p99: 30, errors: 0, failed: 2, byStatus: {} } });
  store.apply({ type: 'profilePhase', wallMs: T0 + 10_200, phase: 'analysing' });
  assert.deepEqual(store.view.marks.map((m) => m.label), ['profile: load', 'profile: load over']);
  assert.equal(store.view.load[0].source, 'profile');
  assert.equal(store.view.load[0].rps, 500);
});

test('a snapshot rebuilds the same store (what a reloaded page gets)', () => {
  const store = new VitalsStore();
  store.start(info, [sample(T0), sample(T0 + 1000)], [liveBlock('/w/src/x.ts', 5, T0 + 900, 120)]);
  store.apply({ type: 'stall', stall: { sinceWallMs: T0 + 1000, ms: 2000, over: false } });
  const copy = new VitalsStore(store.snapshot());
  assert.deepEqual(copy.snapshot(), store.snapshot());
  copy.apply({ type: 'vitals', live: live(T0 + 2000) });
  assert.equal(store.view.samples.length, 2, 'the copy is its own');
});
