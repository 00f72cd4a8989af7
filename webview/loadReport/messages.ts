// Messages between the load-test report webview and the extension, split by direction.
import type { LoadTestReport } from '../../server/loadtest/loadTestReport';

export type ToLoadReport = {
  type: 'show';
  report: LoadTestReport;
  exitCode: number;
  /** The file name shown in the heading (relative to the workspace). */
  title: string;
};

export type FromLoadReport =
  | { type: 'ready' }
  /** The report and its charts are drawn. */
  | { type: 'rendered'; charts: number; statements: number }
  | { type: 'error'; message: string }
  /** The user asked to open the run's CPU profile in the flame graph. */
  | { type: 'openProfile' };
