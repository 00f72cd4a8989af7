// One V8 heap snapshot as columns in typed arrays: what the streaming reader (snapshotReader.ts)
// produces from a .heapsnapshot file and what the pure graph code (dominators, retainer paths,
// summary, leak diff) reads. Node and edge references are ordinals (node i, edge j), not V8's
// field offsets (V8 writes `to_node` as ordinal × node_fields.length). Pure: no I/O here.

/** The snapshot's strings, decoded on demand (the reader keeps offsets into the file, not the text). */
export interface StringTable {
  readonly count: number;
  /** The string at `index` (V8's `strings[index]`). Throws RangeError outside 0…count-1. */
  get(index: number): string;
  /**
   * Whether the string at `index` contains `text`, which must be printable ASCII without `"` or
   * `\\` (so that it reads the same in the file's JSON); the file's table answers from the raw
   * bytes, without decoding, caching or keeping the string.
   */
  includes(index: number, text: string): boolean;
}

export interface HeapGraph {
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** meta.node_types[0]: the name of each node type code ('hidden', 'array', 'string', 'object', …). */
  readonly nodeTypeNames: readonly string[];
  /** meta.edge_types[0]: the name of each edge type code ('context', 'element', 'property', …). */
  readonly edgeTypeNames: readonly string[];
  /** Per node: its type code (an index into nodeTypeNames). */
  readonly nodeType: Uint8Array;
  /** Per node: its name, an index into `strings`. */
  readonly nodeName: Uint32Array;
  /** Per node: V8's HeapObjectId, stable across snapshots of one isolate (odd for JS objects). */
  readonly nodeId: Uint32Array;
  /** Per node: its shallow size in bytes, saturated at 2^32-1; the true value of those is in selfSizeOverflow. */
  readonly nodeSelfSize: Uint32Array;
  /** Node ordinal → true self size, for the rare nodes of 4 GiB or more. */
  readonly selfSizeOverflow?: ReadonlyMap<number, number>;
  /** Per node (and one past the last): the ordinal of its first edge; node i owns edges firstEdge[i] … firstEdge[i+1]-1. */
  readonly firstEdge: Uint32Array;
  /** Per edge: its type code (an index into edgeTypeNames). */
  readonly edgeType: Uint8Array;
  /** Per edge: its name (an index into `strings`), or for `element` and `hidden` edges its numeric index. */
  readonly edgeName: Uint32Array;
  /** Per edge: the ordinal of the node it points to. */
  readonly edgeTo: Uint32Array;
  readonly strings: StringTable;
  /** The root node's ordinal (snapshot.root_index / node_fields.length; 0 in every V8 snapshot). */
  readonly rootIndex: number;
}

/** A graph's nodes and strings: what is left of it once analyseHeap has given its edges back (releaseEdges). */
export type HeapNodes = Omit<HeapGraph, 'firstEdge' | 'edgeType' | 'edgeName' | 'edgeTo'>;

type EdgeColumn = 'firstEdge' | 'edgeType' | 'edgeName' | 'edgeTo';

/**
 * Empties the graph's edge columns, or the ones named (edgeCount stays), so that their memory
 * can go: analyseHeap does this once its passes over the edges are done. Any other reference to
 * those arrays keeps them alive, so callers read edges through the graph only.
 */
export function releaseEdges(graph: HeapGraph, columns: readonly EdgeColumn[] = ['firstEdge', 'edgeType', 'edgeName', 'edgeTo']): void {
  const edges = graph as { -readonly [K in EdgeColumn]: HeapGraph[K] };
  for (const column of columns) {
    if (column === 'edgeType') edges.edgeType = new Uint8Array(0);
    else edges[column] = new Uint32Array(0);
  }
}

/** No node or edge: 2^32 − 1 in the Uint32Array columns of the analysis (a path's end, a node not yet numbered). */
export const NONE = 0xffffffff;

/** A node's shallow size in bytes. */
export function selfSizeOf(graph: HeapNodes, node: number): number {
  const size = graph.nodeSelfSize[node]!;
  return size === 0xffffffff ? (graph.selfSizeOverflow?.get(node) ?? size) : size;
}

/** The code of a node type by name, or -1 when this snapshot's meta has no such type. */
export function nodeTypeCode(graph: Pick<HeapNodes, 'nodeTypeNames'>, name: string): number {
  return graph.nodeTypeNames.indexOf(name);
}

/** The code of an edge type by name, or -1 when this snapshot's meta has no such type. */
export function edgeTypeCode(graph: Pick<HeapGraph, 'edgeTypeNames'>, name: string): number {
  return graph.edgeTypeNames.indexOf(name);
}

/** The node types the DevTools heap profiler knows (current V8), for snapshots we write ourselves. */
export const V8_NODE_TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape'] as const;
export const V8_EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'] as const;
