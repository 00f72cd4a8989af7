import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { MAX_TIMER_MS, SENDABLE_METHODS, type LoadOptions, type LoadProgress, type LoadSummary } from './loadTypes';
import type { LoadWorkerCommand, LoadWorkerMessage } from './workerMessages';

export interface RunLoadHooks {
  /** Called about once a second while the load runs. */
  onProgress?(progress: LoadProgress): void;
  /** Aborting stops the load; runLoad then resolves with what was measured so far (stoppedEarly). */
  signal?: AbortSignal;
}

/** Beyond its duration, how long a run may take (worker start, last responses) before it is given up. */
const OVERRUN_MS = 15_000;
/** After a stop, how long the worker has to report. */
const STOP_GRACE_MS = 5_000;

/**
 * Puts load on `options.url` from a worker thread (autocannon never runs in the caller's event
 * loop) and resolves with the summary. Rejects when the options are invalid or the worker fails;
 * the worker is terminated in every case. Does not check the host policy: see checkLoadTarget.
 */
export function runLoad(options: LoadOptions, hooks: RunLoadHooks = {}): Promise<LoadSummary> {
  try {
    validateLoadOptions(options);
  } catch (err) {
    return Promise.reject(err);
  }
  const { onProgress, signal } = hooks;
  return new Promise<LoadSummary>((resolve, reject) => {
    const worker = new Worker(loadWorkerFile(), { workerData: options });
    let settled = false;
    let stopSent = false;
    let stopTimer: NodeJS.Timeout | undefined;
    const overrunTimer = setTimeout(
      () => fail(new Error(`load run did not finish within ${((options.durationMs + OVERRUN_MS) / 1000).toFixed(0)} s (duration ${(options.durationMs / 1000).toFixed(1)} s); the load worker was terminated`)),
      options.durationMs + OVERRUN_MS,
    );

    const settle = () => {
      settled = true;
      clearTimeout(overrunTimer);
      clearTimeout(stopTimer);
      signal?.removeEventListener('abort', stop);
      worker.removeAllListeners('message');
      void worker.terminate();
    };
    function fail(err: Error) {
      if (settled) return;
      settle();
      reject(err);
    }
    function stop() {
      if (settled || stopSent) return;
      stopSent = true;
      worker.postMessage({ type: 'stop' } satisfies LoadWorkerCommand);
      stopTimer = setTimeout(() => fail(new Error(`the load worker did not stop within ${STOP_GRACE_MS / 1000} s of being asked; it was terminated`)), STOP_GRACE_MS);
    }

    worker.on('message', (message: LoadWorkerMessage) => {
      if (settled) return;
      switch (message.type) {
        case 'progress':
          try {
            onProgress?.(message.progress);
          } catch (err) {
            fail(err as Error);
          }
          break;
        case 'done':
          settle();
          resolve(message.summary);
          break;
        case 'error':
          fail(new Error(`load failed: ${message.message}`));
          break;
      }
    });
    worker.on('error', (err) => fail(new Error(`the load worker crashed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => fail(new Error(`the load worker exited (code ${code}) before reporting a result`)));

    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}

/**
 * The built server has dist/loadWorker.js beside it (scripts/build.mjs). From source, the worker is
 * loadWorker.ts, entered through a .cjs file so that tsx's hooks, inherited through execArgv, apply.
 */
function loadWorkerFile(): string {
  const built = path.join(__dirname, 'loadWorker.js');
  return existsSync(built) ? built : path.join(__dirname, 'loadWorkerFromSource.cjs');
}

function validateLoadOptions(options: LoadOptions): void {
  const bad = (field: string, why: string) => new Error(`invalid load options: ${field} ${why}`);
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw bad('url', `${JSON.stringify(options.url)} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('url', `${JSON.stringify(options.url)} is not http(s)`);
  if (!Number.isInteger(options.connections) || options.connections < 1) throw bad('connections', `must be a whole number ≥ 1, not ${options.connections}`);
  if (options.rate !== undefined && (!Number.isInteger(options.rate) || options.rate < 1)) throw bad('rate', `must be a whole number ≥ 1 of requests per second, not ${options.rate}`);
  if (!(options.durationMs > 0) || !(options.durationMs <= MAX_TIMER_MS)) throw bad('durationMs', `must be > 0 and at most ${MAX_TIMER_MS} (about 24.8 days), not ${options.durationMs}`);
  if (!(options.timeoutMs > 0) || !(options.timeoutMs <= MAX_TIMER_MS)) throw bad('timeoutMs', `must be > 0 and at most ${MAX_TIMER_MS}, not ${options.timeoutMs}`);
  if (!SENDABLE_METHODS.includes(options.method)) throw bad('method', `must be one of ${SENDABLE_METHODS.join(', ')}, not ${JSON.stringify(options.method)}`);
}
