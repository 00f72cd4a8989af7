import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
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
  const analysis = analyseHeap(g);
  const summary = summarizeHeap(analysis, snapshotFacts(header, g));
  assert.deepEqual(summary.duplicateStrings, [
    { value: 'x'.repeat(200), count: 2, totalSize: 640, wastedSize: 320 },
    { value: 'hello', count: 3, totalSize: 60, wastedSize: 40 },
  ]);
  assert.equal(summarizeHeap(analysis, snapshotFacts(header, g), { top: 1 }).duplicateStrings.length, 1);
  assert.throws(() => analyseHeap(g), /analyse each graph once/, 'a graph analysed twice is refused, not looped over');
});

test('keepTop keeps the highest scores in order, at most top', () => {
  const best: number[] = [];
  for (const x of [5, 1, 9, 3, 9, 7]) keepTop(best, x, 3, (v) => v);
  assert.deepEqual(best, [9, 9, 7]);
});

test('random graphs: class retained sizes equal the sum over objects with no same-class dominator above them', () => {
  const graphs = fc.integer({ min: 2, max: 20 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      classes: fc.array(fc.constantFrom('A', 'B', 'C'), { minLength: n, maxLength: n }),
      sizes: fc.array(fc.constantFrom(0, 1, 5, 10), { minLength: n, maxLength: n }),
      edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n }),
    }),
  );
  fc.assert(
    fc.property(graphs, ({ n, classes, sizes, edges }) => {
      const spec: GraphSpec = {
        nodes: Array.from({ length: n }, (_, v) => (v === 0 ? { type: 'synthetic', name: '', self: 0 } : { type: 'object', name: classes[v]!, self: sizes[v]! })),
        edges: edges.map(([from, to], j) => ({ from, to, type: 'property', name: `e${j}` })),
      };
      const g = graphFromSpec(spec);
      const a = analyseHeap(g);
      const want = new Map<string, { count: number; selfSize: number; retainedSize: number }>();
      for (let v = 1; v < n; v++) {
        if (sizes[v] === 0) continue;
        const stat = want.get(classes[v]!) ?? { count: 0, selfSize: 0, retainedSize: 0 };
        stat.count++;
        stat.selfSize += sizes[v]!;
        let above = a.idom[v]!;
        let nested = false;
        while (above !== 0) {
          if (classes[above] === classes[v] && sizes[above]! > 0) nested = true;
          above = a.idom[above]!;
        }
        if (!nested) stat.retainedSize += a.retainedSize[v]!;
        want.set(classes[v]!, stat);
      }
      const got = summarizeHeap(a, snapshotFacts(header, g)).constructors;
      assert.deepEqual(new Map(got.map((c) => [c.name, { count: c.count, selfSize: c.selfSize, retainedSize: c.retainedSize }])), want);
    }),
    { numRuns: 300 },
  );
});
