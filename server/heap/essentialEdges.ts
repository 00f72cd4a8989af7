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

/** Clears bit i. */
export function clearBit(bits: Uint8Array, i: number): void {
  bits[i >>> 3]! &= ~(1 << (i & 7));
}

/** `1 / part of key (Object @7183) -> value (Object @7181) pair in WeakMap (table @104191)`: the table's id. */
const EPHEMERON = /^\d+ \/ part of key \(.* @\d+\) -> value \(.* @\d+\) pair in WeakMap \(table @(\d+)\)$/;

/**
 * The WeakMap table's half of each ephemeron pair (the internal edge from the table whose name
 * says `… pair in WeakMap (table @<its own id>)`, which DevTools and memlab skip), as a bit set over
 * edge ordinals (E/8 bytes). Each internal edge's name is looked at once, in string order (from
 * the string table's block cache rather than one file read each), in its raw bytes: only the
 * ephemeron names are decoded.
 */
export function ephemeronTableEdges(graph: HeapGraph): Uint8Array {
  const bits = new Uint8Array((graph.edgeCount + 7) >>> 3);
  const internal = graph.edgeTypeNames.indexOf('internal');
  if (internal < 0) return bits;
  const stringCount = graph.strings.count;
  const named = new Uint8Array((stringCount + 7) >>> 3);
  for (let e = 0; e < graph.edgeCount; e++) {
    if (graph.edgeType[e] === internal && graph.edgeName[e]! < stringCount) setBit(named, graph.edgeName[e]!);
  }
  // `named` keeps only the ephemeron names.
  const tableOf = new Map<number, number>();
  for (let s = 0; s < stringCount; s++) {
    if (!hasBit(named, s)) continue;
    const m = graph.strings.includes(s, 'pair in WeakMap (table @') ? EPHEMERON.exec(graph.strings.get(s)) : null;
    if (m) tableOf.set(s, Number(m[1]));
    else clearBit(named, s);
  }
  if (tableOf.size === 0) return bits;
  for (let from = 0; from < graph.nodeCount; from++) {
    const id = graph.nodeId[from];
    for (let e = graph.firstEdge[from]!; e < graph.firstEdge[from + 1]!; e++) {
      const name = graph.edgeName[e]!;
      if (graph.edgeType[e] === internal && name < stringCount && hasBit(named, name) && tableOf.get(name) === id) setBit(bits, e);
    }
  }
  return bits;
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

/** The essential edges as a bit set over edge ordinals (E/8 bytes); `ephemerons` is ephemeronTableEdges(graph). */
export function essentialEdges(graph: HeapGraph, ephemerons: Uint8Array): Uint8Array {
  const bits = new Uint8Array((graph.edgeCount + 7) >>> 3);
  const weak = graph.edgeTypeNames.indexOf('weak');
  const shortcut = graph.edgeTypeNames.indexOf('shortcut');
  const page = pageOwnedNodes(graph);
  const root = graph.rootIndex;
  for (let from = 0; from < graph.nodeCount; from++) {
    const fromPage = hasBit(page, from);
    for (let e = graph.firstEdge[from]!; e < graph.firstEdge[from + 1]!; e++) {
      const type = graph.edgeType[e];
      const to = graph.edgeTo[e]!;
      if (type === weak || to === from) continue;
      if (type === shortcut && from !== root) continue;
      if (from !== root && !fromPage && hasBit(page, to)) continue;
      if (hasBit(ephemerons, e)) continue;
      setBit(bits, e);
    }
  }
  return bits;
}
