// The `queries` and `pools` sections of a report (ProfileReport, LoadTestReport): what the service
// sent to PostgreSQL during the run, per normalised statement, at the line in the user's code that
// sent it. Pure types.
import type { CodeOrigin } from '../analysis/codeOrigin';
import type { ExplainResult } from './explainTypes';

/** Where in the service's code a statement was sent from: the first frame outside node_modules and Node's own. */
export interface CallingLine {
  /** Original source path (absolute) when a source map resolves it, else the script's path. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  functionName: string;
  /** True when file/line come from a source map. */
  mapped: boolean;
  /**
   * 'own' normally; 'dependency' when every frame was inside node_modules (then the first frame
   * outside pg's own packages); 'node' when only Node's (and pg's) frames were left, or when the
   * query came with no stack (file '' and line 0 then).
   */
  origin: CodeOrigin;
  package?: string;
}

/** Figures of a set of durations, ms. */
export interface Durations {
  totalMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface NPlusOne {
  /** The endpoint it happens on, `GET /customers/:customerId/orders` (the route when known, else the path). */
  endpoint: string;
  /** The most this statement was sent in one request (median over flagged requests in `perRequestMedian`). */
  perRequest: number;
  perRequestMedian: number;
  /** Requests in which it was flagged. */
  requests: number;
  /** Of all requests to that endpoint. */
  ofRequests: number;
  /** Database time of the repeats per flagged request (the union of their intervals, so concurrent repeats count once), median, ms. */
  msPerRequest: number;
  /** The statement sent before the repeats began (the "source" in Sentry's rule), normalised. */
  after?: string;
}

export interface QueryError {
  /** SQLSTATE, or '?' when the error had none. */
  code: string;
  message: string;
  count: number;
}

export interface QueryStat extends Durations {
  /** Normalised text: literals as `?`, IN lists collapsed (`IN (?)`), whitespace folded. */
  text: string;
  /** One statement as sent (placeholders as written; no parameter values), for display and Copy Query; truncated past MAX_STATEMENT_CHARS. */
  example: string;
  calls: number;
  /** Rows returned or affected, summed over calls whose count was known. */
  rows: number;
  errors: number;
  errorCodes: QueryError[];
  /** Waiting for a pool connection before the query could be sent, apart from the time in the database. */
  wait: Durations;
  /** The calling line that sent most of its calls; `file` and `line` also at the top level for CI scripts ('' and 0 when no call came with a stack). */
  file: string;
  line: number;
  site: CallingLine;
  /** Other calling lines that sent the same statement, with their call counts. */
  otherSites?: Array<CallingLine & { calls: number }>;
  /** Calls per request that sent it: mean and max. */
  perRequest?: { mean: number; max: number };
  /** Set when it is sent N+1 style (see NPlusOne). */
  nPlusOne?: NPlusOne;
  /** With `perflens profile --explain`, for a slow SELECT: its plan, problems and index suggestions. */
  explain?: ExplainResult;
  /** Why --explain could not explain it. */
  explainError?: string;
}

export interface PoolStat {
  /** host:port/database. */
  name: string;
  max: number;
  /** Peak of the per-second samples. */
  peak: { total: number; busy: number; waiting: number };
  /** Per-second samples over the run: `busy` = total − idle. */
  samples: Array<{ atMs: number; total: number; busy: number; waiting: number }>;
  checkouts: number;
  /** Waiting for a connection, per checkout. */
  wait: Durations;
  /** Held per checkout, from hand-out to release. */
  held: Durations & { meanMs: number };
  /** Checkouts per second over the run. */
  ratePerSecond: number;
  /** Little's law: connections busy on average = rate × mean time held. */
  busyMean: number;
  /** At max with callers waiting for at least a sample: the pool is the bottleneck. */
  saturated: boolean;
  /** The sentence to show ("at 450 checkouts/s and 9 ms held per checkout, 4.1 connections are busy on average; p99 wait is 40 ms with max = 5: …"). */
  verdict: string;
}

export interface LeakedCheckout {
  pool: string;
  /** Where the client was checked out. */
  site: CallingLine;
  /** The whole stack, mapped, top first (for the hover and the log). */
  stack: CallingLine[];
  /** How long it had been out when reported, or until it came back. */
  heldMs: number;
  releasedAfterAll: boolean;
  /** The endpoint whose request checked it out, when known. */
  endpoint?: string;
  lastStatement?: string;
  transactionStatus?: 'idle' | 'in transaction' | 'in failed transaction';
}

export interface QueriesSection {
  /** What the agent found: pg copies, Node version, whether requests could be told apart. */
  pg: Array<{ dir: string; version: string }>;
  requestContext: boolean;
  /** Sorted by totalMs, highest first. */
  queries: QueryStat[];
  pools: PoolStat[];
  leaks: LeakedCheckout[];
  /**
   * Queries per request, over requests that sent at least one (for db_queries_per_request); and
   * `msMean`, the mean time per request spent in PostgreSQL or waiting for a connection: the union
   * of its queries' intervals, so queries that overlap (Promise.all, or queued on one client) count
   * once and it never exceeds the request's own duration.
   */
  perRequest: { requests: number; mean: number; max: number; p95: number; msMean: number };
  /** Executions the agent could not keep (its buffer was full). */
  dropped: number;
  /** Plain sentences: no pg found, database went down mid-run, queries dropped. */
  warnings: string[];
}
