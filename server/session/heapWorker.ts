/**
 * worker_threads entry that runs one heap file job (HeapWorkerJob in workerData) with heapJobs'
 * own functions and posts HeapWorkerMessage: progress, then `done` or `error`. Started by
 * heapWorkerJobs only, so that reading and analysing a snapshot (seconds, and most of the file's
 * size in memory) never blocks `perflens serve`'s event loop, and a cancel can end it at once
 * (the worker is terminated, its memory given back).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { diffSnapshotFiles, summarizeSnapshotFile, type HeapReadOptions } from './heapJobs';
import type { HeapWorkerJob, HeapWorkerMessage } from './heapWorkerMessages';
import { SessionError } from './sessionError';

async function run(port: NonNullable<typeof parentPort>, job: HeapWorkerJob): Promise<void> {
  const post = (message: HeapWorkerMessage) => port.postMessage(message);
  const options: HeapReadOptions = {
    top: job.top,
    shown: (file) => job.shown[file] ?? file,
    onProgress: (message, fraction) => post({ type: 'progress', message, ...(fraction !== undefined ? { fraction } : {}) }),
  };
  try {
    if (job.kind === 'summary') post({ type: 'done', summary: await summarizeSnapshotFile(job.file, options) });
    else post({ type: 'done', diff: await diffSnapshotFiles(job.files, { ...options, requests: job.requests }) });
  } catch (err) {
    if (err instanceof SessionError) post({ type: 'error', code: err.code, message: err.message });
    else post({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}

if (parentPort) void run(parentPort, workerData as HeapWorkerJob);
