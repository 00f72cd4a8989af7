// What one snapshot holds: constructors by retained size (DevTools' class aggregates), the
// largest objects with their retainer paths, duplicated strings and the unreachable part. Pure.
import type { HeapAnalysis } from './analyseHeap';
import { hasBit, setBit } from './essentialEdges';
import { NONE, selfSizeOf, type HeapNodes } from './heapGraph';
import { HEAP_REPORT_VERSION, type ConstructorStat, type DuplicateString, type HeapObjectInfo, type HeapSummary, type SnapshotFacts } from './heapTypes';
import { classIndex, classNameOf, type ClassIndex } from './nodeClass';
import { retainerPath } from './retainerPaths';

/** The longest string value a summary repeats. */
const MAX_VALUE = 200;

/** The snapshot's size facts; `header` is the reader's SnapshotHeader (only these fields are read). */
export function snapshotFacts(header: { fileSize: number; nodeFields: readonly string[] }, graph: HeapNodes, file?: string): SnapshotFacts {
  let totalSize = 0;
  for (let i = 0; i < graph.nodeCount; i++) totalSize += selfSizeOf(graph, i);
  return { ...(file === undefined ? {} : { file }), fileSize: header.fileSize, nodeCount: graph.nodeCount, edgeCount: graph.edgeCount, totalSize, nodeFieldCount: header.nodeFields.length };
}

export interface SummaryOptions {
  /** How many largest objects and duplicated strings to keep (default 20). Every constructor is kept. */
  top?: number;
}

/** The summary of one analysed snapshot. `constructors` has every class (largest retained first); `top` limits `largest` and `duplicateStrings`. */
export function summarizeHeap(analysis: HeapAnalysis, facts: SnapshotFacts, options: SummaryOptions = {}): HeapSummary {
  const top = options.top ?? 20;
  const { graph, unreachable } = analysis;
  const warnings: string[] = [];
  if (unreachable.count > 0) warnings.push(`${unreachable.count === 1 ? '1 node is' : `${unreachable.count} nodes are`} unreachable from the root (DevTools attaches them to the root; they count in its retained size).`);
  return {
    version: HEAP_REPORT_VERSION,
    kind: 'heap-summary',
    snapshot: facts,
    constructors: constructorStats(analysis, classIndex(graph)),
    largest: largestObjects(analysis, top),
    duplicateStrings: duplicateStrings(graph, top),
    unreachable: { ...unreachable },
    warnings,
  };
}

/**
 * Class aggregates, DevTools' way: nodes of self size 0 are left out; a class's retained size sums
 * the retained sizes of its topmost objects on each dominator-tree path (a depth-first walk that
 * marks, per class, whether an object of it is on the current path), so nested ones are not
 * counted twice. The walk needs no stack: the tree is kept as first-child and next-sibling lists
 * (8 bytes per node) and the way up is idom, so it adds 8 bytes and a bit per node to classOf.
 */
function constructorStats(analysis: HeapAnalysis, classes: ClassIndex): ConstructorStat[] {
  const { graph, retainedSize, idom } = analysis;
  const { classOf, names } = classes;
  const count = new Float64Array(names.length);
  const self = new Float64Array(names.length);
  const retained = new Float64Array(names.length);
  const onPath = new Uint8Array(names.length);
  const n = graph.nodeCount;
  const root = graph.rootIndex;
  const firstChild = new Uint32Array(n).fill(NONE);
  const nextSibling = new Uint32Array(n).fill(NONE);
  for (let v = n - 1; v >= 0; v--) {
    if (v === root) continue;
    nextSibling[v] = firstChild[idom[v]!]!;
    firstChild[idom[v]!] = v;
  }
  // Per node: 1 when it is its class's topmost on the path (and so clears the mark on the way up).
  const topmost = new Uint8Array((n + 7) >>> 3);
  let v = root;
  for (;;) {
    // Enter v.
    const size = selfSizeOf(graph, v);
    if (size > 0) {
      const c = classOf[v]!;
      count[c]!++;
      self[c]! += size;
      if (onPath[c] === 0) {
        retained[c]! += retainedSize[v]!;
        onPath[c] = 1;
        setBit(topmost, v);
      }
    }
    if (firstChild[v] !== NONE) {
      v = firstChild[v]!;
      continue;
    }
    // Leave v, and each ancestor whose last child it was, then go on to the next sibling.
    for (;;) {
      if (hasBit(topmost, v)) onPath[classOf[v]!] = 0;
      if (v === root) break;
      if (nextSibling[v] !== NONE) break;
      v = idom[v]!;
    }
    if (v === root) break;
    v = nextSibling[v]!;
  }
  const stats: ConstructorStat[] = [];
  for (let c = 0; c < names.length; c++) if (count[c]! > 0) stats.push({ name: names[c]!, count: count[c]!, selfSize: self[c]!, retainedSize: retained[c]! });
  return stats.sort((a, b) => b.retainedSize - a.retainedSize || b.selfSize - a.selfSize || a.name.localeCompare(b.name));
}

/** The `top` nodes by retained size, leaving out the root and synthetic nodes (the GC roots and their subroots). */
function largestObjects(analysis: HeapAnalysis, top: number): HeapObjectInfo[] {
  const { graph, retainedSize } = analysis;
  const synthetic = graph.nodeTypeNames.indexOf('synthetic');
  const best: number[] = [];
  const score = (v: number): number => retainedSize[v]!;
  for (let v = 0; v < graph.nodeCount; v++) if (v !== graph.rootIndex && graph.nodeType[v] !== synthetic) keepTop(best, v, top, score);
  return best.map((v) => ({
    id: graph.nodeId[v]!,
    name: classNameOf(graph, v),
    type: graph.nodeTypeNames[graph.nodeType[v]!]!,
    selfSize: selfSizeOf(graph, v),
    retainedSize: retainedSize[v]!,
    path: retainerPath(analysis, v),
  }));
}

/** String nodes with the same value (V8 writes one strings-table entry per value: the same name index), by wasted size. */
function duplicateStrings(graph: HeapNodes, top: number): DuplicateString[] {
  const string = graph.nodeTypeNames.indexOf('string');
  const count = new Uint32Array(graph.strings.count);
  const total = new Float64Array(graph.strings.count);
  for (let v = 0; v < graph.nodeCount; v++) {
    if (graph.nodeType[v] !== string) continue;
    const name = graph.nodeName[v]!;
    count[name]!++;
    total[name]! += selfSizeOf(graph, v);
  }
  const wasted = (i: number): number => total[i]! - total[i]! / count[i]!;
  const best: number[] = [];
  for (let i = 0; i < count.length; i++) if (count[i]! > 1) keepTop(best, i, top, wasted);
  return best.map((i) => ({ value: graph.strings.get(i).slice(0, MAX_VALUE), count: count[i]!, totalSize: total[i]!, wastedSize: Math.round(wasted(i)) }));
}

/** Inserts `item` into `best` (highest score first, at most `top` long) when it scores high enough; ties keep the earlier item first. */
export function keepTop(best: number[], item: number, top: number, score: (item: number) => number): void {
  if (top <= 0) return;
  const s = score(item);
  if (best.length === top && s <= score(best[top - 1]!)) return;
  let at = best.length;
  while (at > 0 && score(best[at - 1]!) < s) at--;
  best.splice(at, 0, item);
  if (best.length > top) best.pop();
}
