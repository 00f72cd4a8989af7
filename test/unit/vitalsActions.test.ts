import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectorAddress, loopStatus, planAction, stallStatus } from '../../extension/vitals/vitalsActions';
import { profileVitalsParams, vitalsSettings } from '../../extension/vitals/vitalsSettings';

test('each diagnosis action: a line to open, Profile Endpoint, Take Heap Snapshot or Find Leak', () => {
  assert.deepEqual(planAction({ kind: 'open-block', label: 'Open', file: '/w/a.ts', line: 3 }), { kind: 'open', file: '/w/a.ts', line: 3 });
  assert.deepEqual(planAction({ kind: 'profile-cpu', label: 'Profile' }), { kind: 'command', command: 'perflens.profileEndpoint' });
  assert.deepEqual(planAction({ kind: 'open-hottest', label: 'Hottest', file: '/w/b.ts', line: 9 }), { kind: 'open', file: '/w/b.ts', line: 9 });
  assert.deepEqual(planAction({ kind: 'open-hottest', label: 'Hottest' }), { kind: 'command', command: 'perflens.profileEndpoint' }, 'no hottest line known yet: profile to find it');
  assert.deepEqual(planAction({ kind: 'heap-snapshot', label: 'Take a heap snapshot' }), { kind: 'command', command: 'perflens.takeHeapSnapshot' });
  assert.deepEqual(planAction({ kind: 'find-leak', label: 'Find the leak' }), { kind: 'command', command: 'perflens.findLeak' });
});

test('the status bar: loop p99, a warning past the block threshold, a stall', () => {
  assert.deepEqual(loopStatus(12, 100), { text: '$(pulse) loop p99 12 ms', warn: false });
  assert.deepEqual(loopStatus(3.42, 100), { text: '$(pulse) loop p99 3.4 ms', warn: false });
  assert.deepEqual(loopStatus(212, 100), { text: '$(pulse) loop p99 212 ms', warn: true });
  assert.equal(stallStatus(12_400), '$(warning) loop blocked 12 s');
  assert.equal(inspectorAddress('ws://127.0.0.1:9229/0f2c'), '127.0.0.1:9229');
  assert.equal(inspectorAddress('nonsense'), undefined);
});

test('settings: defaults, the threshold never under 20 ms, and the params they make', () => {
  const none = vitalsSettings(() => undefined);
  assert.deepEqual(none, { capture: true, blockThresholdMs: 100, nameBlocks: true });
  assert.deepEqual(profileVitalsParams(none), { blockThresholdMs: 100, nameBlocks: true });
  const values: Record<string, unknown> = { 'vitals.capture': false, 'vitals.blockThresholdMs': 5, 'vitals.nameBlocks': false };
  const set = vitalsSettings(<T>(key: string) => values[key] as T);
  assert.equal(set.blockThresholdMs, 20);
  assert.deepEqual(profileVitalsParams(set), { capture: false });
});
