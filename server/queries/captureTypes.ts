// What the agent in the user's service records about its PostgreSQL traffic, as the server receives
// it through the agent's binding. Pure types: the agent (server/agent/), the collector that gathers
// batches and the pure analysis (server/queries/) all use them.

/** A frame of a captured call stack, as V8's CallSite API gives it. */
export interface StackFrame {
  /** The script's URL or path as V8 names it (`file:///…/dist/routes/orders.js`, `/…/orders.js`, `node:internal/…`). */
  url: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  functionName: string;
  /** An `await` frame of V8's async stack traces. */
  async?: boolean;
}

/** One query the service sent, from the moment it was handed to pg until its result came back. */
export interface QueryExecution {
  /** Statement id: the raw SQL text (see CapturedStatement). */
  statement: number;
  /** Call-site id (see CapturedSite), -1 when no stack was taken for this execution. */
  site: number;
  /** The HTTP request it was sent for (see CapturedRequest), 0 when none was in progress. */
  request: number;
  /** When it was handed to pg: ms on the agent's clock (performance.now() in the target). */
  startMs: number;
  /** From being handed to the client until its result (or error) came back, pool wait excluded. */
  ms: number;
  /** Waiting for a pool connection before it could be sent: pool.query's, or the pool.connect() wait for the first statement sent on the client it returned; 0 otherwise. */
  waitMs: number;
  /** Rows returned or affected; -1 when unknown (a cursor, an error). */
  rows: number;
  /** SQLSTATE of a failed query (`42P01`), or `'?'` when the error had none (connection lost). */
  errorCode?: string;
  /** The first line of the error's message, for a failed query. */
  errorMessage?: string;
  /** The pool it went through (see CapturedPool), -1 for a client used on its own. */
  pool: number;
}

/** A distinct SQL text, sent once so executions can refer to it by id. */
export interface CapturedStatement {
  id: number;
  /** As the service sent it (not yet normalised), truncated by the agent past MAX_STATEMENT_CHARS. */
  text: string;
  /** A prepared statement's name when the query config had one. */
  name?: string;
  truncated?: boolean;
}

/** A distinct call stack (the frames above pg's own), sent once. */
export interface CapturedSite {
  id: number;
  frames: StackFrame[];
}

/** An HTTP request the service received while the agent was in place. */
export interface CapturedRequest {
  id: number;
  method: string;
  /** Path and query string as received. */
  url: string;
  startMs: number;
  /** When the response finished; absent while it is still in progress or if it never did. */
  endMs?: number;
  status?: number;
}

/** A pg.Pool the agent has seen in use. */
export interface CapturedPool {
  id: number;
  /** `host:port/database` from its options (no user, no password). */
  name: string;
  /** options.max (pg-pool's default is 10). */
  max: number;
}

/** A pool's counters at one moment (the agent samples every pool once a second). */
export interface PoolSample {
  pool: number;
  atMs: number;
  /** Connections open (pool.totalCount). */
  total: number;
  /** Open and not checked out (pool.idleCount). */
  idle: number;
  /** Callers waiting for a connection (pool.waitingCount). */
  waiting: number;
}

/** A connection handed out by a pool and given back (pool.query's own included). */
export interface Checkout {
  pool: number;
  /** Waiting for it, ms. */
  waitMs: number;
  /** From being handed out to release(), ms. */
  heldMs: number;
  request: number;
}

/** A client checked out with pool.connect() and not released within the leak threshold. */
export interface LeakReport {
  /** The checkout's own id (unique per checkout). */
  id: number;
  pool: number;
  /** Where pool.connect() was called. */
  site: number;
  request: number;
  checkedOutAtMs: number;
  /** Set when it was released after all: how long it was held. */
  releasedAfterMs?: number;
  /** The last statement sent on that client, when any. */
  lastStatement?: number;
  /** pg ≥ 8.21's client.getTransactionStatus(): 'I' idle, 'T' in a transaction, 'E' in a failed one. */
  transactionStatus?: string;
}

/** One message through the agent's binding: what happened since the previous one. */
export interface AgentBatch {
  type: 'batch';
  /** The agent's clock when the batch was made. */
  atMs: number;
  statements: CapturedStatement[];
  sites: CapturedSite[];
  requests: CapturedRequest[];
  /** Requests sent earlier whose response has finished since. */
  finished: Array<{ id: number; endMs: number; status: number }>;
  pools: CapturedPool[];
  executions: QueryExecution[];
  checkouts: Checkout[];
  poolSamples: PoolSample[];
  /** New leaks, and earlier ones released after all (same id, releasedAfterMs set). */
  leaks: LeakReport[];
  /** Executions left out because the agent's buffer was full (the server did not read fast enough). */
  dropped: number;
}

/** What installing the agent found in the service. */
export interface AgentStatus {
  /** process.version of the target. */
  node: string;
  /** Each copy of pg found in the service (its folder and version). */
  pg: Array<{ dir: string; version: string }>;
  /** Whether requests can be told apart (the http.server diagnostics channels exist). */
  requestContext: boolean;
}

export const AGENT_BINDING = '__perflensAgent';
/** The agent's global, a Symbol.for key, where its API lives while it is installed. */
export const AGENT_GLOBAL = 'perflens.agent';
/** Bumped whenever the agent's API changes: an older agent found in a target is replaced. */
export const AGENT_VERSION = 2;
export const MAX_STATEMENT_CHARS = 8000;

/**
 * Every batch of a run, gathered (see server/agent/queryCollector): the batches' `finished` ends are
 * folded into `requests`, and `leaks` holds the latest state of each leak (by id). The pure analysis
 * reads this.
 */
export interface QueryCapture extends Omit<AgentBatch, 'type' | 'atMs' | 'finished'> {
  status: AgentStatus;
  /** The agent's clock at the start and the end of the capture, ms. */
  startMs: number;
  endMs: number;
}
