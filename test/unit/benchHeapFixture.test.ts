// The heap benchmark's snapshot generator (bench/fixtures/bigHeap.mjs) and the header reader the
// benchmark sizes its files with (bench/lib/heapSnapshots.ts): a real Node process writes a real
// snapshot, whose classes and counts are checked from the file itself.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generatorFile, snapshotCounts } from '../../bench/lib/heapSnapshots';

const dir = mkdtempSync(join(tmpdir(), 'perflens-bigheap-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function generate(units: number, name: string): { file: string; out: { units: number; fileBytes: number } } {
  const file = join(dir, name);
  const stdout = execFileSync(process.execPath, [generatorFile, '--units', String(units), '--out', file], { encoding: 'utf8' });
  return { file, out: JSON.parse(stdout.trim()) as { units: number; fileBytes: number } };
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] }; node_count: number; edge_count: number };
  nodes: number[];
  strings: string[];
}

/** Objects per class name (node type 'object'), counted from the file with JSON.parse. */
function objectsByClass(file: string): Map<string, number> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const width = s.snapshot.meta.node_fields.length;
  const typeAt = s.snapshot.meta.node_fields.indexOf('type');
  const nameAt = s.snapshot.meta.node_fields.indexOf('name');
  const object = s.snapshot.meta.node_types[0].indexOf('object');
  const counts = new Map<string, number>();
  for (let i = 0; i < s.nodes.length; i += width) {
    if (s.nodes[i + typeAt] !== object) continue;
    const name = s.strings[s.nodes[i + nameAt]!]!;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

test('bigHeap.mjs writes a snapshot holding one User and one Session per unit, a CacheEntry per two, and the header counts match the file', () => {
  const { file, out } = generate(1000, 'a.heapsnapshot');
  assert.equal(out.fileBytes, statSync(file).size);
  const counts = objectsByClass(file);
  assert.equal(counts.get('User'), 1000);
  assert.equal(counts.get('Session'), 1000);
  assert.equal(counts.get('CacheEntry'), 500);
  const orders = counts.get('Order') ?? 0;
  assert.ok(orders > 1000 && orders < 2000, `about 1.5 orders per unit, got ${orders}`);
  assert.ok((counts.get('LineItem') ?? 0) > 2 * orders, 'each order has 1–4 line items');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  assert.deepEqual(snapshotCounts(file), { nodeCount: parsed.snapshot.node_count, edgeCount: parsed.snapshot.edge_count });
  assert.equal(parsed.nodes.length, parsed.snapshot.node_count * parsed.snapshot.meta.node_fields.length);
});

test('bigHeap.mjs builds the same heap each run, and the file grows with the units', () => {
  const first = objectsByClass(generate(400, 'b1.heapsnapshot').file);
  const second = objectsByClass(generate(400, 'b2.heapsnapshot').file);
  for (const name of ['User', 'Session', 'Order', 'LineItem', 'CacheEntry']) assert.equal(second.get(name), first.get(name), name);
  const small = generate(0, 'c0.heapsnapshot').out.fileBytes;
  const large = generate(2000, 'c1.heapsnapshot').out.fileBytes;
  assert.ok(large > small + 2000 * 1000, `2000 units add at least 1 KB each: ${small} → ${large}`);
});

test('snapshotCounts names the file when it is not a heap snapshot', () => {
  const file = join(dir, 'not.heapsnapshot');
  writeFileSync(file, '{"a":1}');
  assert.throws(() => snapshotCounts(file), (err: Error) => err.message.includes(file) && err.message.includes('not a V8 heap snapshot'));
});
