// Property-based tests of the streaming .heapsnapshot reader: random heap graphs written in V8's
// layout read back exactly (6 or 7 node fields, any chunk size), and random corruptions of them
// (truncation, a replaced byte, inserted bytes, a digit turned into a letter, huge header counts)
// give either a well-formed graph or the reader's own errors: never another error, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { V8_EDGE_TYPES, V8_NODE_TYPES, type HeapGraph } from '../../server/heap/heapGraph';
import { readSnapshot, readSnapshotIds, SnapshotFormatError, SnapshotTooLargeError } from '../../server/heap/snapshotReader';
import { graphFromSpec, snapshotText, type EdgeSpec, type GraphSpec } from './heapFixtures';
import { assertSameGraph } from './snapshotAssertions';

// At least 1000 cases in all; FUZZ_RUNS=20000 (say) searches harder.
const RUNS = Math.max(1000, Number(process.env.FUZZ_RUNS ?? 0));
/** A case that takes longer than this has hung. */
const CASE_TIMEOUT_MS = 5000;

const name = fc.oneof(fc.constantFrom('', 'Object', 'Array', '(GC roots)', 'system / Context', 'a"b', 'x\\y', 'line\nbreak'), fc.string({ unit: 'binary', maxLength: 8 }));

const graphSpec: fc.Arbitrary<GraphSpec> = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.record({
    nodes: fc.array(
      fc.record(
        {
          type: fc.constantFrom(...V8_NODE_TYPES),
          name,
          id: fc.oneof(fc.nat(100), fc.constant(2 ** 32 - 1), fc.nat({ max: 2 ** 32 - 1 })),
          self: fc.oneof(fc.nat(1000), fc.nat({ max: 2 ** 32 - 1 }), fc.integer({ min: 2 ** 32 - 1, max: 2 ** 45 })),
        },
        { requiredKeys: ['type', 'name', 'self'] },
      ),
      { minLength: n, maxLength: n },
    ),
    edges: fc.array(
      fc.record({ from: fc.nat(n - 1), to: fc.nat(n - 1), type: fc.constantFrom(...V8_EDGE_TYPES), index: fc.nat({ max: 2 ** 32 - 1 }), name }).map(
        ({ from, to, type, index, name: edgeName }): EdgeSpec => ({ from, to, type, name: type === 'element' || type === 'hidden' ? index : edgeName }),
      ),
      { maxLength: 3 * n },
    ),
  }),
);

const layout = fc.record({ traceNodeId: fc.boolean(), lineBreaks: fc.boolean() });
const chunkBytes = fc.constantFrom(1, 2, 7, 13, 64, 1000, undefined);

function scratchFile(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'perflens-heap-fuzz-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'case.heapsnapshot');
}

test('random heap graphs written in V8 layout read back exactly, at any chunk size', async (t) => {
  const file = scratchFile(t);
  await fc.assert(
    fc.asyncProperty(graphSpec, layout, chunkBytes, async (spec, options, chunk) => {
      writeFileSync(file, snapshotText(spec, options));
      const loaded = await readSnapshot(file, { chunkBytes: chunk === 1 ? 3 : chunk });
      try {
        assertSameGraph(loaded.graph, graphFromSpec(spec));
      } finally {
        loaded.close();
      }
      const ids = (await readSnapshotIds(file, { chunkBytes: chunk })).ids;
      assert.deepEqual([...ids], [...new Set(graphFromSpec(spec).nodeId)].sort((a, b) => a - b));
    }),
    { numRuns: Math.ceil(RUNS / 3), timeout: CASE_TIMEOUT_MS },
  );
});

