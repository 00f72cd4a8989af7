// What one snapshot holds: constructors by retained size (DevTools' class aggregates), the
// largest objects with their retainer paths, duplicated strings and the unreachable part. Pure.
import type { HeapAnalysis } from './analyseHeap';
import { selfSizeOf, type HeapGraph } from './heapGraph';
import { HEAP_REPORT_VERSION, type ConstructorStat, type DuplicateString, type HeapObjectInfo, type HeapSummary, type SnapshotFacts } from './heapTypes';
import { classIndex, classNameOf, type ClassIndex } from './nodeClass';
import { retainerPath } from './retainerPaths';

/** The longest string value a summary repeats. */
const MAX_VALUE = 200;

/** The snapshot's size facts; `header` is the reader's SnapshotHeader (only these fields are read). */
export function snapshotFacts(header: { fileSize: number; nodeFields: readonly string[] }, graph: HeapGraph, file?: string): SnapshotFacts {
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

/** Per node: its children in the dominator tree, as CSR (firstChild has N+1 entries). */
function dominatorChildren(analysis: HeapAnalysis): { firstChild: Uint32Array; children: Uint32Array } {
  const { graph, idom } = analysis;
  const n = graph.nodeCount;
  const root = graph.rootIndex;
  const firstChild = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) if (v !== root) firstChild[idom[v]! + 1]!++;
  for (let v = 0; v < n; v++) firstChild[v + 1]! += firstChild[v]!;
  const children = new Uint32Array(Math.max(0, n - 1));
  const fill = firstChild.slice(0, n);
  for (let v = 0; v < n; v++) if (v !== root) children[fill[idom[v]!]!++] = v;
  return { firstChild, children };
}

/**
 * Class aggregates, DevTools' way: nodes of self size 0 are left out; a class's retained size sums
 * the retained sizes of its topmost objects on each dominator-tree path (a depth-first walk that
 * counts, per class, the objects of it on the current path), so nested ones are not counted twice.
 */
function constructorStats(analysis: HeapAnalysis, classes: ClassIndex): ConstructorStat[] {
  const { graph, retainedSize } = analysis;
  const { classOf, names } = classes;
  const count = new Float64Array(names.length);
  const self = new Float64Array(names.length);
  const retained = new Float64Array(names.length);
  const onPath = new Uint32Array(names.length);
  const { firstChild, children } = dominatorChildren(analysis);
  const n = graph.nodeCount;
  const stack = new Uint32Array(n);
  const cursor = new Uint32Array(n);
  // Per stack slot: 1 when that node is its class's topmost on the path.
  const topmost = new Uint8Array(n);
  const enter = (v: number, sp: number): void => {
    stack[sp] = v;
    cursor[sp] = firstChild[v]!;
    topmost[sp] = 0;
    const size = selfSizeOf(graph, v);
    if (size === 0) return;
    const c = classOf[v]!;
    count[c]!++;
    self[c]! += size;
    if (onPath[c] === 0) {
      retained[c]! += retainedSize[v]!;
      onPath[c] = 1;
      topmost[sp] = 1;
    }
  };
  enter(graph.rootIndex, 0);
  let sp = 1;
  while (sp > 0) {
    const at = sp - 1;
    const v = stack[at]!;
    if (cursor[at]! < firstChild[v + 1]!) {
      enter(children[cursor[at]!++]!, sp);
      sp++;
      continue;
    }
    if (topmost[at] === 1) onPath[classOf[v]!] = 0;
    sp--;
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
function duplicateStrings(graph: HeapGraph, top: number): DuplicateString[] {
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
