// The heap benchmark's large snapshots: made by bench/fixtures/bigHeap.mjs at a target file size,
// cached in .cache/bench-heap/<generator hash>-node<version>/ and made again only when the
// generator or Node changes. The generator's bytes per unit are measured once (two small runs) and
// cached with the files, so the real runs hit their size without trial and error.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, runToEnd } from './processes';

export const generatorFile = join(root, 'bench', 'fixtures', 'bigHeap.mjs');
const CALIBRATION_UNITS = 20_000;
const GENERATOR_TIMEOUT_MS = 8 * 60_000;

/** A snapshot the benchmark reads, with the counts from its own header. */
export interface BenchSnapshot {
  /** What the benchmark calls it, e.g. "service-350MB". */
  name: string;
  file: string;
  bytes: number;
  nodeCount: number;
  edgeCount: number;
  /** Units of bigHeap.mjs it was made with. */
  units: number;
  /** Whether it was made by this run (false: taken from the cache). */
  made: boolean;
}

interface GeneratorOutput {
  units: number;
  heapUsedBytes: number;
  buildMs: number;
  writeMs: number;
  fileBytes: number;
}

interface Calibration {
  baseBytes: number;
  bytesPerUnit: number;
}

/** The cache folder of this generator version under this Node. */
export function snapshotCacheDir(): string {
  const hash = createHash('sha256').update(readFileSync(generatorFile)).digest('hex').slice(0, 12);
  return join(root, '.cache', 'bench-heap', `${hash}-node${process.versions.node}`);
}

async function runGenerator(units: number, out: string, maxOldSpaceMb: number): Promise<GeneratorOutput> {
  const lines = await runToEnd(process.execPath, [`--max-old-space-size=${maxOldSpaceMb}`, generatorFile, '--units', String(units), '--out', out], GENERATOR_TIMEOUT_MS);
  return JSON.parse(lines[lines.length - 1]!) as GeneratorOutput;
}

async function calibration(dir: string): Promise<Calibration> {
  const file = join(dir, 'calibration.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Calibration;
  const scratch = join(dir, 'calibration.heapsnapshot');
  try {
    const empty = await runGenerator(0, scratch, 1024);
    const some = await runGenerator(CALIBRATION_UNITS, scratch, 2048);
    const result = { baseBytes: empty.fileBytes, bytesPerUnit: (some.fileBytes - empty.fileBytes) / CALIBRATION_UNITS };
    writeFileSync(file, `${JSON.stringify(result)}\n`);
    return result;
  } finally {
    rmSync(scratch, { force: true });
  }
}

/** node_count and edge_count from the header at the start of a .heapsnapshot. */
export function snapshotCounts(file: string): { nodeCount: number; edgeCount: number } {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const text = head.toString('latin1', 0, readSync(fd, head, 0, head.length, 0));
    const at = text.indexOf('"nodes":');
    if (at < 0) throw new Error(`${file}: no "nodes" section in its first 64 KB: not a V8 heap snapshot`);
    const header = JSON.parse(`${text.slice(0, at).replace(/,\s*$/, '')}}`) as { snapshot: { node_count: number; edge_count: number } };
    return { nodeCount: header.snapshot.node_count, edgeCount: header.snapshot.edge_count };
  } finally {
    closeSync(fd);
  }
}

/**
 * A snapshot of about `targetBytes` (at least `minBytes`) under `name` in the cache, made now when
 * it is not there. `log` hears what takes time.
 */
export async function ensureSnapshot(name: string, targetBytes: number, minBytes: number, log: (line: string) => void): Promise<BenchSnapshot> {
  const dir = snapshotCacheDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.heapsnapshot`);
  const meta = join(dir, `${name}.json`);
  if (existsSync(file) && existsSync(meta) && statSync(file).size >= minBytes) {
    const { units } = JSON.parse(readFileSync(meta, 'utf8')) as GeneratorOutput;
    return { name, file, bytes: statSync(file).size, ...snapshotCounts(file), units, made: false };
  }
  const cal = await calibration(dir);
  let units = Math.ceil((targetBytes - cal.baseBytes) / cal.bytesPerUnit);
  // Room for the heap it builds and for V8's snapshot writer (which holds the graph besides).
  const maxOldSpaceMb = Math.max(2048, Math.ceil((targetBytes / 1e6) * 2));
  const partial = `${file}.partial`;
  for (let attempt = 1; ; attempt++) {
    log(`  making ${name}: ${units} units of bigHeap.mjs for about ${(targetBytes / 1e6).toFixed(0)} MB (once; cached in ${dir})…`);
    const out = await runGenerator(units, partial, maxOldSpaceMb);
    log(`    ${(out.fileBytes / 1e6).toFixed(0)} MB: heap built in ${(out.buildMs / 1000).toFixed(1)} s (${(out.heapUsedBytes / 1e6).toFixed(0)} MB used), written in ${(out.writeMs / 1000).toFixed(1)} s`);
    if (out.fileBytes >= minBytes) {
      renameSync(partial, file);
      writeFileSync(meta, `${JSON.stringify(out)}\n`);
      return { name, file, bytes: out.fileBytes, ...snapshotCounts(file), units, made: true };
    }
    rmSync(partial, { force: true });
    if (attempt === 2) throw new Error(`bigHeap.mjs made ${out.fileBytes} bytes with ${units} units, below the ${minBytes} wanted, twice`);
    units = Math.ceil(units * (targetBytes / out.fileBytes));
  }
}
