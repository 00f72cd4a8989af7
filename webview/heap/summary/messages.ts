// Messages between the heap snapshot editor's page (a *.heapsnapshot file's summary) and the
// extension, split by direction.
import type { HeapSummary } from '../../../server/heap/heapTypes';

export type ToHeapSummary =
  /** summarizeHeapSnapshot was sent: the file's name and size while it is read. */
  | { type: 'loading'; file: string; fileSize: number }
  /** The server's heapProgress while it reads the file. */
  | { type: 'progress'; message: string; fraction?: number }
  | { type: 'summary'; file: string; summary: HeapSummary }
  /** summarizeHeapSnapshot failed: the server's code (INVALID_SNAPSHOT, SNAPSHOT_TOO_LARGE…), its message and what to do. */
  | { type: 'failed'; file: string; code: string; message: string; advice?: string };

export type FromHeapSummary =
  | { type: 'ready' }
  /**
   * What the page drew, for tests: its state, how many rows of each table, the first constructors'
   * names as listed (at most 20), and the error's code when it failed.
   */
  | { type: 'rendered'; state: ToHeapSummary['type']; constructors: number; largest: number; strings: number; names: string[]; code?: string }
  | { type: 'error'; message: string }
  /** Read the file again (after a failure, or to refresh). */
  | { type: 'retry' };
