// Small heap graphs written by hand, as a HeapGraph (for the pure graph code) and as the text of a
// .heapsnapshot file in V8's layout (for the reader), with 6 or 7 node fields.
import { V8_EDGE_TYPES, V8_NODE_TYPES, type HeapGraph, type StringTable } from '../../server/heap/heapGraph';

export type NodeTypeName = (typeof V8_NODE_TYPES)[number];
export type EdgeTypeName = (typeof V8_EDGE_TYPES)[number];

export interface NodeSpec {
  type: NodeTypeName;
  name: string;
  /** Default: 2 × ordinal + 1 (odd, as V8's JS object ids are). */
  id?: number;
  self: number;
}

export interface EdgeSpec {
  from: number;
  to: number;
  type: EdgeTypeName;
  /** The property name, or for element/hidden edges the index. */
  name: string | number;
}

export interface GraphSpec {
  /** Node 0 is the root. */
  nodes: NodeSpec[];
  edges: EdgeSpec[];
}

class ArrayStrings implements StringTable {
  constructor(private readonly values: string[]) {}
  get count(): number {
    return this.values.length;
  }
  get(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.values.length) throw new RangeError(`no string ${index}`);
    return this.values[index]!;
  }
  includes(index: number, text: string): boolean {
    return this.get(index).includes(text);
  }
}

interface Interned {
  strings: string[];
  nodeName: number[];
  edgeName: number[];
  /** Edges sorted by source, stably. */
  edges: EdgeSpec[];
}

function intern(spec: GraphSpec): Interned {
  const strings = ['<dummy>'];
  const index = new Map<string, number>([['<dummy>', 0]]);
  const id = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const nodeName = spec.nodes.map((n) => id(n.name));
  const edges = spec.edges.map((e, order) => ({ e, order })).sort((a, b) => a.e.from - b.e.from || a.order - b.order).map((x) => x.e);
  const edgeName = edges.map((e) => (typeof e.name === 'number' ? e.name : id(e.name)));
  return { strings, nodeName, edgeName, edges };
}

/** The spec as a HeapGraph, built directly (no parsing). */
export function graphFromSpec(spec: GraphSpec): HeapGraph {
  const { strings, nodeName, edgeName, edges } = intern(spec);
  const n = spec.nodes.length;
  const firstEdge = new Uint32Array(n + 1);
  for (const e of edges) firstEdge[e.from + 1]!++;
  for (let i = 0; i < n; i++) firstEdge[i + 1]! += firstEdge[i]!;
  return {
    nodeCount: n,
    edgeCount: edges.length,
    nodeTypeNames: [...V8_NODE_TYPES],
    edgeTypeNames: [...V8_EDGE_TYPES],
    nodeType: Uint8Array.from(spec.nodes, (x) => V8_NODE_TYPES.indexOf(x.type)),
    nodeName: Uint32Array.from(nodeName),
    nodeId: Uint32Array.from(spec.nodes, (x, i) => x.id ?? 2 * i + 1),
    nodeSelfSize: Uint32Array.from(spec.nodes, (x) => Math.min(x.self, 0xffffffff)),
    selfSizeOverflow: new Map(spec.nodes.flatMap((x, i) => (x.self >= 0xffffffff ? [[i, x.self] as const] : []))),
    firstEdge,
    edgeType: Uint8Array.from(edges, (e) => V8_EDGE_TYPES.indexOf(e.type)),
    edgeName: Uint32Array.from(edgeName),
    edgeTo: Uint32Array.from(edges, (e) => e.to),
    strings: new ArrayStrings(strings),
    rootIndex: 0,
  };
}

export interface SnapshotTextOptions {
  /** Write V8's older 7-field layout with trace_node_id (Node ≤ 22); default false: the 6 fields of Node 24. */
  traceNodeId?: boolean;
  /** One node or edge per line, as V8's serializer writes them (default true). */
  lineBreaks?: boolean;
}

/** The spec as a .heapsnapshot file's text, in the layout V8 writes. */
export function snapshotText(spec: GraphSpec, options: SnapshotTextOptions = {}): string {
  const { strings, nodeName, edgeName, edges } = intern(spec);
  const fields = options.traceNodeId ? ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'] : ['type', 'name', 'id', 'self_size', 'edge_count', 'detachedness'];
  const nl = options.lineBreaks === false ? '' : '\n';
  const edgeCount = new Array<number>(spec.nodes.length).fill(0);
  for (const e of edges) edgeCount[e.from]!++;
  const meta = {
    node_fields: fields,
    node_types: [[...V8_NODE_TYPES], 'string', 'number', 'number', 'number', 'number', 'number'],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [[...V8_EDGE_TYPES], 'string_or_number', 'node'],
    trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
    trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
    sample_fields: ['timestamp_us', 'last_assigned_id'],
    location_fields: ['object_index', 'script_id', 'line', 'column'],
  };
  const header = JSON.stringify({ meta, node_count: spec.nodes.length, edge_count: edges.length, trace_function_count: 0 });
  const nodeRows = spec.nodes.map((x, i) => {
    const row = [V8_NODE_TYPES.indexOf(x.type), nodeName[i], x.id ?? 2 * i + 1, x.self, edgeCount[i]];
    if (options.traceNodeId) row.push(0);
    row.push(0);
    return row.join(',');
  });
  const edgeRows = edges.map((e, j) => [V8_EDGE_TYPES.indexOf(e.type), edgeName[j], e.to * fields.length].join(','));
  const stringRows = strings.map((s) => JSON.stringify(s));
  return `{"snapshot":${header},\n"nodes":[${nodeRows.join(`,${nl}`)}],\n"edges":[${edgeRows.join(`,${nl}`)}],\n"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[],\n"strings":[${stringRows.join(`,${nl}`)}]}`;
}

