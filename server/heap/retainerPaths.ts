// One shortest retainer path per node, from the root's children (DevTools' and memlab's way,
// E-heap.md §2.3, §3.2): a breadth-first search that starts from the user roots (the root's
// non-synthetic children: `global` in Node) and then from the other GC roots, keeping per node
// the node it came from and that edge's type and name (RetainerTree). Weak edges, self edges and the WeakMap table's ephemeron edge
// are never followed; `internal`/`hidden` edges and edges into `(system)` and `system / …`
// nodes are less preferable: a node found only through them waits until no preferable frontier
// is left, so paths read through user-visible properties, elements and variables where there
// are any. Also here: each path's kind (user-visible or engine-held) for the leak diff. Pure.
import { hasBit } from './essentialEdges';
import { NONE, type HeapGraph, type HeapNodes } from './heapGraph';
import { classNameOf, SystemNodes } from './nodeClass';
import type { RetainerStep } from './heapTypes';

/**
 * The BFS tree of shortest paths, per node: the node it was first reached from and the edge's
 * type and name, copied out of the edge columns so that paths need no edges afterwards (9 bytes
 * per node, against the edges' 9 per edge, which analyseHeap gives back).
 */
export interface RetainerTree {
  /** Per node: the ordinal of the node before it on its path, NONE (2^32-1) for the root and for nodes no path reaches. */
  parent: Uint32Array;
  /** Per node: the type code of the edge into it on its path. */
  edgeType: Uint8Array;
  /** Per node: that edge's name_or_index (a string index, or an element's index). */
  edgeName: Uint32Array;
}

/** Shortest paths from the root over the edges DevTools follows, user-visible ones first; `ephemerons` is ephemeronTableEdges(graph). */
export function buildRetainerTree(graph: HeapGraph, ephemerons: Uint8Array): RetainerTree {
  const n = graph.nodeCount;
  const { firstEdge, edgeTo, edgeType, edgeName, nodeType } = graph;
  const weak = graph.edgeTypeNames.indexOf('weak');
  const internal = graph.edgeTypeNames.indexOf('internal');
  const hidden = graph.edgeTypeNames.indexOf('hidden');
  const synthetic = graph.nodeTypeNames.indexOf('synthetic');
  const system = new SystemNodes(graph);
  const root = graph.rootIndex;
  // While searching, each node's path edge (its ordinal) waits in the array that ends up holding
  // the edge names, and `state` becomes the edge types: 9 bytes per node beside the queues.
  const pathEdge = new Uint32Array(n).fill(NONE);
  // 0 = not reached, 1 = on its path, 2 = reached only through a less preferable edge so far.
  const state = new Uint8Array(n);
  const queue = new Uint32Array(n);
  const deferred = new Uint32Array(n);
  let head = 0;
  let tail = 0;
  let deferredHead = 0;
  let deferredTail = 0;
  state[root] = 1;
  // No closures over these arrays: V8's on-stack-replaced code for a closure's loop keeps the
  // closure's context (and so these arrays) alive after the search, until it is thrown away.
  for (const userRoots of [true, false]) {
    for (let e = firstEdge[root]!; e < firstEdge[root + 1]!; e++) {
      const to = edgeTo[e]!;
      if (edgeType[e] === weak || state[to] === 1 || (nodeType[to] !== synthetic) !== userRoots) continue;
      state[to] = 1;
      pathEdge[to] = e;
      queue[tail++] = to;
    }
    for (;;) {
      while (head < tail) {
        const node = queue[head++]!;
        for (let e = firstEdge[node]!; e < firstEdge[node + 1]!; e++) {
          const to = edgeTo[e]!;
          const type = edgeType[e]!;
          if (type === weak || to === node || state[to] === 1 || hasBit(ephemerons, e)) continue;
          const preferable = type !== internal && type !== hidden && !system.has(to);
          if (!preferable && state[to] !== 0) continue;
          pathEdge[to] = e;
          if (preferable) {
            state[to] = 1;
            queue[tail++] = to;
          } else {
            state[to] = 2;
            deferred[deferredTail++] = to;
          }
        }
      }
      let moved = false;
      for (; deferredHead < deferredTail; deferredHead++) {
        const node = deferred[deferredHead]!;
        if (state[node] !== 2) continue;
        state[node] = 1;
        queue[tail++] = node;
        moved = true;
      }
      if (!moved) break;
    }
  }
  // The edges' source nodes in one pass over all edges (into the queue's buffer), then the
  // types and names in place.
  const parent = queue.fill(NONE);
  for (let from = 0; from < n; from++) {
    for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e++) if (pathEdge[edgeTo[e]!] === e) parent[edgeTo[e]!] = from;
  }
  const types = state;
  for (let v = 0; v < n; v++) {
    const e = pathEdge[v]!;
    if (e === NONE) continue;
    types[v] = edgeType[e]!;
    pathEdge[v] = edgeName[e]!;
  }
  return { parent, edgeType: types, edgeName: pathEdge };
}

/** A path's edge into `node` as DevTools writes it: `[3]` for elements and hidden edges, else its name. */
function edgeLabel(graph: HeapNodes, tree: RetainerTree, node: number): string {
  const type = graph.edgeTypeNames[tree.edgeType[node]!];
  const name = tree.edgeName[node]!;
  if (type === 'element' || type === 'hidden') return `[${name}]`;
  return graph.strings.get(name);
}

