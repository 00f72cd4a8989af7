// One snapshot analysed: the essential edges, the dominator tree and retained sizes, and the
// shortest retainer paths, computed once and shared by the summary and the leak diff.
// It takes the graph's edges: the retainer tree copies out what paths need (9 bytes per node),
// the predecessor lists go into the edge-name column, and the edge columns are given back as
// soon as the dominator pass has read them for the last time, before its own arrays are made.
// So the peak, beside the node columns, is the edges + about N×18 bytes (the retainer tree, 9;
// the dominator pass's preorder numbers and DFS parents, 8; bit sets), and what is left after it
// N×21 (the retainer tree, idom, Float64 retained sizes; memoryBudget.ts counts the same). On
// large graphs a full GC after each phase gives the freed arrays back at once.
import { collectGarbage } from './collectGarbage';
import { computeDominators, type Dominators } from './dominators';
import { essentialEdges, ephemeronTableEdges } from './essentialEdges';
import { releaseEdges, type HeapGraph, type HeapNodes } from './heapGraph';
import { buildRetainerTree, type RetainerTree } from './retainerPaths';

/** Graphs with at least this many edges are worth a full GC between phases (tens of MB each). */
const COLLECT_FROM_EDGES = 1_000_000;

export interface HeapAnalysis {
  /** The graph analysed, without its edges (analyseHeap gave them back). */
  graph: HeapNodes;
  /** Per node: its immediate dominator's ordinal (the root's is itself). */
  idom: Uint32Array;
  /** Per node: bytes freed if it went (self size plus everything it dominates). */
  retainedSize: Float64Array;
  /** Nodes the root does not reach over essential edges. */
  unreachable: { count: number; size: number };
  paths: RetainerTree;
}

/** Dominators, retained sizes and retainer paths of one snapshot; empties the graph's edge columns (releaseEdges). */
export function analyseHeap(graph: HeapGraph): HeapAnalysis {
  if (graph.firstEdge.length !== graph.nodeCount + 1) throw new Error('this heap graph has no edges left: analyseHeap gave them back when it analysed it, so analyse each graph once and keep the analysis');
  const collect = graph.edgeCount >= COLLECT_FROM_EDGES ? collectGarbage : () => undefined;
  // What reading left behind (chunk buffers, the scanners) goes first.
  collect();
  const ephemerons = ephemeronTableEdges(graph);
  const essential = essentialEdges(graph, ephemerons);
  const paths = buildRetainerTree(graph, ephemerons);
  // The dominator pass reads edges' targets only.
  releaseEdges(graph, ['edgeType']);
  collect();
  const { idom, retainedSize, unreachable } = dominatorsTakingEdges(graph, essential, collect);
  collect();
  return { graph, idom, retainedSize, unreachable, paths };
}

/**
 * The dominator pass with the edge-name column as its scratch, giving the edges back when it is
 * done with them. A function of its own so that its options object (which holds the scratch)
 * is off the stack, and collectable, once it returns: an interpreter frame keeps its temporaries.
 */
function dominatorsTakingEdges(graph: HeapGraph, essential: Uint8Array, collect: () => void): Dominators {
  return computeDominators(graph, essential, {
    scratch: graph.edgeName,
    doneWithEdges() {
      releaseEdges(graph);
      collect();
    },
  });
}
