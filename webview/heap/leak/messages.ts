// Messages between the leak report panel and the extension, split by direction.
import type { HeapDiff, HeapLeakReport } from '../../../server/heap/heapTypes';

export type ToLeakReport = {
  type: 'show';
  /** A leak hunt's report (Find Leak), or a diff of snapshot files (Compare Heap Snapshots). */
  report: HeapLeakReport | HeapDiff;
  /** The workspace folders: paths under them are shown relative. */
  roots: string[];
};

export type FromLeakReport =
  | { type: 'ready' }
  /** The report is drawn: how many suspect groups, allocating-line links and retainer steps. */
  | { type: 'rendered'; groups: number; sites: number; steps: number }
  | { type: 'error'; message: string }
  /** Open a source line (an allocating line), 1-based. */
  | { type: 'openSource'; file: string; line: number; column?: number }
  /** Open a snapshot file in the summary editor. */
  | { type: 'openSnapshot'; file: string }
  /** Open the report's sampling heap profile (its speedscope file) in the flame graph panel. */
  | { type: 'openFlameGraph' };
