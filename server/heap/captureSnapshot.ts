// Takes a heap snapshot of a target through the inspector and streams it to a .heapsnapshot file
// as V8 sends it: each HeapProfiler.addHeapSnapshotChunk is written at once (never gathered in the
// server's memory) to `<file>.partial`, which is renamed to `<file>` once V8 has sent the last one.
// Whatever goes wrong (cancel, the target dying, a full disk), the partial file is removed.
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { TargetClosedError, describeClose, type CdpConnection } from '../cdp/connection';
import { SessionError } from '../session/sessionError';
import { formatBytes } from '../text/formatBytes';

export interface CaptureSnapshotOptions {
  /** The final path; `<file>.partial` is written first. Its folder must exist. */
  file: string;
  /**
   * Stops writing: the partial file is removed at once and later chunks are dropped. V8 cannot stop
   * a snapshot mid-way: the service stays paused until V8 has gone through its whole heap, and the
   * promise rejects (CANCELLED) only then, so that no chunk of this snapshot lands in the next one.
   */
  signal?: AbortSignal;
  /** Called with the JS heap in use (Runtime.getHeapUsage) just before the snapshot is asked for. */
  onBefore?: (heapUsedBytes: number | undefined) => void;
  /** V8's progress while it walks the heap (a fraction), then the bytes written so far. At most about 10 a second. */
  onProgress?: (progress: SnapshotProgress) => void;
  /** How the target went away, appended to a TARGET_LOST message (e.g. TargetSession.describeLoss). */
  describeLoss?: () => Promise<string>;
}

export interface SnapshotProgress {
  phase: 'walking' | 'writing';
  /** walking: V8's done ÷ total. */
  fraction?: number;
  /** writing: bytes written so far. */
  bytes: number;
  message: string;
}

export interface SnapshotTaken {
  file: string;
  bytes: number;
  durationMs: number;
  heapUsedBefore?: number;
}

const PROGRESS_GAP_MS = 100;

/** The JS heap in use (bytes), or undefined when the target cannot say. */
export async function heapUsed(connection: CdpConnection): Promise<number | undefined> {
  const usage = await connection.send('Runtime.getHeapUsage').catch(() => undefined);
  return usage?.usedSize;
}

/** What to tell the user before a snapshot (Node's docs: a snapshot needs about twice the heap). */
export function snapshotWarning(heapUsedBytes: number | undefined): string {
  const now = heapUsedBytes === undefined ? '' : ` (${formatBytes(heapUsedBytes)} used now)`;
  return `the service pauses while V8 writes the heap snapshot and may need about twice its heap${now}`;
}

/**
 * Takes one heap snapshot (V8 collects garbage first) and streams it to `options.file`. Fails with a
 * SessionError: CANCELLED (the signal), TARGET_LOST (the inspector connection closed mid-way) or
 * SNAPSHOT_FAILED (the file could not be created or written: a full disk, no permission). In every
 * failure the partial file is gone.
 */