type Corruption =
  | { kind: 'truncate'; at: number }
  | { kind: 'replace'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'letter'; at: number; letter: string }
  | { kind: 'count'; which: 'node_count' | 'edge_count'; value: number };

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), byte: fc.oneof(fc.nat(255), fc.constantFrom(0x2c, 0x5d, 0x5b, 0x22, 0x5c, 0x30, 0x39, 0x7d, 0x0a)) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), bytes: fc.array(fc.oneof(fc.nat(255), fc.constantFrom(0x2c, 0x5d, 0x5b, 0x22, 0x5c, 0x31, 0x7b)), { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('letter' as const), at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), letter: fc.constantFrom('a', 'e', 'x', 'E', '-', '.') }),
  fc.record({ kind: fc.constant('count' as const), which: fc.constantFrom('node_count' as const, 'edge_count' as const), value: fc.oneof(fc.nat(40), fc.constantFrom(2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 1e15, 2 ** 53)) }),
);

/** Maps a fraction to a position in the text: `at` ∈ [0, 1) × length. */
function corrupt(text: string, c: Corruption): Buffer {
  const bytes = Buffer.from(text);
  const at = c.kind === 'count' ? 0 : Math.floor(c.at * bytes.length);
  switch (c.kind) {
    case 'truncate':
      return bytes.subarray(0, at);
    case 'replace': {
      const copy = Buffer.from(bytes);
      copy[at] = c.byte;
      return copy;
    }
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(c.bytes), bytes.subarray(at)]);
    case 'letter': {
      // The first digit at or after `at`.
      const copy = Buffer.from(bytes);
      for (let i = at; i < copy.length; i++) {
        if (copy[i]! >= 0x30 && copy[i]! <= 0x39) {
          copy[i] = c.letter.charCodeAt(0);
          break;
        }
      }
      return copy;
    }
    case 'count':
      return Buffer.from(text.replace(new RegExp(`"${c.which}":\\d+`), `"${c.which}":${c.value}`));
  }
}

/** The invariants every graph the reader returns holds, whatever the input was. */
function assertWellFormed(graph: HeapGraph): void {
  assert.equal(graph.firstEdge.length, graph.nodeCount + 1);
  assert.equal(graph.firstEdge[0], 0);
  assert.equal(graph.firstEdge[graph.nodeCount], graph.edgeCount);
  for (let i = 0; i < graph.nodeCount; i++) {
    assert.ok(graph.firstEdge[i]! <= graph.firstEdge[i + 1]!);
    assert.ok(graph.nodeType[i]! < graph.nodeTypeNames.length);
    assert.ok(graph.nodeName[i]! < graph.strings.count);
    graph.strings.get(graph.nodeName[i]!);
  }
  for (let j = 0; j < graph.edgeCount; j++) {
    assert.ok(graph.edgeTo[j]! < graph.nodeCount);
    assert.ok(graph.edgeType[j]! < graph.edgeTypeNames.length);
  }
  for (let s = 0; s < graph.strings.count; s++) assert.equal(typeof graph.strings.get(s), 'string');
}

function isReaderError(error: unknown): boolean {
  return error instanceof SnapshotFormatError || error instanceof SnapshotTooLargeError;
}

test('corrupted snapshots give a well-formed graph or the reader’s own error, never another error or a hang', async (t) => {
  const file = scratchFile(t);
  await fc.assert(
    fc.asyncProperty(graphSpec, layout, corruption, fc.constantFrom(5, 17, 64, undefined), async (spec, options, c, chunk) => {
      writeFileSync(file, corrupt(snapshotText(spec, options), c));
      try {
        const loaded = await readSnapshot(file, { chunkBytes: chunk, memoryLimitBytes: 2 ** 30 });
        try {
          assertWellFormed(loaded.graph);
        } finally {
          loaded.close();
        }
      } catch (error) {
        if (!isReaderError(error)) throw error;
      }
      try {
        const { ids } = await readSnapshotIds(file, { chunkBytes: chunk, memoryLimitBytes: 2 ** 30 });
        for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1]! < ids[i]!);
      } catch (error) {
        if (!isReaderError(error)) throw error;
      }
    }),
    { numRuns: RUNS, timeout: CASE_TIMEOUT_MS },
  );
});
