// The watch's bookkeeping against a fake server client (WatchSession uses only request, onEvent,
// onClose and isClosed): events that come before watchVitals answers, the end, unwatch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventName, Events, MethodName, Params, Result, TargetInfo } from '../../server/protocol/protocol';
import type { LiveVitals } from '../../server/vitals/vitalsTypes';
import type { ServerClient } from '../../extension/server/serverClient';
import { WatchSession, type WatchListener } from '../../extension/vitals/watchSession';
import type { VitalsUpdate } from '../../webview/vitals/vitalsStore';
import { liveBlock, sample } from './vitalsUiFixtures';

const T0 = 1_764_590_000_000;
const target: TargetInfo = { kind: 'launched', description: 'node dist/server.js', pid: 4242, inspectorUrl: 'ws://127.0.0.1:43121/abc' };
const settings = { capture: true, blockThresholdMs: 100, nameBlocks: true };

class FakeClient {
  readonly requests: Array<{ method: MethodName; params: unknown }> = [];
  private readonly listeners = new Set<(e: { event: EventName; data: unknown }) => void>();
  private closeListeners: Array<(why: string) => void> = [];
  isClosed = false;
  answer?: () => Promise<unknown>;

  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    this.requests.push({ method, params });
    if (method === 'watchVitals' && this.answer) return this.answer() as Promise<Result<M>>;
    return Promise.resolve({} as Result<M>);
  }
  onEvent<E extends EventName>(event: E, listener: (data: Events[E]) => void): { dispose(): void } {
    const wrapped = (e: { event: EventName; data: unknown }) => {
      if (e.event === event) listener(e.data as Events[E]);
    };
    this.listeners.add(wrapped);
    return { dispose: () => this.listeners.delete(wrapped) };
  }
  onClose(listener: (why: string) => void): void {
    this.closeListeners.push(listener);
  }
  emit<E extends EventName>(event: E, data: Events[E]): void {
    for (const l of [...this.listeners]) l({ event, data });
  }
  close(why: string): void {
    this.isClosed = true;
    for (const l of this.closeListeners.splice(0)) l(why);
  }
  get listening(): number {
    return this.listeners.size;
  }
}

const live = (wallMs: number): LiveVitals => ({
  sample: sample(wallMs),
  gcPauses: [],
  summary: { seconds: 1, delay: { p50: 1, p99: 12, max: 20 }, cpu: { mean: 0.4, max: 0.4 }, gc: { totalMs: 1, count: 1, maxPerSecondMs: 1, longestMs: 1 }, memory: { heapUsedStart: 1, heapUsedEnd: 1, heapUsedMax: 1, rssStart: 1, rssEnd: 1, rssMax: 1 }, blocks: { count: 0, totalMs: 0, longestMs: 0 } },
  diagnosis: [],
});

type Recorder = WatchListener & { updates: VitalsUpdate[]; ends: string[]; blocks: number };

function recorder(): Recorder {
  const r: Recorder = {
    updates: [],
    ends: [],
    blocks: 0,
    update: (u: VitalsUpdate) => void r.updates.push(u),
    vitals: () => undefined,
    block: () => void r.blocks++,
    stall: () => undefined,
    ended: (why: string) => void r.ends.push(why),
  };
  return r;
}

test('events that come while watchVitals is on its way are applied after the history, each once', async () => {
  const client = new FakeClient();
  let answer!: (r: Result<'watchVitals'>) => void;
  client.answer = () => new Promise((resolve) => (answer = resolve));
  const listener = recorder();
  const session = new WatchSession(client as unknown as ServerClient, target, settings, ['/w'], listener);
  const started = session.start();
  client.emit('vitals', live(T0 + 2000)); // also in the history
  client.emit('vitals', live(T0 + 3000));
  client.emit('vitalsBlock', liveBlock('/w/src/x.ts', 5, T0 + 2500, 200));
  assert.equal(listener.updates.length, 0, 'nothing before the history');
  answer({ status: { node: 'v20.20.2', missing: [], pauseCapture: true }, history: [sample(T0 + 1000), sample(T0 + 2000)], blocks: [] });
  await started;
  assert.deepEqual(client.requests[0], { method: 'watchVitals', params: { blockThresholdMs: 100, nameBlocks: true } });
  assert.deepEqual(session.store.view.samples.map((s) => s.wallMs - T0), [1000, 2000, 3000]);
  assert.deepEqual(listener.updates.map((u) => u.type), ['vitals', 'block']);
  assert.equal(listener.blocks, 1);
  assert.equal(session.store.info?.inspector, '127.0.0.1:43121');
  client.emit('loadProgress', { elapsedMs: 1000, requests: 10, rps: 10, p99: 5, errors: 0, failed: 0, byStatus: {} });
  assert.equal(session.store.view.load.length, 1);
});

test('the target going away ends the watch: no unwatch then; the charts keep their data', async () => {
  const client = new FakeClient();
  client.answer = async () => ({ status: { node: 'v20.20.2', missing: [], pauseCapture: true }, history: [sample(T0)], blocks: [] });
  const listener = recorder();
  const session = new WatchSession(client as unknown as ServerClient, target, settings, [], listener);
  await session.start();
  client.emit('targetExited', { code: 1, signal: null, description: 'node dist/server.js exited with code 1' });
  assert.deepEqual(listener.ends, ['The target went away: node dist/server.js exited with code 1']);
  assert.equal(session.ended, 'The target went away: node dist/server.js exited with code 1');
  assert.equal(session.store.view.ended?.reason, session.ended);
  assert.equal(session.store.view.samples.length, 1);
  assert.equal(client.listening, 0, 'no longer listening');
  await session.stop();
  assert.deepEqual(client.requests.map((r) => r.method), ['watchVitals']);
});

test('closing the panel unwatches a running watch; a dropped connection ends it', async () => {
  const answer = async () => ({ status: { node: 'v20.20.2', missing: [], pauseCapture: true }, history: [], blocks: [] });
  const client = new FakeClient();
  client.answer = answer;
  const session = new WatchSession(client as unknown as ServerClient, target, settings, [], recorder());
  await session.start();
  await session.stop();
  assert.deepEqual(client.requests.map((r) => r.method), ['watchVitals', 'unwatchVitals']);

  const dropped = new FakeClient();
  dropped.answer = answer;
  const listener = recorder();
  const other = new WatchSession(dropped as unknown as ServerClient, target, settings, [], listener);
  await other.start();
  dropped.close('connection closed (1006)');
  assert.match(listener.ends[0], /^The connection to the PerfLens server dropped \(connection closed \(1006\)\)$/);
});

test('a watch that fails to start stops listening', async () => {
  const client = new FakeClient();
  client.answer = () => Promise.reject(new Error('AGENT_FAILED'));
  const session = new WatchSession(client as unknown as ServerClient, target, settings, [], recorder());
  await assert.rejects(session.start(), /AGENT_FAILED/);
  assert.equal(client.listening, 0);
});

test("the workspace's route handlers go with watchVitals, so that a live block gets its endpoint", async () => {
  const client = new FakeClient();
  client.answer = async () => ({ status: { node: 'v20.20.2', missing: [], pauseCapture: true }, history: [], blocks: [] });
  const handlers = [{ file: '/w/src/routes/block.ts', line: 19, method: 'GET', path: '/block' }];
  const session = new WatchSession(client as unknown as ServerClient, target, settings, ['/w'], recorder(), handlers);
  await session.start();
  assert.deepEqual(client.requests[0], { method: 'watchVitals', params: { blockThresholdMs: 100, nameBlocks: true, routeHandlers: handlers } });
});
