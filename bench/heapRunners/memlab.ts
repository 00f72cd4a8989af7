// Heap benchmark anchor: memlab's heap analysis of one snapshot, the closest it has to our summary:
// @memlab/heap-analysis getFullHeapFromFile (parse, node-id index, shortest paths, dominators and
// retained sizes: what its `memlab analyze …` commands load), then per-constructor count, self and
// retained size over heap.nodes, and the largest objects the way its ObjectSizeAnalysis
// (`memlab analyze object-size`) picks them (PluginUtils.filterOutLargestObjects).
// memlab is loaded at run time from the folder scripts/benchDeps.mjs installs it in.
//   node --max-old-space-size=MB .cache/bench-heap/runners/memlab.js DEPS_DIR FILE
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { failed, finish, phase } from './childReport';

/** The little of memlab's API this uses (its own types are not installed in the project). */
interface MemlabNode {
  type: string;
  name: string;
  self_size: number;
  retainedSize: number;
}
interface MemlabHeap {
  nodes: { forEach(callback: (node: MemlabNode) => void): void };
  edges: { length: number };
}
interface HeapAnalysisModule {
  getFullHeapFromFile(file: string): Promise<MemlabHeap>;
  PluginUtils: {
    isNodeWorthInspecting(node: MemlabNode): boolean;
    filterOutLargestObjects(heap: MemlabHeap, filter: (node: MemlabNode) => boolean, listSize?: number): MemlabNode[];
  };
}

async function main(): Promise<void> {
  const [depsDir, file] = process.argv.slice(2);
  if (!depsDir || !file) throw new Error('usage: memlab.js DEPS_DIR FILE');
  const load = createRequire(join(resolve(depsDir), 'package.json'));
  const heapAnalysis = load('@memlab/heap-analysis') as HeapAnalysisModule;
  // Quiet: its progress lines would only clutter the bench's output.
  (load('@memlab/core') as { config: { muteConsole: boolean } }).config.muteConsole = true;
  phase('setup: load memlab');
  let heap: MemlabHeap;
  try {
    heap = await heapAnalysis.getFullHeapFromFile(file);
  } catch (err) {
    return failed(err);
  }
  phase('getFullHeapFromFile');
  const byName = new Map<string, { count: number; selfSize: number; retainedSize: number }>();
  let nodes = 0;
  heap.nodes.forEach((node) => {
    nodes++;
    const name = node.type === 'object' || node.type === 'closure' || node.type === 'native' ? node.name : `(${node.type})`;
    let row = byName.get(name);
    if (!row) byName.set(name, (row = { count: 0, selfSize: 0, retainedSize: 0 }));
    row.count++;
    row.selfSize += node.self_size;
    row.retainedSize += node.retainedSize;
  });
  phase('by constructor');
  const largest = heapAnalysis.PluginUtils.filterOutLargestObjects(heap, heapAnalysis.PluginUtils.isNodeWorthInspecting, 15);
  phase('largest objects');
  finish({ nodes, edges: heap.edges.length, constructors: byName.size, largest: largest.length, computed: 'getFullHeapFromFile + per-constructor count/self/retained + ObjectSizeAnalysis largest objects' });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
