// Which edges count for dominators and retained sizes: DevTools' isEssentialEdge (E-heap.md §2.4).
// Left out: weak edges, self edges, shortcut edges except from the root, the WeakMap table's
// internal edge of an ephemeron pair (the key → value edge stays), and edges from nodes that are
// not page-owned into page-owned ones (page-owned = reachable over non-weak edges from the root's
// shortcut edges, which in Node snapshots point at `global`; this keeps objects that a handle
// scope or the debugger also holds dominated inside the program's own object graph). Pure.
import type { HeapGraph } from './heapGraph';

/** Bit i of a bit set kept as bytes (one bit per edge or node). */
export function hasBit(bits: Uint8Array, i: number): boolean {
  return (bits[i >>> 3]! & (1 << (i & 7))) !== 0;
}

/** Sets bit i. */
export function setBit(bits: Uint8Array, i: number): void {
  bits[i >>> 3]! |= 1 << (i & 7);
}

/** `1 / part of key (Object @7183) -> value (Object @7181) pair in WeakMap (table @104191)`: the table's id. */
const EPHEMERON = /^\d+ \/ part of key \(.* @\d+\) -> value \(.* @\d+\) pair in WeakMap \(table @(\d+)\)$/;

/** The WeakMap table id named by an internal edge's name, or -1 when it is no ephemeron edge. */
function ephemeronTableId(name: string): number {
  if (!name.includes('pair in WeakMap')) return -1;
  const m = EPHEMERON.exec(name);
  return m ? Number(m[1]) : -1;
}

/**
 * Tells, per internal edge, whether it is the table's half of an ephemeron pair; decodes each
 * distinct edge name once (0 = not looked at, 1 = no ephemeron, 2 = ephemeron).
 */
export class EphemeronEdges {
  private readonly seen: Uint8Array;
  private readonly internal: number;

  constructor(private readonly graph: HeapGraph) {
    this.seen = new Uint8Array(graph.strings.count);
    this.internal = graph.edgeTypeNames.indexOf('internal');
  }

  /** True for the edge from the WeakMap's table (the one DevTools and memlab skip). */
  isTableEdge(from: number, edge: number): boolean {
    const g = this.graph;
    if (g.edgeType[edge] !== this.internal) return false;
    const name = g.edgeName[edge]!;
    if (name >= this.seen.length) return false;
    let state = this.seen[name]!;
    if (state === 0) {
      state = ephemeronTableId(g.strings.get(name)) >= 0 ? 2 : 1;
      this.seen[name] = state;
    }
    return state === 2 && ephemeronTableId(g.strings.get(name)) === g.nodeId[from];
  }
}

/** Nodes reachable from the root's shortcut edges (and a `(Document DOM trees)` root) over non-weak edges. */
function pageOwnedNodes(graph: HeapGraph): Uint8Array {
  const bits = new Uint8Array((graph.nodeCount + 7) >>> 3);
  const shortcut = graph.edgeTypeNames.indexOf('shortcut');
  const element = graph.edgeTypeNames.indexOf('element');
  const weak = graph.edgeTypeNames.indexOf('weak');
  const synthetic = graph.nodeTypeNames.indexOf('synthetic');
  const queue = new Uint32Array(graph.nodeCount);
  let tail = 0;
  const root = graph.rootIndex;
  for (let e = graph.firstEdge[root]!; e < graph.firstEdge[root + 1]!; e++) {
    const to = graph.edgeTo[e]!;
    const type = graph.edgeType[e];
    const isDomTrees = type === element && graph.nodeType[to] === synthetic && graph.strings.get(graph.nodeName[to]!) === '(Document DOM trees)';
    if ((type === shortcut || isDomTrees) && !hasBit(bits, to)) {
      setBit(bits, to);
      queue[tail++] = to;
    }
  }
  for (let head = 0; head < tail; head++) {
    const node = queue[head]!;
    for (let e = graph.firstEdge[node]!; e < graph.firstEdge[node + 1]!; e++) {
      if (graph.edgeType[e] === weak) continue;
      const to = graph.edgeTo[e]!;
      if (hasBit(bits, to)) continue;
      setBit(bits, to);
      queue[tail++] = to;
    }
  }
  return bits;
}

/** The essential edges as a bit set over edge ordinals (E/8 bytes). */
export function essentialEdges(graph: HeapGraph): Uint8Array {
  const bits = new Uint8Array((graph.edgeCount + 7) >>> 3);
  const weak = graph.edgeTypeNames.indexOf('weak');
  const shortcut = graph.edgeTypeNames.indexOf('shortcut');
  const page = pageOwnedNodes(graph);
  const ephemerons = new EphemeronEdges(graph);
  const root = graph.rootIndex;
  for (let from = 0; from < graph.nodeCount; from++) {
    const fromPage = hasBit(page, from);
    for (let e = graph.firstEdge[from]!; e < graph.firstEdge[from + 1]!; e++) {
      const type = graph.edgeType[e];
      const to = graph.edgeTo[e]!;
      if (type === weak || to === from) continue;
      if (type === shortcut && from !== root) continue;
      if (from !== root && !fromPage && hasBit(page, to)) continue;
      if (ephemerons.isTableEdge(from, e)) continue;
      setBit(bits, e);
    }
  }
  return bits;
}