/**
 * A small service heap written by hand, with retained sizes worked out on paper:
 *
 *   0 root ──(element 1)──▶ 1 (GC roots) ──(element 1)──▶ 2 system / Context
 *   2 ─(context "sessions")──▶ 3 Array ─[0]─▶ 4 Session ─"data"─▶ 6 (object elements)
 *                                  └─[1]─▶ 5 Session ─"data"─▶ 7 (object elements)
 *   4 ─"peer"─▶ 5 and 5 ─"peer"─▶ 4 (a cycle inside the array's ownership)
 *   2 ─(context "cache")──▶ 8 Map ─"shared"─▶ 9 Buffer ◀─"buf"── 4   (9 has two owners)
 *   0 ─(weak "w")─▶ 10 Object (reachable only weakly: unreachable for dominators)
 *
 * Self sizes: root 0, (GC roots) 0, Context 40, Array 16, Session 24 each, data arrays 32 each,
 * Map 48, Buffer 100, weak Object 8.
 * Retained: Session 4 = 24 + 32 = 56; Session 5 = 56; Array(sessions) = 16 + 56 + 56 = 128;
 * Map = 48 (the Buffer is shared with Session 4, so its dominator is the Context);
 * Context = 40 + 128 + 48 + 100 = 316; (GC roots) = 316; root = 316 (+ the unreachable 8 DevTools attaches to the root).
 */
export const SESSIONS_GRAPH: GraphSpec = {
  nodes: [
    { type: 'synthetic', name: '', self: 0 },
    { type: 'synthetic', name: '(GC roots)', self: 0 },
    { type: 'hidden', name: 'system / Context', self: 40 },
    { type: 'object', name: 'Array', self: 16 },
    { type: 'object', name: 'Session', self: 24 },
    { type: 'object', name: 'Session', self: 24 },
    { type: 'array', name: '(object elements)', self: 32 },
    { type: 'array', name: '(object elements)', self: 32 },
    { type: 'object', name: 'Map', self: 48 },
    { type: 'native', name: 'Buffer', self: 100 },
    { type: 'object', name: 'Object', self: 8 },
  ],
  edges: [
    { from: 0, to: 1, type: 'element', name: 1 },
    { from: 0, to: 10, type: 'weak', name: 'w' },
    { from: 1, to: 2, type: 'element', name: 1 },
    { from: 2, to: 3, type: 'context', name: 'sessions' },
    { from: 2, to: 8, type: 'context', name: 'cache' },
    { from: 3, to: 4, type: 'element', name: 0 },
    { from: 3, to: 5, type: 'element', name: 1 },
    { from: 4, to: 6, type: 'property', name: 'data' },
    { from: 4, to: 5, type: 'property', name: 'peer' },
    { from: 4, to: 9, type: 'property', name: 'buf' },
    { from: 5, to: 7, type: 'property', name: 'data' },
    { from: 5, to: 4, type: 'property', name: 'peer' },
    { from: 8, to: 9, type: 'property', name: 'shared' },
  ],
};

/**
 * A WeakMap whose entry Key → Value is held by the key (DevTools' rules): 0 root → 1 (GC roots) →
 * 2 WeakMap ─"table"─▶ 3 system / EphemeronHashTable (id 99) and → 4 Key (id 41). The table's
 * internal edge to 5 Value names the pair and the table (@99): that one does not count, the key's
 * does, so Value is dominated by Key. Also a self edge, a shortcut not from the root and a weak edge.
 */
export const WEAKMAP_GRAPH: GraphSpec = {
  nodes: [
    { type: 'synthetic', name: '', self: 0 },
    { type: 'synthetic', name: '(GC roots)', self: 0 },
    { type: 'object', name: 'WeakMap', self: 10 },
    { type: 'hidden', name: 'system / EphemeronHashTable', id: 99, self: 10 },
    { type: 'object', name: 'Key', id: 41, self: 10 },
    { type: 'object', name: 'Value', id: 43, self: 10 },
  ],
  edges: [
    { from: 0, to: 1, type: 'element', name: 1 },
    { from: 1, to: 2, type: 'element', name: 1 },
    { from: 1, to: 4, type: 'element', name: 2 },
    { from: 2, to: 3, type: 'internal', name: 'table' },
    { from: 3, to: 5, type: 'internal', name: '1 / part of key (Key @41) -> value (Value @43) pair in WeakMap (table @99)' },
    { from: 4, to: 5, type: 'internal', name: '2 / part of key (Key @41) -> value (Value @43) pair in WeakMap (table @99)' },
    { from: 4, to: 4, type: 'property', name: 'self' },
    { from: 2, to: 5, type: 'shortcut', name: 'v' },
    { from: 2, to: 4, type: 'weak', name: 'k' },
  ],
};
