// The dominator tree and retained sizes of a heap graph, over the essential edges only
// (essentialEdges.ts), by SEMI-NCA (Georgiadis' semidominators + nearest common ancestor, as in
// LLVM's SemiNCAInfo): exact, O(E log N), iterative throughout (no recursion: 20 M nodes), all in
// typed arrays indexed by DFS preorder numbers. Nodes the root does not reach are handled as
// DevTools does: a second DFS from each node with no essential retainer at all (weakly held
// only) with the root as its parent, then the rest (cycles held from outside only weakly), one
// DFS each in ordinal order, also from the root. Memory (computeDominators' options): the
// predecessor index and lists can go into a scratch column the caller no longer needs, and the
// SEMI-NCA arrays are made only after the caller has been told the edges are done with. Pure.
import { hasBit, setBit } from './essentialEdges';
import { NONE, selfSizeOf, type HeapGraph } from './heapGraph';

export interface Dominators {
  /** Per node: its immediate dominator's ordinal (the root's is itself). */
  idom: Uint32Array;
  /** Per node: its self size plus the self sizes of every node it dominates. */
  retainedSize: Float64Array;
  /** Nodes not reached from the root over essential edges (DevTools attaches them to the root). */
  unreachable: { count: number; size: number };
}

export interface DominatorOptions {
  /**
   * Room for the predecessor index and lists (n + 1 entries, then one per essential edge that is
   * not a DFS tree edge), used instead of new arrays as far as it is long enough: analyseHeap
   * passes the edge-name column, which nothing reads by then.
   */
  scratch?: Uint32Array;
  /** Called once the graph's edges have been read for the last time, before SEMI-NCA's own arrays are made: the caller can give the edges back then. */
  doneWithEdges?(): void;
}

/** Dominators of `graph` from its root over the edges whose bit is set in `essential` (essentialEdges()). */
export function computeDominators(graph: HeapGraph, essential: Uint8Array, options: DominatorOptions = {}): Dominators {
  const n = graph.nodeCount;
  const root = graph.rootIndex;
  // While the edges are held, two arrays of n beside the scratch: pre and parent. The scratch
  // holds firstPred (the DFS's stack until the lists are counted), then the lists. Once the edges
  // are given back, vertex and the semi + label pair join them.
  const { scratch } = options;
  const firstPred = scratch && scratch.length >= n + 1 ? scratch.subarray(0, n + 1) : new Uint32Array(n + 1);
  const { pre, parent, unreachable } = depthFirst(graph, essential, firstPred);
  // The lists go after firstPred when it is in the scratch.
  const rest = scratch && firstPred.buffer === scratch.buffer ? scratch.subarray(n + 1) : scratch;
  const preds = predecessors(graph, essential, pre, parent, firstPred, rest);
  options.doneWithEdges?.();
  const vertex = new Uint32Array(n);
  for (let v = 0; v < n; v++) vertex[pre[v]!] = v;
  // semi and label share one buffer, which holds the Float64 retained sizes at the end.
  const pair = new ArrayBuffer(8 * n);
  const semi = new Uint32Array(pair, 0, n);
  const label = new Uint32Array(pair, 4 * n, n);

  // SEMI-NCA: `parent` becomes the link-eval forest's ancestor (path-compressed); idom starts as
  // the DFS parent, in `pre`'s buffer (pre is not needed once the predecessors are numbered).
  const idomPre = pre;
  idomPre.set(parent);
  const ancestor = parent;
  for (let i = 0; i < n; i++) {
    semi[i] = i;
    label[i] = i;
  }
  for (let w = n - 1; w >= 1; w--) {
    let s = idomPre[w]!;
    for (let k = firstPred[w]!; k < firstPred[w + 1]!; k++) {
      const u = semi[evaluate(ancestor, semi, label, preds[k]!, w + 1)]!;
      if (u < s) s = u;
    }
    semi[w] = s;
  }
  for (let w = 1; w < n; w++) {
    let c = idomPre[w]!;
    while (c > semi[w]!) c = idomPre[c]!;
    idomPre[w] = c;
  }

  // semi, label and ancestor are done with: the retained sizes take semi's and label's buffer,
  // the node-indexed idom takes ancestor's.
  const retainedSize = new Float64Array(pair);
  for (let v = 0; v < n; v++) retainedSize[v] = selfSizeOf(graph, v);
  const idom = ancestor;
  idom[root] = root;
  for (let w = n - 1; w >= 1; w--) {
    const v = vertex[w]!;
    const d = vertex[idomPre[w]!]!;
    idom[v] = d;
    retainedSize[d] += retainedSize[v]!;
  }
  return { idom, retainedSize, unreachable };
}

/**
 * EVAL of the link-eval forest: the label with the least semidominator on v's path to its
 * forest root, among the nodes linked so far (preorder ≥ lastLinked). Path compression without
 * a stack: the climb reverses the ancestor links it follows, the way back down follows them and
 * compresses. Module-level, as is the DFS, so that no closure holds the arrays (V8's
 * on-stack-replaced code keeps a closure's context alive after the call).
 */
