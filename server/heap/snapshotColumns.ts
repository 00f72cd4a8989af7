// The row sinks that turn the numbers of `nodes` and `edges` into HeapGraph's columns (and the id
// column alone, for the baseline snapshots of a diff), checking each value as it lands: counts
// against the header, type codes against the meta, to_node against the node count. Pure.
import type { RowSink } from './numberScanner';
import type { FieldPositions, SnapshotHeader } from './snapshotHeader';

const MAX_U32 = 0xffffffff;

/** node_count nodes: type, name, id, self size, and firstEdge from the edge_count column. */
export class NodeColumns implements RowSink {
  readonly nodeType: Uint8Array;
  readonly nodeName: Uint32Array;
  readonly nodeId: Uint32Array;
  readonly nodeSelfSize: Uint32Array;
  readonly firstEdge: Uint32Array;
  readonly selfSizeOverflow = new Map<number, number>();
  count = 0;
  private edgeSum = 0;
  // The header's figures, as plain fields: read for every node.
  private readonly nodeCount: number;
  private readonly edgeCount: number;
  private readonly typeCount: number;
  private readonly typeAt: number;
  private readonly nameAt: number;
  private readonly idAt: number;
  private readonly selfSizeAt: number;
  private readonly edgeCountAt: number;

  constructor(header: SnapshotHeader, fields: FieldPositions) {
    const n = header.nodeCount;
    this.nodeType = new Uint8Array(n);
    this.nodeName = new Uint32Array(n);
    this.nodeId = new Uint32Array(n);
    this.nodeSelfSize = new Uint32Array(n);
    this.firstEdge = new Uint32Array(n + 1);
    this.nodeCount = n;
    this.edgeCount = header.edgeCount;
    this.typeCount = header.nodeTypeNames.length;
    this.typeAt = fields.nodeType;
    this.nameAt = fields.nodeName;
    this.idAt = fields.nodeId;
    this.selfSizeAt = fields.nodeSelfSize;
    this.edgeCountAt = fields.nodeEdgeCount;
  }

  row(values: Float64Array): string | undefined {
    const i = this.count;
    if (i >= this.nodeCount) return `no more than the header's node_count (${this.nodeCount}) nodes`;
    const type = values[this.typeAt]!;
    if (type >= this.typeCount) return `a node type code below ${this.typeCount} (meta.node_types), not ${type}`;
    const name = values[this.nameAt]!;
    const id = values[this.idAt]!;
    if (name > MAX_U32 || id > MAX_U32) return `a node name and id below 2^32`;
    const self = values[this.selfSizeAt]!;
    const edgeSum = this.edgeSum + values[this.edgeCountAt]!;
    if (edgeSum > this.edgeCount) return `edge_count values that sum to the header's edge_count (${this.edgeCount}); they pass it at node ${i}`;
    this.edgeSum = edgeSum;
    this.nodeType[i] = type;
    this.nodeName[i] = name;
    this.nodeId[i] = id;
    if (self >= MAX_U32) {
      this.nodeSelfSize[i] = MAX_U32;
      this.selfSizeOverflow.set(i, self);
    } else this.nodeSelfSize[i] = self;
    this.firstEdge[i + 1] = edgeSum;
    this.count = i + 1;
    return undefined;
  }

  /** After the section: what was expected when the counts disagree with the header. */
  problem(): string | undefined {
    if (this.count !== this.nodeCount) return `the header's node_count (${this.nodeCount}) nodes, found ${this.count}`;
    if (this.edgeSum !== this.edgeCount) return `edge_count values that sum to the header's edge_count (${this.edgeCount}), not ${this.edgeSum}`;
    return undefined;
  }
}

/** edge_count edges: type, name or index, and the target as a node ordinal. */
export class EdgeColumns implements RowSink {
  readonly edgeType: Uint8Array;
  readonly edgeName: Uint32Array;
  readonly edgeTo: Uint32Array;
  count = 0;
  // The header's figures, as plain fields: read for every edge.
  private readonly edgeCount: number;
  private readonly nodeCount: number;
  private readonly nodeFieldCount: number;
  private readonly typeCount: number;
  private readonly typeAt: number;
  private readonly nameAt: number;
  private readonly toAt: number;

  constructor(header: SnapshotHeader, fields: FieldPositions) {
    const e = header.edgeCount;
    this.edgeType = new Uint8Array(e);
    this.edgeName = new Uint32Array(e);
    this.edgeTo = new Uint32Array(e);
    this.edgeCount = e;
    this.nodeCount = header.nodeCount;
    this.nodeFieldCount = header.nodeFields.length;
    this.typeCount = header.edgeTypeNames.length;
    this.typeAt = fields.edgeType;
    this.nameAt = fields.edgeName;
    this.toAt = fields.edgeTo;
  }

  row(values: Float64Array): string | undefined {
    const j = this.count;
    if (j >= this.edgeCount) return `no more than the header's edge_count (${this.edgeCount}) edges`;
    const type = values[this.typeAt]!;
    if (type >= this.typeCount) return `an edge type code below ${this.typeCount} (meta.edge_types), not ${type}`;
    const name = values[this.nameAt]!;
    if (name > MAX_U32) return 'an edge name or index below 2^32';
    const raw = values[this.toAt]!;
    const to = raw / this.nodeFieldCount;
    if (to >= this.nodeCount || to !== Math.floor(to)) {
      return `a to_node that is a node's index (a multiple of ${this.nodeFieldCount} below ${this.nodeCount * this.nodeFieldCount}), not ${raw}`;
    }
    this.edgeType[j] = type;
    this.edgeName[j] = name;
    this.edgeTo[j] = to;
    this.count = j + 1;
    return undefined;
  }

  problem(): string | undefined {
    return this.count === this.edgeCount ? undefined : `the header's edge_count (${this.edgeCount}) edges, found ${this.count}`;
  }
}

/** Counts rows and stores nothing: to find where a file whose counts cannot fit ends, without allocating for them. */
export class CountingSink implements RowSink {
  count = 0;

  constructor(
    private readonly expected: number,
    private readonly what: string,
  ) {}

  row(): string | undefined {
    this.count++;
    return undefined;
  }

  problem(): string | undefined {
    return this.count === this.expected ? undefined : `the header's ${this.what}_count (${this.expected}) ${this.what}s, found ${this.count}`;
  }
}

/** The id column alone (readSnapshotIds). */
export class IdColumn implements RowSink {
  readonly ids: Uint32Array;
  count = 0;

  constructor(
    private readonly header: SnapshotHeader,
    private readonly idAt: number,
  ) {
    this.ids = new Uint32Array(header.nodeCount);
  }

  row(values: Float64Array): string | undefined {
    if (this.count >= this.header.nodeCount) return `no more than the header's node_count (${this.header.nodeCount}) nodes`;
    const id = values[this.idAt]!;
    if (id > MAX_U32) return 'a node id below 2^32';
    this.ids[this.count++] = id;
    return undefined;
  }

  problem(): string | undefined {
    return this.count === this.header.nodeCount ? undefined : `the header's node_count (${this.header.nodeCount}) nodes, found ${this.count}`;
  }

  /** The ids sorted ascending, each once. */
  sortedUnique(): Uint32Array {
    const ids = this.ids.sort();
    let k = 0;
    for (let i = 0; i < ids.length; i++) if (i === 0 || ids[i] !== ids[k - 1]) ids[k++] = ids[i]!;
    return ids.subarray(0, k);
  }
}
