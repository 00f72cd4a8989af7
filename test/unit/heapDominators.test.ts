import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyseHeap } from '../../server/heap/analyseHeap';
import { computeDominators } from '../../server/heap/dominators';
import { ephemeronTableEdges, essentialEdges, hasBit } from '../../server/heap/essentialEdges';
import { graphFromSpec, SESSIONS_GRAPH, WEAKMAP_GRAPH, type EdgeTypeName, type GraphSpec } from './heapFixtures';

test('SESSIONS_GRAPH: the retained sizes worked out by hand', () => {
  const a = analyseHeap(graphFromSpec(SESSIONS_GRAPH));
  assert.deepEqual([...a.retainedSize], [316 + 8, 316, 316, 128, 56, 56, 32, 32, 48, 100, 8]);
  assert.deepEqual([...a.idom], [0, 0, 1, 2, 3, 3, 4, 5, 2, 2, 0]);
  assert.deepEqual(a.unreachable, { count: 1, size: 8 });
});

test('essential edges: no weak, no self, shortcut only from the root, not the WeakMap table edge', () => {
  const g = graphFromSpec(WEAKMAP_GRAPH);
  const bits = essentialEdges(g, ephemeronTableEdges(g));
  const kept: string[] = [];
  for (let from = 0; from < g.nodeCount; from++) {
    for (let e = g.firstEdge[from]!; e < g.firstEdge[from + 1]!; e++) if (hasBit(bits, e)) kept.push(`${from}->${g.edgeTo[e]} ${g.edgeTypeNames[g.edgeType[e]!]}`);
  }
  assert.deepEqual(kept, ['0->1 element', '1->2 element', '1->4 element', '2->3 internal', '4->5 internal']);
  const a = analyseHeap(g);
  assert.equal(a.idom[5], 4, 'the value is held by its key, not by the WeakMap');
  assert.equal(a.retainedSize[4], 20);
});

test('page-owned: an edge from outside the global object graph into it does not count', () => {
  const g = graphFromSpec({
    nodes: [
      { type: 'synthetic', name: '', self: 0 },
      { type: 'object', name: 'global', self: 10 },
      { type: 'synthetic', name: '(GC roots)', self: 0 },
      { type: 'object', name: 'Holder', self: 10 },
      { type: 'object', name: 'Thing', self: 10 },
      { type: 'object', name: 'Handle', self: 10 },
    ],
    edges: [
      { from: 0, to: 1, type: 'shortcut', name: 'global' },
      { from: 0, to: 2, type: 'element', name: 1 },
      { from: 1, to: 3, type: 'property', name: 'holder' },
      { from: 3, to: 4, type: 'property', name: 'thing' },
      { from: 2, to: 5, type: 'element', name: 1 },
      { from: 5, to: 4, type: 'property', name: 'thing' },
    ],
  });
  const a = analyseHeap(g);
  assert.equal(a.idom[4], 3, 'Thing stays dominated by Holder although a handle also holds it');
  assert.equal(a.retainedSize[3], 20);
});

test('unreachable nodes: weakly held ones get a DFS of their own from the root, cycles too', () => {
  const g = graphFromSpec({
    nodes: [
      { type: 'synthetic', name: '', self: 0 },
      { type: 'object', name: 'A', self: 1 },
      { type: 'object', name: 'WeakOnly', self: 2 },
      { type: 'object', name: 'Held', self: 4 },
      { type: 'object', name: 'C1', self: 8 },
      { type: 'object', name: 'C2', self: 16 },
    ],
    edges: [
      { from: 0, to: 1, type: 'element', name: 1 },
      { from: 1, to: 2, type: 'weak', name: 'w' },
      { from: 2, to: 3, type: 'property', name: 'held' },
      { from: 4, to: 5, type: 'property', name: 'next' },
      { from: 5, to: 4, type: 'property', name: 'next' },
      { from: 1, to: 4, type: 'weak', name: 'w2' },
    ],
  });
  const a = analyseHeap(g);
  assert.deepEqual(a.unreachable, { count: 4, size: 30 });
  assert.deepEqual([...a.idom], [0, 0, 0, 2, 0, 4]);
  assert.equal(a.retainedSize[2], 6);
  assert.equal(a.retainedSize[4], 24);
  assert.equal(a.retainedSize[0], 31);
});

// --- The naive reference: dominator sets by the iterative equations, on the graph DevTools sees. ---

interface Small {
  n: number;
  edges: Array<{ from: number; to: number; type: EdgeTypeName }>;
}

