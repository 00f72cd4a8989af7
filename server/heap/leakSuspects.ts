// Leak suspects from two or three snapshots, memlab's method (E-heap.md §3.1): the objects the
// target snapshot has and the baseline had not (by V8's HeapObjectId) that are still alive in
// the final one. Trivial nodes and noise are left out, a suspect held by another suspect counts
// in its holder, and the rest is grouped by class and retainer path. Pure: the baseline and
// target come as sorted id lists (the reader's readSnapshotIds), only the final one as a graph.
import type { HeapAnalysis } from './analyseHeap';
import { selfSizeOf } from './heapGraph';
import { HEAP_REPORT_VERSION, type HeapDiff, type LeakSuspectGroup, type RetainerStep, type SnapshotFacts } from './heapTypes';
import { hasId, idsNotIn } from './idSet';
import { classNameOf, SystemNodes } from './nodeClass';
import { formatRetainerPath, PathKinds, retainerPath } from './retainerPaths';

/** Node types that are never leak suspects: values, strings, the engine's internals and V8's backing stores (`(object elements)` …, which their owner object stands for). */
const TRIVIAL_TYPES = ['number', 'string', 'concatenated string', 'sliced string', 'hidden', 'code', 'synthetic', 'object shape', 'array'];

/** Suspect groups kept when no `top` is given. */
const DEFAULT_TOP = 20;
/** Example ids kept per group. */
const EXAMPLES = 5;

export interface DiffOptions {
  /** The snapshots' facts, in order (baseline, target, final; or baseline, final). */
  facts: SnapshotFacts[];
  /** Requests served between the baseline and the target: gives growthPerRequest. */
  requests?: number;
  /** Groups kept, largest first (default 20); totals count every group. */
  top?: number;
}

/**
 * The leak suspects of `final`. With `{ baseline, target }`: allocated = target \ baseline,
 * suspects = the final snapshot's objects among them. With `{ baseline }` only, the final
 * snapshot is the target (every object newer than the baseline counts, including ones a later
 * snapshot would show freed). Left out: trivial nodes (TRIVIAL_TYPES and `system / …` objects),
 * objects without a strong path (held only through weak edges), objects held only by the
 * engine's internals (PathKinds) — counted in the warnings. A suspect with another suspect
 * among its dominators is part of that one's retained size, not listed on its own. Groups: class
 * name + the path's edge names (element indexes as `[]`); each shows its shortest path. With three
 * snapshots, a group must also have grown over the second load (objects of the same class held
 * the same way, allocated between the target and the final snapshot: `laterCount`); one that did
 * not is a pool or a cache that filled up once (Node's HTTP parser free list): it goes to
 * `settled`, out of the suspects and the totals.
 */
