import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseHeap } from '../../server/heap/analyseHeap';
import { classNameOf } from '../../server/heap/nodeClass';
import { formatRetainerPath } from '../../server/heap/retainerPaths';
import { keepTop, snapshotFacts, summarizeHeap } from '../../server/heap/summarizeHeap';
import { graphFromSpec, SESSIONS_GRAPH, type GraphSpec } from './heapFixtures';

const header = { fileSize: 1234, nodeFields: ['type', 'name', 'id', 'self_size', 'edge_count', 'detachedness'] };

test('class names follow DevTools: (system), (compiled code), Function, RegExp, the name of objects, (type) otherwise', () => {
  const g = graphFromSpec({
    nodes: [
      { type: 'hidden', name: 'system / Foo', self: 1 },
      { type: 'code', name: 'x', self: 1 },
      { type: 'closure', name: 'handler', self: 1 },
      { type: 'regexp', name: '/a+/', self: 1 },
      { type: 'object', name: 'Session', self: 1 },
      { type: 'native', name: 'Buffer', self: 1 },
      { type: 'string', name: 'hello', self: 1 },
      { type: 'concatenated string', name: 'ab', self: 1 },
      { type: 'array', name: '(object elements)', self: 1 },
    ],
    edges: [],
  });
  assert.deepEqual(
    Array.from({ length: g.nodeCount }, (_, i) => classNameOf(g, i)),
    ['(system)', '(compiled code)', 'Function', 'RegExp', 'Session', 'Buffer', '(string)', '(concatenated string)', '(array)'],
  );
});

test('SESSIONS_GRAPH summary: constructors by retained size, largest objects with paths, the unreachable part', () => {
  const g = graphFromSpec(SESSIONS_GRAPH);
  const facts = snapshotFacts(header, g, '/tmp/s.heapsnapshot');
  assert.deepEqual(facts, { file: '/tmp/s.heapsnapshot', fileSize: 1234, nodeCount: 11, edgeCount: 13, totalSize: 324, nodeFieldCount: 6 });
  const summary = summarizeHeap(analyseHeap(g), facts, { top: 3 });
  assert.deepEqual(
    summary.constructors.map((c) => [c.name, c.count, c.selfSize, c.retainedSize]),
    [
      ['(system)', 1, 40, 316],
      ['Array', 1, 16, 128],
      ['Session', 2, 48, 112],
      ['Buffer', 1, 100, 100],
      ['(array)', 2, 64, 64],
      ['Map', 1, 48, 48],
      ['Object', 1, 8, 8],
    ],
  );
  assert.deepEqual(
    summary.largest.map((o) => [o.name, o.retainedSize]),
    [
      ['(system)', 316],
      ['Array', 128],
      ['Buffer', 100],
    ],
  );
  assert.equal(formatRetainerPath(summary.largest[1]!.path!), '(GC roots) → [1] ((system)) → sessions → Array');
  assert.deepEqual(summary.unreachable, { count: 1, size: 8 });
  assert.deepEqual(summary.warnings, ['1 node is unreachable from the root (DevTools attaches them to the root; they count in its retained size).']);
});

test('a class nested in itself counts once: the topmost object on each dominator path', () => {
  const spec: GraphSpec = {
    nodes: [
      { type: 'synthetic', name: '', self: 0 },
      { type: 'object', name: 'ListNode', self: 10 },
      { type: 'object', name: 'ListNode', self: 10 },
      { type: 'object', name: 'Other', self: 5 },
      { type: 'object', name: 'ListNode', self: 10 },
      { type: 'object', name: 'ListNode', self: 7 },
    ],
    edges: [
      { from: 0, to: 1, type: 'element', name: 1 },
      { from: 1, to: 2, type: 'property', name: 'next' },
      { from: 2, to: 3, type: 'property', name: 'other' },
      { from: 3, to: 4, type: 'property', name: 'node' },
      { from: 0, to: 5, type: 'element', name: 2 },
    ],
  };
  const summary = summarizeHeap(analyseHeap(graphFromSpec(spec)), snapshotFacts(header, graphFromSpec(spec)));
  const list = summary.constructors.find((c) => c.name === 'ListNode')!;
  assert.deepEqual(list, { name: 'ListNode', count: 4, selfSize: 37, retainedSize: 35 + 7 });
  assert.equal(summary.constructors.find((c) => c.name === 'Other')!.retainedSize, 15);
});

test('duplicated strings: same value, all copies but one wasted, value cut to 200 characters', () => {
  const long = 'x'.repeat(300);
  const spec: GraphSpec = {
    nodes: [
      { type: 'synthetic', name: '', self: 0 },
      { type: 'string', name: 'hello', self: 20 },
      { type: 'string', name: 'hello', self: 20 },
      { type: 'string', name: 'hello', self: 20 },
      { type: 'string', name: 'once', self: 20 },
      { type: 'string', name: long, self: 320 },
      { type: 'string', name: long, self: 320 },
      { type: 'object', name: 'hello', self: 20 },
    ],
    edges: [],
  };
  const g = graphFromSpec(spec);
  const summary = summarizeHeap(analyseHeap(g), snapshotFacts(header, g));
  assert.deepEqual(summary.duplicateStrings, [
    { value: 'x'.repeat(200), count: 2, totalSize: 640, wastedSize: 320 },
    { value: 'hello', count: 3, totalSize: 60, wastedSize: 40 },
  ]);
  assert.equal(summarizeHeap(analyseHeap(g), snapshotFacts(header, g), { top: 1 }).duplicateStrings.length, 1);
});

test('keepTop keeps the highest scores in order, at most top', () => {
  const best: number[] = [];
  for (const x of [5, 1, 9, 3, 9, 7]) keepTop(best, x, 3, (v) => v);
  assert.deepEqual(best, [9, 9, 7]);
});
