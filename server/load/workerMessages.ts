import type { LoadProgress, LoadSummary } from './loadTypes';

/** What loadWorker posts to the thread that started it. */
export type LoadWorkerMessage =
  | { type: 'progress'; progress: LoadProgress }
  | { type: 'done'; summary: LoadSummary }
  | { type: 'error'; message: string };

/** What the starting thread may post to loadWorker: finish now and report what was measured. */
export interface LoadWorkerCommand {
  type: 'stop';
}