export function diffSnapshots(final: HeapAnalysis, ids: { baseline: Uint32Array; target: Uint32Array } | { baseline: Uint32Array }, options: DiffOptions): HeapDiff {
  const { graph, idom, retainedSize } = final;
  const n = graph.nodeCount;
  const allocated = 'target' in ids ? idsNotIn(ids.target, ids.baseline) : undefined;
  const isNew = allocated ? (v: number) => hasId(allocated, graph.nodeId[v]!) : (v: number) => !hasId(ids.baseline, graph.nodeId[v]!);
  const isLater = 'target' in ids ? (v: number) => !hasId(ids.target, graph.nodeId[v]!) && !hasId(ids.baseline, graph.nodeId[v]!) : undefined;
  const trivialType = new Uint8Array(graph.nodeTypeNames.length);
  for (const t of TRIVIAL_TYPES) if (graph.nodeTypeNames.includes(t)) trivialType[graph.nodeTypeNames.indexOf(t)] = 1;
  const system = new SystemNodes(graph);
  const kinds = new PathKinds(final);

  // Per node: 0 not a suspect, 1 allocated over the first load, 2 over the second (three snapshots only).
  const suspect = new Uint8Array(n);
  let surviving = 0;
  let weakOnly = 0;
  let systemOnly = 0;
  for (let v = 0; v < n; v++) {
    if (v === graph.rootIndex) continue;
    const round = isNew(v) ? 1 : isLater?.(v) ? 2 : 0;
    if (round === 0) continue;
    if (round === 1) surviving++;
    if (trivialType[graph.nodeType[v]!] === 1 || system.has(v)) continue;
    const kind = kinds.of(v);
    if (kind === 'user') suspect[v] = round;
    else if (round === 1 && kind === 'none') weakOnly++;
    else if (round === 1) systemOnly++;
  }

  // Per node: 0 not looked at, 1 no suspect at or above it in the dominator tree, 2 one is.
  const heldBySuspect = new Uint8Array(n);
  const suspectAtOrAbove = (node: number): boolean => {
    const chain: number[] = [];
    let at = node;
    while (heldBySuspect[at] === 0 && suspect[at] === 0 && at !== graph.rootIndex) {
      chain.push(at);
      at = idom[at]!;
    }
    const found = suspect[at] !== 0 || heldBySuspect[at] === 2;
    for (const c of chain) heldBySuspect[c] = found ? 2 : 1;
    return found;
  };

  const groups = new Map<string, LeakSuspectGroup & { pathLength: number }>();
  /** Topmost objects the second load added, by group key. */
  const later = new Map<string, number>();
  for (let v = 0; v < n; v++) {
    if (suspect[v] === 0 || suspectAtOrAbove(idom[v]!)) continue;
    const path = retainerPath(final, v);
    const name = classNameOf(graph, v);
    const key = `${name}\u0000${pathSignature(path)}`;
    if (suspect[v] === 2) {
      later.set(key, (later.get(key) ?? 0) + 1);
      continue;
    }
    let group = groups.get(key);
    if (!group) {
      group = { name, count: 0, selfSize: 0, retainedSize: 0, path, pathText: '', examples: [], pathLength: path.length };
      groups.set(key, group);
    } else if (path.length < group.pathLength) {
      group.path = path;
      group.pathLength = path.length;
    }
    group.count++;
    group.selfSize += selfSizeOf(graph, v);
    group.retainedSize += retainedSize[v]!;
    if (group.examples.length < EXAMPLES) group.examples.push(graph.nodeId[v]!);
  }
  if (isLater) for (const [key, group] of groups) group.laterCount = later.get(key) ?? 0;

  const sorted = [...groups.values()].sort((a, b) => b.retainedSize - a.retainedSize || b.count - a.count || a.name.localeCompare(b.name));
  const all = sorted.filter((g) => g.laterCount !== 0);
  const top = options.top ?? DEFAULT_TOP;
  const finish = ({ pathLength: _, ...group }: LeakSuspectGroup & { pathLength: number }): LeakSuspectGroup => ({
    ...group,
    pathText: formatRetainerPath(group.path),
    ...(options.requests ? { growthPerRequest: group.retainedSize / options.requests } : {}),
  });
  const suspects = all.slice(0, top).map(finish);
  const settled = sorted.filter((g) => g.laterCount === 0).slice(0, top).map(finish);
  const warnings: string[] = [];
  if (!allocated) warnings.push('Two-snapshot diff: without a third snapshot, objects that would have been freed later count too.');
  const order = outOfOrder(final, ids);
  if (order) warnings.push(order);
  if (weakOnly > 0) warnings.push(`${newObjects(weakOnly)} held only through weak edges (or by nothing): left out.`);
  if (systemOnly > 0) warnings.push(`${newObjects(systemOnly)} held only by the engine's internals (code, caches, feedback): left out.`);
  if (settled.length > 0) warnings.push(`${settled.length === 1 ? '1 group' : `${settled.length} groups`} (${settled.slice(0, 3).map((g) => `${g.name} ×${g.count}`).join(', ')}) grew over the first load but not over the second: a pool or cache that filled up, not a leak (listed under \`settled\`).`);
  if (all.length > top) warnings.push(`Showing the ${top} largest of ${all.length} suspect groups; the totals count them all.`);
  return {
    version: HEAP_REPORT_VERSION,
    kind: 'heap-diff',
    snapshots: options.facts,
    allocatedCount: allocated ? allocated.length : surviving,
    survivingCount: surviving,
    suspects,
    ...(isLater ? { settled } : {}),
    totals: { count: all.reduce((sum, g) => sum + g.count, 0), retainedSize: all.reduce((sum, g) => sum + g.retainedSize, 0) },
    warnings,
  };
}

/** The path's first node and its edges, indexes (element edges, a hash table's numbered internal slots) as `[]`: objects held the same way share it. */
export function pathSignature(path: readonly RetainerStep[]): string {
  return path.map((s, i) => (i === 0 ? s.node : s.edgeType === 'element' || s.edgeType === 'hidden' || /^\d+$/.test(s.edge) ? '[]' : s.edge)).join('\u0001');
}

/**
 * V8 numbers the JavaScript objects of one process in the order it first sees them (odd ids, in
 * steps of 2; the embedder's native nodes get even ids from hashes, in no order), so each
 * snapshot's newest odd id is above the one before's. When not, the files are out of order or from
 * different processes (whose ids mean nothing to each other): the diff is then noise, and the user
 * must be told.
 */
function outOfOrder(final: HeapAnalysis, ids: { baseline: Uint32Array; target?: Uint32Array }): string | undefined {
  let finalMax = 0;
  for (const id of final.graph.nodeId) if (id % 2 === 1 && id > finalMax) finalMax = id;
  const maxima = [newestJsId(ids.baseline), ...(ids.target ? [newestJsId(ids.target)] : []), finalMax];
  for (let k = 1; k < maxima.length; k++) {
    if (maxima[k]! < maxima[k - 1]!) {
      return `Snapshot ${k + 1}'s newest object id (${maxima[k]}) is below snapshot ${k}'s (${maxima[k - 1]}): these snapshots are not of one process in the order they were taken, so this diff is not meaningful. Give them oldest first, all from the same running process.`;
    }
  }
  return undefined;
}

/** The largest odd id of a sorted id list (0 when it has none). */
function newestJsId(sorted: Uint32Array): number {
  for (let i = sorted.length - 1; i >= 0; i--) if (sorted[i]! % 2 === 1) return sorted[i]!;
  return 0;
}

function newObjects(n: number): string {
  return n === 1 ? '1 new object is' : `${n} new objects are`;
}
