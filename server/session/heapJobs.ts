// The heap work the CLI and the RPC server share: taking a snapshot of a session's target into a
// folder, and reading snapshot files into a summary or a leak diff (the streaming reader, then the
// pure analysis), with progress, cancellation and the reader's failures as SessionErrors.
import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { analyseHeap } from '../heap/analyseHeap';
import { captureSnapshot, type SnapshotProgress, type SnapshotTaken } from '../heap/captureSnapshot';
import type { HeapDiff, HeapSummary, SnapshotFacts } from '../heap/heapTypes';
import { diffSnapshots } from '../heap/leakSuspects';
import { readSnapshot, readSnapshotIds, SnapshotFormatError, SnapshotTooLargeError, type SnapshotHeader } from '../heap/snapshotReader';
import { snapshotFacts, summarizeHeap } from '../heap/summarizeHeap';
import { SessionError } from './sessionError';
import type { TargetSession } from './targetSession';

export interface HeapReadOptions {
  signal?: AbortSignal;
  /** What is being read now ("reading snapshot 2 of 3: nodes"), with the fraction of that file when known. */
  onProgress?: (message: string, fraction?: number) => void;
  /** Rows of each table (constructors, largest objects, suspects). */
  top?: number;
  /** How files are named in messages (default: as given). */
  shown?: (file: string) => string;
}

export interface TakeSnapshotOptions {
  outDir: string;
  /** The file is `<outDir>/<name>.heapsnapshot`. */
  name: string;
  signal?: AbortSignal;
  onBefore?: (heapUsedBytes: number | undefined) => void;
  onProgress?: (progress: SnapshotProgress) => void;
}

/** A snapshot of the session's target, streamed to `<outDir>/<name>.heapsnapshot`. Errors: see captureSnapshot. */
export async function takeSnapshot(session: TargetSession, options: TakeSnapshotOptions): Promise<SnapshotTaken> {
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    throw new SessionError('SNAPSHOT_FAILED', `could not create the folder ${outDir} (${err.code ?? err.message}); choose another folder`);
  });
  const connection = await session.connect().catch(async (err: Error) => {
    // A service that dies at start (a missing script) closes its inspector first: say how it ended.
    await session.describeLoss();
    const end = session.ended;
    if (end && !end.released) throw new SessionError('TARGET_LOST', `${end.description} before PerfLens could reach its inspector${session.formatTail()}`);
    throw err;
  });
  return captureSnapshot(connection, {
    file: resolve(outDir, `${options.name}.heapsnapshot`),
    signal: options.signal,
    onBefore: options.onBefore,
    onProgress: options.onProgress,
    describeLoss: () => session.describeLoss(),
  });
}

/** The summary of one .heapsnapshot file. Fails with BAD_REQUEST, INVALID_SNAPSHOT, SNAPSHOT_TOO_LARGE or CANCELLED. */
export async function summarizeSnapshotFile(file: string, options: HeapReadOptions = {}): Promise<HeapSummary> {
  const shown = options.shown?.(file) ?? file;
  await checkFile(file, shown);
  const loaded = await readSnapshot(file, { signal: options.signal, onProgress: (fraction, message) => options.onProgress?.(`reading ${shown}: ${message}`, fraction) }).catch((err: unknown) => {
    throw readFailure(err, shown);
  });
  try {
    options.onProgress?.(`analysing ${shown}`);
    const analysis = analyseHeap(loaded.graph);
    return summarizeHeap(analysis, snapshotFacts(loaded.header, loaded.graph, file), { top: options.top });
  } finally {
    loaded.close();
  }
}

export interface DiffFilesOptions extends HeapReadOptions {
  /** Requests of the load between the first and second snapshot: each group's growth per request. */
  requests?: number;
}

/**
 * The leak suspects of two or three snapshot files (memlab's method): objects new in the second that
 * are still alive in the last. Only the ids of the first (and middle) are read; the last is read whole.
 */
