// Test-only: a HeapGraph from a JSON.parse'd .heapsnapshot (small real snapshots written by
// `v8.writeHeapSnapshot` in a test), so the pure graph code can be checked on V8's own output
// without the streaming reader. Never use this on real-sized files: it holds the whole JSON.
import type { HeapGraph, StringTable } from '../../server/heap/heapGraph';

interface SnapshotJson {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] };
    node_count: number;
    edge_count: number;
    root_index?: number;
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** The parsed snapshot as typed-array columns (to_node turned into node ordinals). */
export function graphFromSnapshotJson(parsed: unknown): HeapGraph {
  const s = parsed as SnapshotJson;
  const { meta } = s.snapshot;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const col = (name: string) => meta.node_fields.indexOf(name);
  const [typeAt, nameAt, idAt, sizeAt, countAt] = ['type', 'name', 'id', 'self_size', 'edge_count'].map(col) as [number, number, number, number, number];
  const [eTypeAt, eNameAt, eToAt] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f)) as [number, number, number];
  const n = s.nodes.length / nf;
  const e = s.edges.length / ef;
  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) firstEdge[i + 1] = firstEdge[i]! + s.nodes[i * nf + countAt]!;
  const strings: StringTable = {
    count: s.strings.length,
    get(index: number) {
      const value = s.strings[index];
      if (value === undefined) throw new RangeError(`no string ${index}`);
      return value;
    },
    includes(index: number, text: string) {
      return this.get(index).includes(text);
    },
  };
  return {
    nodeCount: n,
    edgeCount: e,
    nodeTypeNames: meta.node_types[0],
    edgeTypeNames: meta.edge_types[0],
    nodeType: Uint8Array.from({ length: n }, (_, i) => s.nodes[i * nf + typeAt]!),
    nodeName: Uint32Array.from({ length: n }, (_, i) => s.nodes[i * nf + nameAt]!),
    nodeId: Uint32Array.from({ length: n }, (_, i) => s.nodes[i * nf + idAt]!),
    nodeSelfSize: Uint32Array.from({ length: n }, (_, i) => s.nodes[i * nf + sizeAt]!),
    firstEdge,
    edgeType: Uint8Array.from({ length: e }, (_, j) => s.edges[j * ef + eTypeAt]!),
    edgeName: Uint32Array.from({ length: e }, (_, j) => s.edges[j * ef + eNameAt]!),
    edgeTo: Uint32Array.from({ length: e }, (_, j) => s.edges[j * ef + eToAt]! / nf),
    strings,
    rootIndex: (s.snapshot.root_index ?? 0) / nf,
  };
}
