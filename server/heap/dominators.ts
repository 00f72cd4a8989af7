// The dominator tree and retained sizes of a heap graph, over the essential edges only
// (essentialEdges.ts), by SEMI-NCA (Georgiadis' semidominators + nearest common ancestor, as in
// LLVM's SemiNCAInfo): exact, O(E log N), iterative throughout (no recursion: 20 M nodes), all in
// typed arrays indexed by DFS preorder numbers. Nodes the root does not reach are handled as
// DevTools does: a second DFS from each node with no essential retainer at all (weakly held
// only) with the root as its parent, then the rest (cycles held from outside only weakly), one
// DFS each in ordinal order, also from the root. Pure.
import { hasBit, setBit } from './essentialEdges';
import { selfSizeOf, type HeapGraph } from './heapGraph';

const NONE = 0xffffffff;

export interface Dominators {
  /** Per node: its immediate dominator's ordinal (the root's is itself). */
  idom: Uint32Array;
  /** Per node: its self size plus the self sizes of every node it dominates. */
  retainedSize: Float64Array;
  /** Nodes not reached from the root over essential edges (DevTools attaches them to the root). */
  unreachable: { count: number; size: number };
}

/** Dominators of `graph` from its root over the edges whose bit is set in `essential` (essentialEdges()). */
export function computeDominators(graph: HeapGraph, essential: Uint8Array): Dominators {
  const n = graph.nodeCount;
  const { firstEdge, edgeTo } = graph;
  const root = graph.rootIndex;
  // Six arrays of n and the predecessor lists are all the memory this takes, at its peak: each
  // array is reused once its first job is done (see where each is named a second time).
  const pre = new Uint32Array(n).fill(NONE);
  const vertex = new Uint32Array(n);
  const parent = new Uint32Array(n);
  // semi and label share one buffer, which holds the Float64 retained sizes at the end.
  const pair = new ArrayBuffer(8 * n);
  const semi = new Uint32Array(pair, 0, n);
  const label = new Uint32Array(pair, 4 * n, n);
  let count = 0;

  // The DFS stack lives in the arrays SEMI-NCA needs later.
  const dfs = (start: number, parentPre: number): void => {
    const stackNode = semi;
    const stackEdge = label;
    pre[start] = count;
    vertex[count] = start;
    parent[count] = parentPre;
    count++;
    stackNode[0] = start;
    stackEdge[0] = firstEdge[start]!;
    let sp = 1;
    while (sp > 0) {
      const node = stackNode[sp - 1]!;
      const end = firstEdge[node + 1]!;
      let e = stackEdge[sp - 1]!;
      while (e < end && (pre[edgeTo[e]!] !== NONE || !hasBit(essential, e))) e++;
      if (e >= end) {
        sp--;
        continue;
      }
      stackEdge[sp - 1] = e + 1;
      const child = edgeTo[e]!;
      pre[child] = count;
      vertex[count] = child;
      parent[count] = pre[node]!;
      count++;
      stackNode[sp] = child;
      stackEdge[sp] = firstEdge[child]!;
      sp++;
    }
  };

  dfs(root, 0);
  const unreachable = { count: n - count, size: 0 };
  if (count < n) {
    const hasRetainer = new Uint8Array((n + 7) >>> 3);
    for (let from = 0; from < n; from++) {
      for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e++) {
        if (hasBit(essential, e)) setBit(hasRetainer, edgeTo[e]!);
      }
    }
    for (let v = 0; v < n; v++) if (pre[v] === NONE) unreachable.size += selfSizeOf(graph, v);
    for (let v = 0; v < n; v++) if (pre[v] === NONE && !hasBit(hasRetainer, v)) dfs(v, 0);
    for (let v = 0; v < n; v++) if (pre[v] === NONE) dfs(v, 0);
  }

  // Predecessors over essential edges, as preorder numbers, grouped by target (CSR): count into
  // firstPred[target], sum up to each list's end, then fill each list from its end (no copy).
  const firstPred = new Uint32Array(n + 1);
  for (let from = 0; from < n; from++) {
    for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e++) if (hasBit(essential, e)) firstPred[pre[edgeTo[e]!]!]!++;
  }
  for (let i = 1; i < n; i++) firstPred[i]! += firstPred[i - 1]!;
  firstPred[n] = firstPred[n - 1]!;
  const preds = new Uint32Array(firstPred[n]!);
  for (let from = 0; from < n; from++) {
    const p = pre[from]!;
    for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e++) if (hasBit(essential, e)) preds[--firstPred[pre[edgeTo[e]!]!]!] = p;
  }

  // SEMI-NCA: `parent` becomes the link-eval forest's ancestor (path-compressed); idom starts as
  // the DFS parent, in `pre`'s buffer (pre is not needed once the predecessors are numbered).
  const idomPre = pre;
  idomPre.set(parent);
  const ancestor = parent;
  for (let i = 0; i < n; i++) {
    semi[i] = i;
    label[i] = i;
  }
  // Path compression without a stack: the climb reverses the ancestor links it follows, the way
  // back down follows them and compresses.
  const evaluate = (v: number, lastLinked: number): number => {
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
  };
  for (let w = n - 1; w >= 1; w--) {
    let s = idomPre[w]!;
    for (let k = firstPred[w]!; k < firstPred[w + 1]!; k++) {
      const u = semi[evaluate(preds[k]!, w + 1)]!;
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
