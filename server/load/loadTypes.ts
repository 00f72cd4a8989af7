/** The methods autocannon can send (any other makes it throw inside the load worker). */
export const SENDABLE_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
/** The longest a timer waits in Node (a longer one fires after 1 ms): the bound of durations and timeouts. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a load run is asked to do. Every option the CLI exposes maps onto one field here. */
export interface LoadOptions {
  /** Absolute URL the requests go to. Its host must pass the host policy (see hostPolicy.ts). */
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Concurrent connections (closed model when `rate` is unset). */
  connections: number;
  /** Arrival rate in requests per second for all connections together (autocannon's overallRate). */
  rate?: number;
  durationMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
}

/** Latency figures in milliseconds, from an HDR histogram of every response (3 significant digits). */
export interface LatencySummary {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadErrors {
  /** Requests that got no answer: connection errors and timeouts. Non-2xx answers are counted apart. */
  total: number;
  /** Every request that did not succeed: no answer (total) plus every non-2xx answer. */
  failed: number;
  /** Non-2xx answers by status, e.g. {"404": 412, "500": 3}: what `failed` is made of, with byKind. */
  byStatus: Record<string, number>;
  timeouts: number;
  /** Responses whose status was not 2xx. */
  non2xx: number;
  /** Responses by status code, e.g. {"200": 1234, "500": 2}. */
  statusCodes: Record<string, number>;
  /** Error messages seen, with their counts (e.g. {"ECONNREFUSED": 3}). */
  byKind: Record<string, number>;
}

/** The result of one load run, also the `load` field of a profile report. */
export interface LoadSummary {
  url: string;
  method: string;
  /** Connections actually opened: with a rate, autocannon opens at most `rate` of them. */
  connections: number;
  rate?: number;
  /** Responses received (any status) within the measured window. */
  requests: number;
  /** The measured window: the duration asked for, or less when stopped early. */
  durationMs: number;
  /** requests / durationMs, per second. */
  rps: number;
  latency: LatencySummary;
  errors: LoadErrors;
  /** True when the run was stopped before its duration (cancelled, target died). */
  stoppedEarly: boolean;
  /** Every response time in an HDR histogram (µs), compressed and base64-encoded: runs merge exactly. */
  histogram?: string;
  /** One entry per second of the run, for charts and for spotting a spike. */
  perSecond?: SecondStats[];
}

export interface SecondStats {
  /** Seconds since the start of the run (0 = the first second). */
  second: number;
  requests: number;
  /** Requests that failed in that second: no answer, or a non-2xx status. */
  errors: number;
  /** ms; 0 when no response completed in that second. */
  p50: number;
  p99: number;
}

/** Sent about once a second while load runs. */
export interface LoadProgress {
  elapsedMs: number;
  requests: number;
  /** Requests completed in the last second. */
  rps: number;
  /** p99 so far, ms. */
  p99: number;
  /** Requests that got no answer so far (connection errors, timeouts). */
  errors: number;
  /** Requests that did not succeed so far: no answer, or a non-2xx status. */
  failed: number;
  /** Non-2xx answers so far, by status. */
  byStatus: Record<string, number>;
}