export async function captureSnapshot(connection: CdpConnection, options: CaptureSnapshotOptions): Promise<SnapshotTaken> {
  const { file, signal } = options;
  const partial = `${file}.partial`;
  if (signal?.aborted) throw cancelledSnapshot();
  const heapUsedBefore = await heapUsed(connection);
  options.onBefore?.(heapUsedBefore);
  if (signal?.aborted) throw cancelledSnapshot();

  let fd: number | undefined;
  try {
    fd = openSync(partial, 'w');
  } catch (err) {
    throw writeFailure(err as NodeJS.ErrnoException, partial, 0);
  }
  let bytes = 0;
  /** Why writing stopped early, once it has: later chunks are dropped. */
  let failure: SessionError | undefined;
  const stopWriting = (why: SessionError) => {
    failure ??= why;
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Closing after a failed write can fail the same way; the file goes next either way.
      }
      fd = undefined;
    }
    rmSync(partial, { force: true });
  };

  let lastProgress = 0;
  const report = (progress: SnapshotProgress, force = false) => {
    const now = performance.now();
    if (!options.onProgress || (!force && now - lastProgress < PROGRESS_GAP_MS)) return;
    lastProgress = now;
    options.onProgress(progress);
  };
  const started = performance.now();
  const listeners = [
    connection.on('HeapProfiler.reportHeapSnapshotProgress', ({ done, total, finished }) => {
      if (failure) return;
      const fraction = total > 0 ? done / total : 0;
      report({ phase: 'walking', fraction, bytes, message: `walking the heap: ${Math.round(fraction * 100)} %` }, finished === true);
    }),
    connection.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => {
      if (failure || fd === undefined) return;
      try {
        // Synchronous: chunks land in the order V8 sent them, and none waits in memory.
        bytes += writeSync(fd, chunk, null, 'utf8');
      } catch (err) {
        stopWriting(writeFailure(err as NodeJS.ErrnoException, file, bytes));
        return;
      }
      report({ phase: 'writing', bytes, message: `writing the snapshot: ${formatBytes(bytes)}` });
    }),
  ];
  const onAbort = () => stopWriting(cancelledSnapshot());
  signal?.addEventListener('abort', onAbort, { once: true });
  let lost: string | undefined;
  const closeListener = connection.onClose((info) => {
    lost = describeClose(info);
    stopWriting(new SessionError('TARGET_LOST', ''));
  });

  try {
    try {
      await connection.send('HeapProfiler.takeHeapSnapshot', { reportProgress: true });
    } catch (err) {
      if (!(err instanceof TargetClosedError) && !connection.isClosed) {
        stopWriting(new SessionError('SNAPSHOT_FAILED', `V8 could not take the heap snapshot: ${(err as Error).message}`));
      }
    }
    if (lost !== undefined || connection.isClosed) {
      if (failure?.code === 'CANCELLED') throw failure;
      stopWriting(new SessionError('TARGET_LOST', ''));
      const why = (await options.describeLoss?.()) ?? '';
      throw new SessionError('TARGET_LOST', `the target went away while its heap snapshot was being written (inspector connection closed: ${lost ?? 'closed'}) after ${formatBytes(bytes)}; the partial file was removed.${why}`);
    }
    if (failure) throw failure;
    closeSync(fd!);
    fd = undefined;
    renameSync(partial, file);
    report({ phase: 'writing', bytes, message: `wrote the snapshot: ${formatBytes(bytes)}` }, true);
    return { file, bytes, durationMs: performance.now() - started, ...(heapUsedBefore !== undefined ? { heapUsedBefore } : {}) };
  } catch (err) {
    if (err instanceof SessionError) {
      stopWriting(err);
      throw err;
    }
    const failed = writeFailure(err as NodeJS.ErrnoException, file, bytes);
    stopWriting(failed);
    throw failed;
  } finally {
    for (const listener of listeners) listener.dispose();
    closeListener.dispose();
    signal?.removeEventListener('abort', onAbort);
  }
}

function cancelledSnapshot(): SessionError {
  return new SessionError('CANCELLED', 'the heap snapshot was cancelled and its partial file removed (V8 cannot stop a snapshot mid-way: the service resumed once V8 had gone through its heap)');
}

/** SNAPSHOT_FAILED for a file system error, saying what happened, how far it got and what to do. */
function writeFailure(err: NodeJS.ErrnoException, file: string, bytes: number): SessionError {
  const wrote = bytes > 0 ? `wrote ${formatBytes(bytes)} of the snapshot to ${file} before ${err.code}` : `could not write ${file} (${err.code ?? err.message})`;
  const advice: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EACCES: 'no permission to write there',
    EPERM: 'no permission to write there',
    EROFS: 'the file system is read-only',
    ENOENT: 'its folder does not exist',
    ENOTDIR: 'its folder is not a folder',
    EISDIR: 'a folder has that name',
  };
  const what = advice[err.code ?? ''];
  const fix = err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'free space or choose another folder' : 'choose another folder';
  return new SessionError('SNAPSHOT_FAILED', `${what ? `${what}: ` : ''}${wrote}; the partial file was removed; ${fix}`);
}