function referenceEssential(g: Small): Array<[number, number]> {
  // Page-owned: reachable over non-weak edges from the root's shortcut targets.
  const page = new Set<number>();
  const todo = g.edges.filter((e) => e.from === 0 && e.type === 'shortcut').map((e) => e.to);
  while (todo.length) {
    const v = todo.pop()!;
    if (page.has(v)) continue;
    page.add(v);
    for (const e of g.edges) if (e.from === v && e.type !== 'weak') todo.push(e.to);
  }
  return g.edges
    .filter((e) => e.type !== 'weak' && e.from !== e.to && (e.type !== 'shortcut' || e.from === 0) && !(e.from !== 0 && !page.has(e.from) && page.has(e.to)))
    .map((e) => [e.from, e.to]);
}

function referenceDominators(g: Small): { idom: number[]; retained: number[]; self: number[] } & { unreachable: number } {
  const edges = referenceEssential(g);
  const reach = (from: Array<[number, number]>): Set<number> => {
    const seen = new Set([0]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [a, b] of from) {
        if (seen.has(a) && !seen.has(b)) {
          seen.add(b);
          grew = true;
        }
      }
    }
    return seen;
  };
  let reached = reach(edges);
  const unreachable = g.n - reached.size;
  const virtual: Array<[number, number]> = [];
  for (let v = 0; v < g.n; v++) if (!reached.has(v) && !edges.some(([, b]) => b === v)) virtual.push([0, v]);
  reached = reach([...edges, ...virtual]);
  for (let v = 0; v < g.n; v++) {
    if (reached.has(v)) continue;
    virtual.push([0, v]);
    reached = reach([...edges, ...virtual]);
  }
  const all = [...edges, ...virtual];
  const dom: Array<Set<number>> = Array.from({ length: g.n }, (_, v) => (v === 0 ? new Set([0]) : new Set(Array.from({ length: g.n }, (_, i) => i))));
  let changed = true;
  while (changed) {
    changed = false;
    for (let v = 1; v < g.n; v++) {
      const preds = all.filter(([, b]) => b === v).map(([a]) => a);
      const next = new Set([v]);
      for (const c of dom[preds[0]!]!) if (preds.every((p) => dom[p]!.has(c))) next.add(c);
      if (next.size !== dom[v]!.size) {
        dom[v] = next;
        changed = true;
      }
    }
  }
  // The immediate dominator: the strict dominator that every other strict dominator dominates.
  const idom = dom.map((set, v) => (v === 0 ? 0 : [...set].find((d) => d !== v && [...set].every((o) => o === v || dom[d]!.has(o)))!));
  const self = Array.from({ length: g.n }, (_, v) => v + 1);
  const retained = self.map((_, v) => self.reduce((sum, s, u) => sum + (dom[u]!.has(v) ? s : 0), 0));
  return { idom, retained, self, unreachable };
}

const smallGraph = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(
      fc.record({
        from: fc.nat(n - 1),
        to: fc.nat(n - 1),
        type: fc.constantFrom<EdgeTypeName>('property', 'property', 'element', 'internal', 'weak', 'shortcut'),
      }),
      { maxLength: 3 * n },
    ),
  }),
);

test('SEMI-NCA agrees with the dominator set equations on random graphs (weak, shortcut, unreachable parts)', () => {
  fc.assert(
    fc.property(smallGraph, (g) => {
      const spec: GraphSpec = {
        nodes: Array.from({ length: g.n }, (_, v) => ({ type: 'object', name: `N${v}`, self: v + 1 })),
        edges: g.edges.map((e, j) => ({ ...e, name: e.type === 'element' ? j : `e${j}` })),
      };
      // The way analyseHeap runs it: predecessor lists in the edge-name column, edges given back.
      const graph = graphFromSpec(spec);
      const got = analyseHeap(graph);
      assert.equal(graph.edgeTo.length, 0, 'the edges were given back');
      const want = referenceDominators(g);
      assert.deepEqual([...got.idom], want.idom);
      assert.deepEqual([...got.retainedSize], want.retained);
      assert.equal(got.unreachable.count, want.unreachable);
      // And alone, with lists of its own and the edges kept.
      const plain = graphFromSpec(spec);
      const alone = computeDominators(plain, essentialEdges(plain, ephemeronTableEdges(plain)));
      assert.deepEqual([...alone.idom], want.idom);
      assert.equal(plain.edgeTo.length, g.edges.length);
    }),
    { numRuns: 400 },
  );
});
