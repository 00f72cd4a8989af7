// heapJobs' file jobs (a snapshot's summary, a diff of two or three) run in a worker thread
// (heapWorker.ts): what `perflens serve` uses, so that its event loop keeps answering (vitals,
// cancel, status) while a large snapshot is read and analysed, and a cancel ends the job at once,
// even mid-analysis, by terminating the worker. The CLI runs the same functions in its own thread.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HeapDiff, HeapSummary } from '../heap/heapTypes';
import type { DiffFilesOptions, HeapReadOptions } from './heapJobs';
import type { HeapWorkerJob, HeapWorkerMessage } from './heapWorkerMessages';
import { SessionError } from './sessionError';

/** summarizeSnapshotFile, in a worker. */
export async function summarizeSnapshotFileInWorker(file: string, options: HeapReadOptions = {}): Promise<HeapSummary> {
  const done = await runHeapWorker({ kind: 'summary', file, top: options.top, shown: shownNames([file], options) }, options);
  if (!('summary' in done)) throw new Error('the heap worker answered a summary job with a diff');
  return done.summary;
}

/** diffSnapshotFiles, in a worker. */
export async function diffSnapshotFilesInWorker(files: readonly string[], options: DiffFilesOptions = {}): Promise<HeapDiff> {
  const done = await runHeapWorker({ kind: 'diff', files: [...files], requests: options.requests, top: options.top, shown: shownNames(files, options) }, options);
  if (!('diff' in done)) throw new Error('the heap worker answered a diff job with a summary');
  return done.diff;
}

function shownNames(files: readonly string[], options: HeapReadOptions): Record<string, string> {
  return Object.fromEntries(files.map((file) => [file, options.shown?.(file) ?? file]));
}

type Done = Extract<HeapWorkerMessage, { type: 'done' }>;

function runHeapWorker(job: HeapWorkerJob, options: HeapReadOptions): Promise<Done> {
  const { signal, onProgress } = options;
  const what = job.kind === 'summary' ? `the summary of ${job.shown[job.file] ?? job.file}` : 'the heap diff';
  if (signal?.aborted) return Promise.reject(new SessionError('CANCELLED', `${what} was cancelled`));
  return new Promise<Done>((resolve, reject) => {
    const worker = new Worker(heapWorkerFile(), { workerData: job });
    let settled = false;
    const settle = (): void => {
      settled = true;
      signal?.removeEventListener('abort', cancel);
      worker.removeAllListeners('message');
      void worker.terminate();
    };
    const fail = (err: Error): void => {
      if (settled) return;
      settle();
      reject(err);
    };
    function cancel(): void {
      fail(new SessionError('CANCELLED', `${what} was cancelled`));
    }
    signal?.addEventListener('abort', cancel, { once: true });
    worker.on('message', (message: HeapWorkerMessage) => {
      if (settled) return;
      if (message.type === 'progress') {
        onProgress?.(message.message, message.fraction);
        return;
      }
      if (message.type === 'error') {
        fail(message.code ? new SessionError(message.code, message.message) : new Error(message.message));
        return;
      }
      settle();
      resolve(message);
    });
    worker.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') fail(new SessionError('SNAPSHOT_TOO_LARGE', `working out ${what} ran out of memory: close other programs, or analyse the snapshot on a machine with more memory`));
      else fail(new SessionError('INTERNAL', `the heap worker failed while working out ${what}: ${err.message}`));
    });
    worker.on('exit', (code) => fail(new SessionError('INTERNAL', `the heap worker stopped (exit code ${code}) before it finished ${what}`)));
  });
}

function heapWorkerFile(): string {
  const built = path.join(__dirname, 'heapWorker.js');
  return existsSync(built) ? built : path.join(__dirname, 'heapWorkerFromSource.cjs');
}
