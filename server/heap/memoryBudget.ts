// How much memory analysing a snapshot needs, from its header's counts alone, and how much this
// machine (or this process's memory cgroup) has available: so a snapshot too large is refused up
// front, before any column is allocated.
import fs from 'node:fs';
import os from 'node:os';

/** The counts estimateAnalysisBytes needs (a SnapshotHeader has them). */
export interface SnapshotCounts {
  readonly nodeCount: number;
  readonly edgeCount: number;
}

/** The reader's 1 MiB chunk buffer and header, counted once. */
const FIXED_BYTES = 2 * 2 ** 20;

/**
 * Bytes the reader and the analysis allocate for a snapshot of these counts, at their peak:
 * the reader's columns, N × 17 (type 1, name 4, id 4, self size 4, first edge 4) + E × 9 (type 1,
 * name 4, target 4), an allowance of N × 12 for the string offsets (8) and lengths (4), assuming at
 * most one distinct string per node; and what analyseHeap adds while it still holds the edges,
 * N × 18 + E / 4: the retainer tree (9 per node), the dominator pass's preorder numbers and DFS
 * parents (8), bit sets over nodes (1) and edges; its predecessor lists go into the edge-name
 * column, and the rest of its arrays are made only after the edges are given back.
 */
export function estimateAnalysisBytes(counts: SnapshotCounts): number {
  const n = counts.nodeCount;
  const e = counts.edgeCount;
  return FIXED_BYTES + n * 17 + e * 9 + n * 12 + n * 18 + Math.ceil(e / 4);
}

/** Bytes readSnapshotIds allocates: the id column and the chunk buffer. */
export function estimateIdBytes(counts: SnapshotCounts): number {
  return FIXED_BYTES + counts.nodeCount * 4;
}

/**
 * The memory available to this process: os.freemem() (on Linux, libuv reads MemAvailable from
 * /proc/meminfo: free memory plus the page cache that can be reclaimed), and when this process is in
 * a cgroup v2 with a limit (/sys/fs/cgroup/memory.max holds a number, not "max"), the smaller of
 * that and the cgroup's headroom, memory.max − memory.current. What this process already holds
 * is not counted as available.
 */
export function availableMemoryBytes(): number {
  const free = os.freemem();
  const max = readNumber('/sys/fs/cgroup/memory.max');
  if (max === undefined) return free;
  const current = readNumber('/sys/fs/cgroup/memory.current') ?? 0;
  return Math.min(free, Math.max(0, max - current));
}

function readNumber(file: string): number | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}
