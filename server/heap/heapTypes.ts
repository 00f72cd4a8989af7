// What PerfLens says about heap snapshots: the summary of one, the leak suspects of a diff, and
// the leak hunt on an endpoint. Pure types: the server's heap code, the CLI's JSON (`perflens heap
// summary|diff|leak --json`), the protocol and the extension's panels all use them. Sizes are bytes.
import type { LoadSummary } from '../load/loadTypes';
import type { CodeOrigin } from '../analysis/codeOrigin';

/** Bump when a field changes meaning or disappears; adding fields does not need a bump. */
export const HEAP_REPORT_VERSION = 1;

/** Objects of one constructor (DevTools' class name rules: `Function`, `(system)`, `(string)`, …). */
export interface ConstructorStat {
  name: string;
  count: number;
  /** Sum of the objects' shallow sizes. */
  selfSize: number;
  /** What would be freed if every object of this constructor went: the retained sizes of the topmost ones on each dominator path (no double counting). */
  retainedSize: number;
}

/** One step of a retainer path, read from a GC root towards the object. */
export interface RetainerStep {
  /** The edge into `node`, as DevTools writes it: a property name, `[12]` for an element, `context.x` … Empty for the first step (the root). */
  edge: string;
  /** The edge's type ('property', 'element', 'context', 'internal', …); empty for the first step. */
  edgeType: string;
  /** The node's class name (as in ConstructorStat) or, for a synthetic root, its own name: `(GC roots)`, `Module._cache`'s `Object` … */
  node: string;
  nodeType: string;
  /** V8's HeapObjectId: `@1234` in DevTools. */
  id: number;
}

export interface HeapObjectInfo {
  id: number;
  /** Class name. */
  name: string;
  type: string;
  selfSize: number;
  retainedSize: number;
  /** Shortest retainer path from a GC root (absent when the object is unreachable or the path is not asked for). */
  path?: RetainerStep[];
}

/** Identical strings held more than once (string nodes with the same value). */
export interface DuplicateString {
  /** The value, cut to 200 characters (V8 itself keeps at most 1,024). */
  value: string;
  count: number;
  /** The shallow size of all copies. */
  totalSize: number;
  /** What all copies but one cost. */
  wastedSize: number;
}

export interface SnapshotFacts {
  /** The file's path, when it came from a file. */
  file?: string;
  fileSize: number;
  nodeCount: number;
  edgeCount: number;
  /** Sum of every node's shallow size: what DevTools shows as the snapshot's size. */
  totalSize: number;
  /** `node_fields.length`: 6 (no trace_node_id) or 7, as this snapshot's meta says. */
  nodeFieldCount: number;
}

export interface HeapSummary {
  version: typeof HEAP_REPORT_VERSION;
  kind: 'heap-summary';
  snapshot: SnapshotFacts;
  /** By retained size, largest first. */
  constructors: ConstructorStat[];
  /** The objects with the largest retained sizes, each with its retainer path. */
  largest: HeapObjectInfo[];
  /** By wasted size, largest first. */
  duplicateStrings: DuplicateString[];
  /** Nodes not reachable from the root over the edges that count (DevTools attaches them to the root). */
  unreachable: { count: number; size: number };
  warnings: string[];
}

/** Where objects were allocated, from a sampling heap profile (mapped to the original source). */
export interface AllocationSite {
  functionName: string;
  /** Original source path (absolute) when a source map resolves it, else the script's path or URL. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  mapped: boolean;
  origin: CodeOrigin;
  package?: string;
  /** Sampled bytes allocated here (by this frame itself) that were still alive when the profile was read. */
  liveBytes: number;
  /** liveBytes ÷ the profile's total live bytes. */
  share: number;
}

/** Leaked objects of one constructor held through one retainer path. */
export interface LeakSuspectGroup {
  /** Class name of the objects. */
  name: string;
  count: number;
  selfSize: number;
  /** Retained size of the group's objects (topmost suspects only: a suspect held by another suspect counts in its holder). */
  retainedSize: number;
  /** The shortest retainer path of the group's representative object, from a GC root. */
  path: RetainerStep[];
  /** The path written out: `(GC roots) → … → auditLog (Array) → [1234] → AuditEntry`. */
  pathText: string;
  /** retainedSize ÷ the requests of the load between the first and second snapshot, when there was load. */
  growthPerRequest?: number;
  /** Three-snapshot diffs: objects of this group (same class, held the same way) the second load added and the final snapshot still has. */
  laterCount?: number;
  /** A few object ids (@id in DevTools) of the group. */
  examples: number[];
  /** The functions that allocated it (sampling heap profile), largest first, when one was taken. */
  allocatedAt?: AllocationSite[];
  /** How allocatedAt was found: 'class' = the sites construct this class (`new X(` on the line, or X's constructor); 'load' = none did, so the top sites of the user's own code during the load. */
  allocationMatch?: 'class' | 'load';
}

/** Three-snapshot diff (memlab's method): allocated between the first two, still alive in the last. */
export interface HeapDiff {
  version: typeof HEAP_REPORT_VERSION;
  kind: 'heap-diff';
  /** The two (or three) snapshots, in order. */
  snapshots: SnapshotFacts[];
  /** Objects in the second snapshot that the first did not have. */
  allocatedCount: number;
  /** Of those, the ones still alive in the last snapshot (before noise was left out). */
  survivingCount: number;
  /** By retained size, largest first. */
  suspects: LeakSuspectGroup[];
  /** Three-snapshot diffs: groups that grew over the first load but not over the second (a pool or a cache that filled up), left out of the suspects and the totals. */
  settled?: LeakSuspectGroup[];
  /** Sum over the suspect groups. */
  totals: { count: number; retainedSize: number };
  warnings: string[];
}

/** Find Leak in Endpoint: three snapshots with the same load between them. */
export interface HeapLeakReport extends Omit<HeapDiff, 'kind'> {
  kind: 'heap-leak';
  /** What was loaded: the service's description. */
  target: string;
  method: string;
  url: string;
  /** The two loads (first → second snapshot, second → third). */
  loads: LoadSummary[];
  /** Retained size of all suspects ÷ the requests of the first load (bytes per request). */
  growthPerRequest: number;
  /** The files written: the three snapshots, the sampling heap profile and its speedscope file. */
  files: { snapshots: string[]; heapProfile?: string; speedscope?: string };
  /** The allocating functions of what stayed alive over the first load (sampling heap profile), largest first. */
  allocations?: AllocationSite[];
  /** The --fail-on-growth gate, when one was set. */
  gate?: { limitPerRequest: number; breached: boolean };
  /** One sentence to lead with. */
  headline: string;
}
