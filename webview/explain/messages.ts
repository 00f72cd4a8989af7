// Messages between the Explain webview and the extension, split by direction.
import type { ExplainResult } from '../../server/queries/explainTypes';

export type ToExplain =
  /** explainQuery was sent: show the statement and that the plan is coming. */
  | { type: 'loading'; text: string; statement: string; analyze: boolean }
  /** The plan; `canAnalyze`: offer EXPLAIN ANALYZE (a SELECT or WITH, explained without it). */
  | { type: 'result'; text: string; result: ExplainResult; canAnalyze: boolean }
  /** explainQuery failed: `code` is the server's (NOT_EXPLAINABLE, QUERY_UNKNOWN, NO_TARGET…), `hint` what to do. */
  | { type: 'failed'; text: string; statement: string; analyze: boolean; code: string; message: string; hint?: string };

export type FromExplain =
  | { type: 'ready' }
  /** What the page drew, for tests: the state and how many of each part. */
  | { type: 'rendered'; state: ToExplain['type']; problems: number; suggestions: number; nodes: number; marked: number }
  | { type: 'error'; message: string }
  /** Copy this text to the clipboard (the statement or an index's SQL). */
  | { type: 'copy'; text: string; what: string }
  /** The user asked for EXPLAIN ANALYZE of this statement (the extension asks to confirm). */
  | { type: 'explainAnalyze'; text: string };
