// What the heap worker (heapWorker.ts) is given and what it posts back: one job, a summary of a
// snapshot file or a diff of two or three, run whole (read, analysis, report) off the caller's
// thread.
import type { ErrorCode } from '../protocol/protocol';
import type { HeapDiff, HeapSummary } from '../heap/heapTypes';

export type HeapWorkerJob =
  | { kind: 'summary'; file: string; top?: number; shown: Record<string, string> }
  | { kind: 'diff'; files: string[]; requests?: number; top?: number; shown: Record<string, string> };

export type HeapWorkerMessage =
  | { type: 'progress'; message: string; fraction?: number }
  | { type: 'done'; summary: HeapSummary }
  | { type: 'done'; diff: HeapDiff }
  /** A SessionError's code and message; `code` is absent for any other error. */
  | { type: 'error'; code?: ErrorCode; message: string };
