/**
 * worker_threads entry that runs one autocannon load (LoadOptions in workerData) and reports
 * through LoadWorkerMessage: progress about once a second, then `done` with the summary. A `stop`
 * command ends the run early; `done` still follows, with stoppedEarly. Started by runLoad only:
 * autocannon uses a whole core and must never share the profiler server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { applyRequestTimeout } from './clientTimeout';
import { LoadRecorder } from './loadRecorder';
import type { LoadOptions } from './loadTypes';
import type { LoadWorkerCommand, LoadWorkerMessage } from './workerMessages';

const PROGRESS_INTERVAL_MS = 1000;
/** How often autocannon checks whether to stop, i.e. how long it goes on sending after a stop. */
const STOP_CHECK_MS = 100;
/** Added to autocannon's own duration, which is only a backstop: the run ends on this worker's timer. */
const BACKSTOP_MS = 5000;

function runLoadInWorker(port: NonNullable<typeof parentPort>, options: LoadOptions): void {
  const post = (message: LoadWorkerMessage) => port.postMessage(message);
  const recorder = new LoadRecorder();
  // autocannon opens no more connections than requests per second.
  const connections = options.rate !== undefined ? Math.min(options.connections, options.rate) : options.connections;
  // The measured window ends when the duration is up or a stop comes: what autocannon still sends
  // or receives after that (until its next stop check) is not counted.
  const startedAt = performance.now();
  let stoppedAt: number | undefined;
  let stopRequested = false;
  let finished = false;
  // Set before autocannon's clients exist: with a rate, each client sends its share for a second at
  // the start of that second, on a timer of its own; this one must fire first, or the window would
  // take in the first requests of a second that is not part of it.
  const durationTimer = setTimeout(() => endWindow(), options.durationMs);
  const progressTimer = setInterval(() => post({ type: 'progress', progress: recorder.progress(performance.now() - startedAt) }), PROGRESS_INTERVAL_MS);

  const finish = (message: LoadWorkerMessage) => {
    if (finished) return;
    finished = true;
    clearTimeout(durationTimer);
    clearInterval(progressTimer);
    post(message);
  };

  let instance: autocannon.Instance;
  try {
    instance = autocannon(
      {
        url: options.url,
        method: options.method as autocannon.Request['method'],
        headers: options.headers,
        body: options.body,
        connections,
        overallRate: options.rate,
        // Only a backstop: the run ends on durationTimer.
        duration: (options.durationMs + BACKSTOP_MS) / 1000,
        // Whole seconds only (and ≥ 1) here; applyRequestTimeout sets the real one on each client.
        timeout: Math.max(1, Math.ceil(options.timeoutMs / 1000)),
        setupClient: (client) => applyRequestTimeout(client, options.timeoutMs, options.rate !== undefined),
        sampleInt: STOP_CHECK_MS,
      },
      (err) => {
        if (err) finish({ type: 'error', message: `autocannon failed: ${(err as Error).message ?? String(err)}` });
        else finish({ type: 'done', summary: recorder.summary(options, connections, (stoppedAt ?? performance.now()) - startedAt, stopRequested) });
      },
    );
  } catch (err) {
    finished = true;
    clearTimeout(durationTimer);
    clearInterval(progressTimer);
    throw err;
  }
  const second = () => Math.floor((performance.now() - startedAt) / 1000);
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (stoppedAt !== undefined) return;
    recorder.tick(second());
    recorder.response(statusCode, responseTime);
  });
  instance.on('reqError', (err) => {
    if (stoppedAt !== undefined) return;
    recorder.tick(second());
    recorder.error(err);
  });

  function endWindow() {
    if (stoppedAt !== undefined || finished) return;
    stoppedAt = performance.now();
    clearTimeout(durationTimer);
    clearInterval(progressTimer);
    instance.stop();
  }

  port.on('message', (command: LoadWorkerCommand) => {
    if (command?.type === 'stop' && stoppedAt === undefined) {
      stopRequested = true;
      endWindow();
    }
  });
}

if (!parentPort) throw new Error('loadWorker runs in a worker thread started by runLoad');
const port = parentPort;
try {
  runLoadInWorker(port, workerData as LoadOptions);
} catch (err) {
  port.postMessage({ type: 'error', message: `load could not start: ${(err as Error).message ?? String(err)}` } satisfies LoadWorkerMessage);
}