export async function diffSnapshotFiles(files: readonly string[], options: DiffFilesOptions = {}): Promise<HeapDiff> {
  if (files.length !== 2 && files.length !== 3) throw new SessionError('BAD_REQUEST', `a heap diff takes two or three snapshots (baseline, target[, final]), not ${files.length}`);
  const shown = files.map((file) => options.shown?.(file) ?? file);
  for (let i = 0; i < files.length; i++) await checkFile(files[i], shown[i]);
  const step = (i: number) => (fraction: number, message: string) => options.onProgress?.(`reading snapshot ${i + 1} of ${files.length} (${shown[i]}): ${message}`, fraction);
  const read = <T>(i: number, promise: Promise<T>) => promise.catch((err: unknown) => {
    throw readFailure(err, shown[i]);
  });
  const earlier: Array<{ ids: Uint32Array; header: SnapshotHeader }> = [];
  for (let i = 0; i < files.length - 1; i++) earlier.push(await read(i, readSnapshotIds(files[i], { signal: options.signal, onProgress: step(i) })));
  const last = files.length - 1;
  const loaded = await read(last, readSnapshot(files[last], { signal: options.signal, onProgress: step(last) }));
  try {
    options.onProgress?.(`analysing ${shown[last]}`);
    const analysis = analyseHeap(loaded.graph);
    const facts: SnapshotFacts[] = [...earlier.map((e, i) => headerFacts(e.header, files[i])), snapshotFacts(loaded.header, loaded.graph, files[last])];
    const ids = earlier.length === 2 ? { baseline: earlier[0].ids, target: earlier[1].ids } : { baseline: earlier[0].ids };
    return diffSnapshots(analysis, ids, { facts, requests: options.requests, top: options.top });
  } finally {
    loaded.close();
  }
}

/** The facts of a snapshot read for its ids only: its total size is not known without its sizes. */
function headerFacts(header: SnapshotHeader, file: string): SnapshotFacts {
  return { file, fileSize: header.fileSize, nodeCount: header.nodeCount, edgeCount: header.edgeCount, totalSize: 0, nodeFieldCount: header.nodeFields.length };
}

async function checkFile(file: string, shown: string): Promise<void> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new SessionError('BAD_REQUEST', err.code === 'ENOENT' ? `${shown} does not exist` : `${shown} could not be read (${err.code ?? err.message})`);
  });
  if (info.isDirectory()) throw new SessionError('BAD_REQUEST', `${shown} is a folder, not a .heapsnapshot file`);
  if (!info.isFile()) throw new SessionError('BAD_REQUEST', `${shown} is not a file`);
}

/** The reader's failures as the protocol's codes, the file named. */
function readFailure(err: unknown, shown: string): unknown {
  if (!(err instanceof Error)) return err;
  if (err.name === 'AbortError') return new SessionError('CANCELLED', `reading ${shown} was cancelled`);
  if (err instanceof SnapshotTooLargeError) return new SessionError('SNAPSHOT_TOO_LARGE', `${shown}: ${err.message}`);
  if (err instanceof SnapshotFormatError) {
    // Another profile format, told by its name: say which and where it opens.
    const other = err.section === 'snapshot' ? /\.(cpuprofile|heapprofile)$/i.exec(shown)?.[1].toLowerCase() : undefined;
    if (other === 'cpuprofile') return new SessionError('INVALID_SNAPSHOT', `${shown} is a CPU profile, not a heap snapshot: read it with \`perflens summarize ${shown}\``);
    if (other === 'heapprofile') return new SessionError('INVALID_SNAPSHOT', `${shown} is a sampling heap profile, not a heap snapshot: open it in Chrome DevTools (Memory tab) or its .speedscope.json in speedscope`);
    return new SessionError('INVALID_SNAPSHOT', `${shown}: ${err.message}`);
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (code) return new SessionError('BAD_REQUEST', `${shown} could not be read (${code}: ${err.message})`);
  return err;
}