function evaluate(ancestor: Uint32Array, semi: Uint32Array, label: Uint32Array, v: number, lastLinked: number): number {
  if (ancestor[v]! < lastLinked) return label[v]!;
  let below = NONE;
  let x = v;
  do {
    const up = ancestor[x]!;
    ancestor[x] = below;
    below = x;
    x = up;
  } while (ancestor[x]! >= lastLinked);
  let p = x;
  let pLabel = label[p]!;
  let node = below;
  for (;;) {
    const down = ancestor[node]!;
    ancestor[node] = ancestor[p]!;
    const vLabel = label[node]!;
    if (semi[pLabel]! < semi[vLabel]!) label[node] = pLabel;
    else pLabel = vLabel;
    if (down === NONE) break;
    p = node;
    node = down;
  }
  return label[v]!;
}

/**
 * Preorder numbers (node → pre) and DFS parents (pre → parent's pre) over the essential edges,
 * from the root, then from the nodes it does not reach (see the header). The stack is one entry
 * per level in `stack` (n + 1 long): the next edge to look at of that level's node, which is the
 * node the level above's last edge led to.
 */
function depthFirst(graph: HeapGraph, essential: Uint8Array, stack: Uint32Array): { pre: Uint32Array; parent: Uint32Array; unreachable: { count: number; size: number } } {
  const n = graph.nodeCount;
  const { firstEdge, edgeTo } = graph;
  const pre = new Uint32Array(n).fill(NONE);
  const parent = new Uint32Array(n);
  const search = { graph, essential, stack, pre, parent, count: 0 };
  depthFirstFrom(search, graph.rootIndex, 0);
  const unreachable = { count: n - search.count, size: 0 };
  if (search.count < n) {
    const hasRetainer = new Uint8Array((n + 7) >>> 3);
    for (let from = 0; from < n; from++) {
      for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e++) {
        if (hasBit(essential, e)) setBit(hasRetainer, edgeTo[e]!);
      }
    }
    for (let v = 0; v < n; v++) if (pre[v] === NONE) unreachable.size += selfSizeOf(graph, v);
    for (let v = 0; v < n; v++) if (pre[v] === NONE && !hasBit(hasRetainer, v)) depthFirstFrom(search, v, 0);
    for (let v = 0; v < n; v++) if (pre[v] === NONE) depthFirstFrom(search, v, 0);
  }
  return { pre, parent, unreachable };
}

interface Search {
  graph: HeapGraph;
  essential: Uint8Array;
  stack: Uint32Array;
  pre: Uint32Array;
  parent: Uint32Array;
  /** Nodes numbered so far. */
  count: number;
}

/** One DFS from `start` (given `parentPre` as its parent), numbering the nodes it reaches that have no number yet. */
function depthFirstFrom(search: Search, start: number, parentPre: number): void {
  const { stack, pre, parent, essential } = search;
  const { firstEdge, edgeTo } = search.graph;
  let count = search.count;
  pre[start] = count;
  parent[count] = parentPre;
  count++;
  stack[0] = firstEdge[start]!;
  let sp = 1;
  while (sp > 0) {
    const node = sp === 1 ? start : edgeTo[stack[sp - 2]! - 1]!;
    const end = firstEdge[node + 1]!;
    let e = stack[sp - 1]!;
    while (e < end && (pre[edgeTo[e]!] !== NONE || !hasBit(essential, e))) e++;
    if (e >= end) {
      sp--;
      continue;
    }
    stack[sp - 1] = e + 1;
    const child = edgeTo[e]!;
    pre[child] = count;
    parent[count] = pre[node]!;
    count++;
    stack[sp] = firstEdge[child]!;
    sp++;
  }
  search.count = count;
}

/**
 * Predecessors over essential edges, as preorder numbers, grouped by target (CSR): count into
 * firstPred[target], sum up to each list's end, then fill each list from its end (no copy). A
 * node's edges from its DFS parent are left out: the semidominator search starts from the parent
 * anyway, so they add nothing (and the lists are N entries shorter).
 */
function predecessors(graph: HeapGraph, essential: Uint8Array, pre: Uint32Array, parent: Uint32Array, firstPred: Uint32Array, scratch: Uint32Array | undefined): Uint32Array {
  const n = graph.nodeCount;
  const { firstEdge, edgeTo } = graph;
  firstPred.fill(0);
  for (let from = 0; from < n; from++) {
    const p = pre[from]!;
    for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e++) {
      if (!hasBit(essential, e)) continue;
      const t = pre[edgeTo[e]!]!;
      if (parent[t] !== p) firstPred[t]!++;
    }
  }
  for (let i = 1; i < n; i++) firstPred[i]! += firstPred[i - 1]!;
  firstPred[n] = firstPred[n - 1]!;
  const total = firstPred[n]!;
  const preds = scratch && scratch.length >= total ? scratch.subarray(0, total) : new Uint32Array(total);
  for (let from = 0; from < n; from++) {
    const p = pre[from]!;
    for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e++) {
      if (!hasBit(essential, e)) continue;
      const t = pre[edgeTo[e]!]!;
      if (parent[t] !== p) preds[--firstPred[t]!] = p;
    }
  }
  return preds;
}