/** A node as a path shows it: its class name, or a synthetic root's own name such as `(GC roots)`. */
function nodeLabel(graph: HeapNodes, node: number): string {
  // Node's global object is named `global / ` (a browser's, `Window / <url>`): the empty URL is left out.
  return graph.nodeTypeNames[graph.nodeType[node]!] === 'synthetic' ? graph.strings.get(graph.nodeName[node]!) : classNameOf(graph, node).replace(/ \/ $/, '');
}

/** The nodes on the path to `node`, from the root's child to the node ([] for the root and for nodes no path reaches). */
function pathNodes(graph: HeapNodes, tree: RetainerTree, node: number): number[] {
  const nodes: number[] = [];
  let at = node;
  while (at !== graph.rootIndex) {
    if (tree.parent[at] === NONE) return [];
    nodes.push(at);
    at = tree.parent[at]!;
    if (nodes.length > graph.nodeCount) throw new Error('retainer tree has a cycle: it was not built by buildRetainerTree');
  }
  return nodes.reverse();
}

/** The shortest retainer path of `node`, from the root's child (a GC root or `global`) to the node. */
export function retainerPath(analysis: { graph: HeapNodes; paths: RetainerTree }, node: number): RetainerStep[] {
  const { graph, paths } = analysis;
  return pathNodes(graph, paths, node).map((to, i) => ({
    edge: i === 0 ? '' : edgeLabel(graph, paths, to),
    edgeType: i === 0 ? '' : graph.edgeTypeNames[paths.edgeType[to]!]!,
    node: nodeLabel(graph, to),
    nodeType: graph.nodeTypeNames[graph.nodeType[to]!]!,
    id: graph.nodeId[to]!,
  }));
}

/** Paths longer than this many steps are shortened with `…` in the middle. */
const MAX_STEPS = 8;

/** `(GC roots) → … → auditLog (Array) → [12] → AuditEntry`: each step as `edge (Class)`, the object last. */
export function formatRetainerPath(steps: readonly RetainerStep[]): string {
  if (steps.length === 0) return '(no path from the GC roots)';
  const parts = steps.map((s, i) => (i === 0 ? s.node : i === steps.length - 1 ? `${s.edge} → ${s.node}` : `${s.edge} (${s.node})`));
  if (parts.length > MAX_STEPS) parts.splice(1, parts.length - MAX_STEPS + 1, '…');
  return parts.join(' → ');
}

/**
 * Whether each node's retainer path holds it where the program can see it, memoised over the
 * retainer tree (O(N) in all). Engine nodes are synthetic ones, compiled code (feedback cells,
 * allocation sites) and `(system)` / `system / …` nodes. A step is user-visible when it is a
 * variable (a context edge) or a property, element or shortcut of a non-engine object. A node
 * is 'user' when reached by a user-visible step, or by any step from a 'user' node that is not
 * an engine node (Map → table → entry keeps the entry 'user'); else 'system': held only by the
 * engine's internals (code caches, feedback), which the leak diff leaves out.
 */
export class PathKinds {
  /** Per node: 0 not looked at, 1 no path (held only weakly, or unreachable), 2 system-only, 3 user-visible, 4 held through compiled code (feedback cells, boilerplates: the engine's, whatever follows). */
  private readonly kind: Uint8Array;
  private readonly system: SystemNodes;
  private readonly types: { context: number; property: number; element: number; shortcut: number; synthetic: number; code: number };

  constructor(private readonly analysis: { graph: HeapNodes; paths: RetainerTree }) {
    const { graph } = analysis;
    this.kind = new Uint8Array(graph.nodeCount);
    this.kind[graph.rootIndex] = 2;
    this.system = new SystemNodes(graph);
    const e = (name: string) => graph.edgeTypeNames.indexOf(name);
    this.types = { context: e('context'), property: e('property'), element: e('element'), shortcut: e('shortcut'), synthetic: graph.nodeTypeNames.indexOf('synthetic'), code: graph.nodeTypeNames.indexOf('code') };
  }

  /** 'none' when no strong path reaches the node, 'system' when only the engine's internals hold it (or its path runs through compiled code), else 'user'. */
  of(node: number): 'none' | 'system' | 'user' {
    const { paths } = this.analysis;
    const nodes: number[] = [];
    let at = node;
    while (this.kind[at] === 0) {
      const from = paths.parent[at]!;
      if (from === NONE) {
        this.kind[at] = 1;
        break;
      }
      nodes.push(at);
      at = from;
    }
    for (let i = nodes.length - 1; i >= 0; i--) {
      const from = i === nodes.length - 1 ? at : nodes[i + 1]!;
      const above = this.kind[from]!;
      if (above === 1) this.kind[nodes[i]!] = 1;
      else if (above === 4 || this.analysis.graph.nodeType[from] === this.types.code) this.kind[nodes[i]!] = 4;
      else this.kind[nodes[i]!] = this.userVisible(nodes[i]!, from) || (above === 3 && !this.engine(from)) ? 3 : 2;
    }
    return (['none', 'none', 'system', 'user', 'system'] as const)[this.kind[node]!]!;
  }

  /** Whether the path's step into `node` (from `from`) is one the program sees. */
  private userVisible(node: number, from: number): boolean {
    const type = this.analysis.paths.edgeType[node];
    const t = this.types;
    if (type === t.context) return true;
    if (type !== t.property && type !== t.element && type !== t.shortcut) return false;
    return !this.engine(from);
  }

  private engine(node: number): boolean {
    const type = this.analysis.graph.nodeType[node];
    return type === this.types.synthetic || type === this.types.code || this.system.has(node);
  }
}
