// Heap benchmark anchor: the whole file as one string, then JSON.parse — what DevTools-style
// readers start with. Above ~512 MB readFileSync(…, 'utf8') throws (V8's string length limit):
// that is reported as the outcome, not as a benchmark failure.
//   node .cache/bench-heap/runners/jsonParse.js FILE
import { readFileSync } from 'node:fs';
import { failed, finish, phase } from './childReport';

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: jsonParse.js FILE');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return failed(err);
  }
  phase('readFileSync');
  let snapshot: { snapshot: { node_count: number; edge_count: number } };
  try {
    snapshot = JSON.parse(text) as typeof snapshot;
  } catch (err) {
    return failed(err);
  }
  phase('JSON.parse');
  finish({ nodes: snapshot.snapshot.node_count, edges: snapshot.snapshot.edge_count, computed: 'JSON.parse of the file (no analysis)' });
}

main();
