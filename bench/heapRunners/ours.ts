// Heap benchmark, ours: what `perflens heap summary FILE` computes — readSnapshot, analyseHeap
// (dominators, retained sizes, retainer paths), snapshotFacts, summarizeHeap — minus printing.
// The benchmark bundles it with esbuild (no tsx in the measured process) and runs it alone:
//   node .cache/bench-heap/runners/ours.js FILE
// Besides the childReport lines, its result lists the typed arrays it holds and their sizes, to
// tell where the memory goes; an error (e.g. the reader refusing a snapshot too large for the
// memory available) is reported as the result.
import { analyseHeap } from '../../server/heap/analyseHeap';
import { snapshotFacts, summarizeHeap } from '../../server/heap/summarizeHeap';
import { readSnapshot } from '../../server/heap/snapshotReader';
import { failed, finish, phase } from './childReport';

/** Every typed array reachable from `value` through own properties (depth-limited), by path, in bytes. */
function typedArrayBytes(value: unknown, path: string, out: Record<string, number>, seen: Set<unknown>, depth = 0): void {
  if (value === null || typeof value !== 'object' || seen.has(value) || depth > 4) return;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    out[path] = value.byteLength;
    return;
  }
  if (value instanceof Map || Array.isArray(value)) return;
  for (const key of Object.keys(value)) typedArrayBytes((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key, out, seen, depth + 1);
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: ours.js FILE');
  phase('setup');
  let lastMessage = '';
  const loaded = await readSnapshot(file, {
    onProgress(_fraction: number, message: string) {
      // Each new progress message starts a reader phase: the previous one ends here.
      if (message !== lastMessage) {
        if (lastMessage) phase(`read: ${lastMessage}`);
        lastMessage = message;
      }
    },
  });
  phase(lastMessage ? `read: ${lastMessage}` : 'readSnapshot');
  const analysis = analyseHeap(loaded.graph);
  phase('analyseHeap');
  const facts = snapshotFacts(loaded.header, loaded.graph, file);
  // `perflens heap summary`'s default --top.
  const summary = summarizeHeap(analysis, facts, { top: 15 });
  phase('summarizeHeap');
  const arrays: Record<string, number> = {};
  const seen = new Set<unknown>();
  typedArrayBytes(loaded.graph, 'graph', arrays, seen);
  typedArrayBytes(analysis, 'analysis', arrays, seen);
  finish({
    nodes: loaded.graph.nodeCount,
    edges: loaded.graph.edgeCount,
    constructors: summary.constructors.length,
    computed: 'readSnapshot + analyseHeap + summarizeHeap (perflens heap summary)',
    typedArrays: arrays,
  });
  loaded.close();
}

// A refusal (SnapshotTooLargeError) or any other error is this run's outcome, shown in the table.
main().catch(failed);
