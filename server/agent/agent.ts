// The code PerfLens evaluates inside the user's service (bundled on its own into dist/agent.js and
// sent with Runtime.evaluate; see installAgent.ts). It sees every query the service sends through
// each loaded copy of `pg` while a run is armed, ties each one to the HTTP request it was sent for,
// samples every pg.Pool's counters once a second, watches checkouts for leaks, and pushes what it
// saw through the binding once a second. Disarming restores every prototype it wrapped; removing
// also deletes its global. Parameter values are kept in memory only (for Explain), never sent.
//
// How a query is followed: pg's Client#query enqueues a Query (or the caller's submittable: a
// cursor, a query stream) and every form ends in that object's handleReadyForQuery or handleError,
// which the client calls. So the agent finds the object just enqueued and wraps those two methods on
// it: the caller gets back exactly what pg returns (dd-trace follows the enqueued query for the
// same reason: wrapping the call's callback or promise has broken cursors in other tools).
//
// How a query is tied to its request: the http.server.request.start diagnostics channel fires just
// before the server emits 'request'; the agent enters an AsyncLocalStorage store there, so code the
// handler runs, and what it awaits, sees the request's id.
import type { AgentStatus, CapturedPool, CapturedRequest, CapturedSite, CapturedStatement, LeakReport, PoolSample, StackFrame } from '../queries/captureTypes';
import { AGENT_BINDING, AGENT_GLOBAL, AGENT_VERSION, MAX_STATEMENT_CHARS } from '../queries/captureTypes';
import { EXECUTION_FIELDS, roundMs, type WireBatch, type WireCheckout } from './wire';
import { createVitals, type VitalsApi } from './vitals';

export interface ArmOptions {
  /** A checkout held longer than this is reported as leaked (HikariCP's rule: report, never reclaim). */
  leakThresholdMs: number;
  /** Stacks are taken for the first `firstStacks` executions of each statement, then one in `stackEvery`. */
  firstStacks: number;
  stackEvery: number;
  /** How often batches are pushed through the binding. */
  flushMs: number;
  /** Executions kept between two flushes at most (beyond: counted as dropped). */
  maxBuffered: number;
  /** Tie each query to its HTTP request (AsyncLocalStorage; see the README for its cost on Node < 24). */
  requestContext: boolean;
}

export interface AgentApi {
  readonly version: number;
  /** Starts a run: wraps every loaded pg, subscribes to the request channels, starts the clock. */
  arm(options: ArmOptions): { status: AgentStatus; atMs: number };
  /** What was captured since the last flush. */
  flush(): WireBatch;
  /** Restores everything wrapped and returns the last batch. Keeps the Explain store. */
  disarm(): WireBatch;
  /**
   * Runs `steps` (SQL without parameters, e.g. BEGIN / ROLLBACK) around `explainSql` (which is given
   * the slowest execution's parameters) on a client of the pool that ran the statement; resolves
   * with the EXPLAIN statement's first row's first column.
   */
  explain(statement: number, explainSql: string, before: string[], after: string[]): Promise<unknown>;
  /** Runs one read (a catalog lookup: table sizes for Explain) on the pool that ran `statement`; resolves with its rows. */
  run(statement: number, sql: string, values: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** The service's vitals (event loop, GC, memory, CPU) and stalls, pushed through the same binding. */
  readonly vitals: VitalsApi;
  /** Disarms, stops the vitals and deletes the agent's global: the service is as it was. */
  remove(): void;
}


interface PgClient {
  query: (...args: unknown[]) => unknown;
  _queryQueue?: unknown[];
  queryQueue?: unknown[];
  _sentQueryQueue?: unknown[];
  _activeQuery?: unknown;
  activeQuery?: unknown;
  _queryable?: boolean;
  _ending?: boolean;
  release?: (err?: unknown) => void;
  getTransactionStatus?: () => string | null;
  [key: symbol]: unknown;
}
interface PgPool {
  options?: { max?: number; host?: string; port?: number; database?: string; connectionString?: string };
  totalCount?: number;
  idleCount?: number;
  waitingCount?: number;
  Promise?: PromiseConstructor;
  connect: (...args: unknown[]) => unknown;
  query: (...args: unknown[]) => unknown;
}
interface QueryObject {
  text?: string;
  name?: string;
  values?: unknown[];
  callback?: unknown;
  submit?: unknown;
  _results?: unknown;
  handleReadyForQuery?: (...args: unknown[]) => unknown;
  handleError?: (...args: unknown[]) => unknown;
}
interface RequestStore {
  id: number;
}
interface Stack {
  stack?: unknown;
}
/** What a pool.query call hands on to the client query it becomes. */
interface PoolQueryOrigin {
  /** The statement pool.query was given (recorded as failed when no connection could be had). */
  text: string;
  startMs: number;
  stack?: Stack;
  request: number;
  pool: number;
  waitMs: number;
}
interface OpenCheckout {
  id: number;
  pool: number;
  atMs: number;
  waitMs: number;
  request: number;
  /** pool.connect() called by the user (not by pool.query): watched for leaks. */
  stack?: Stack;
  reported: boolean;
  lastStatement?: number;
  client: PgClient;
}

type Loader = (id: string) => unknown;

const g = globalThis as unknown as Record<string | symbol, unknown>;
const key = Symbol.for(AGENT_GLOBAL);
if (!g[key]) g[key] = createAgent();

/** Sends one payload to the server; without the binding (a client that did not add it) it is dropped. */
function push(payload: unknown): void {
  const binding = g[AGENT_BINDING];
  if (typeof binding === 'function') (binding as (payload: string) => void)(JSON.stringify(payload));
}

function createAgent(): AgentApi {
  const load: Loader = (process as unknown as { getBuiltinModule?: Loader }).getBuiltinModule ?? (g.require as Loader);
  const { performance } = load('perf_hooks') as typeof import('perf_hooks');
  const { AsyncLocalStorage } = load('async_hooks') as typeof import('async_hooks');
  const channels = load('diagnostics_channel') as typeof import('diagnostics_channel');
  const Module = load('module') as { _cache?: Record<string, { exports?: unknown } | undefined> };
  const fs = load('fs') as typeof import('fs');
  const path = load('path') as typeof import('path');
  const now = () => performance.now();

  const kPoolOrigin = Symbol('perflens.poolQueryOrigin');
  const kCheckout = Symbol('perflens.checkout');
  const kOwnQuery = Symbol('perflens.ownQuery');

  let options: ArmOptions | undefined;
  const requests = new AsyncLocalStorage<RequestStore>();
  const restores: Array<() => void> = [];
  const wrappedFiles = new Set<string>();
  let timer: ReturnType<typeof setInterval> | undefined;

  // The run's records, since the last flush.
  let statementIds = new Map<string, { id: number; seen: number }>();
  let newStatements: CapturedStatement[] = [];
  const siteIds = new Map<string, number>();
  let newSites: CapturedSite[] = [];
  let newRequests: CapturedRequest[] = [];
  let finished: WireBatch['finished'] = [];
  let executions: number[] = [];
  let checkouts: WireCheckout[] = [];
  let errors: WireBatch['errors'] = [];
  let errorIndex = new Map<string, number>();
  let poolSamples: PoolSample[] = [];
  let newPools: CapturedPool[] = [];
  let leaks: LeakReport[] = [];
  let dropped = 0;
  let nextRequest = 1;
  let nextCheckout = 1;
  const poolIds = new Map<PgPool, number>();
  const open = new Set<OpenCheckout>();
  /** For Explain: the slowest execution of each statement (its parameters stay here, in the service). */
  let slowest = new Map<number, { ms: number; text: string; values?: unknown[]; pool?: WeakRef<PgPool>; client?: WeakRef<PgClient> }>();
  let pgFound: AgentStatus['pg'] = [];

  function resetRun(): void {
    statementIds = new Map();
    newStatements = [];
    siteIds.clear();
    newSites = [];
    newRequests = [];
    finished = [];
    executions = [];
    checkouts = [];
    errors = [];
    errorIndex = new Map();
    poolSamples = [];
    newPools = [];
    leaks = [];
    dropped = 0;
    poolIds.clear();
    open.clear();
    inFlight = new WeakMap();
    slowest = new Map();
  }

  // ---- request context -------------------------------------------------------------------------
  const requestsById = new WeakMap<object, number>();
  const onRequestStart = (message: unknown) => {
    const { request, response } = message as { request: { method?: string; url?: string }; response: object };
    const id = nextRequest++;
    requestsById.set(response, id);
    newRequests.push({ id, method: request.method ?? 'GET', url: request.url ?? '/', startMs: roundMs(now()) });
    requests.enterWith({ id });
  };
  const onResponseFinish = (message: unknown) => {
    const { response } = message as { response: { statusCode?: number } };
    const id = requestsById.get(response);
    if (id !== undefined) finished.push({ id, endMs: roundMs(now()), status: response.statusCode ?? 0 });
  };
  const currentRequest = () => requests.getStore()?.id ?? 0;

  // ---- stacks ----------------------------------------------------------------------------------
  function takeStack(statement: { seen: number } | undefined, above: (...args: never[]) => unknown): Stack | undefined {
    if (statement && statement.seen > options!.firstStacks && statement.seen % options!.stackEvery !== 0) return undefined;
    const holder: Stack = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 40;
    Error.captureStackTrace(holder, above);
    Error.stackTraceLimit = limit;
    return holder;
  }

  /** The stack's frames (formatted only now, through V8's CallSite API), as a site id. */
  function siteOf(stack: Stack | undefined): number {
    if (!stack) return -1;
    const prepare = Error.prepareStackTrace;
    let frames: StackFrame[];
    Error.prepareStackTrace = (_error, callSites) =>
      callSites.map((c): StackFrame => ({
        url: c.getFileName() ?? c.getScriptNameOrSourceURL?.() ?? '',
        line: c.getLineNumber() ?? 0,
        column: c.getColumnNumber() ?? 0,
        functionName: c.getFunctionName() ?? c.getMethodName() ?? '',
        ...((c as unknown as { isAsync?: () => boolean }).isAsync?.() ? { async: true } : {}),
      }));
    try {
      frames = stack.stack as StackFrame[];
    } finally {
      Error.prepareStackTrace = prepare;
    }
    if (!Array.isArray(frames)) return -1;
    const siteKey = frames.map((f) => `${f.url}:${f.line}:${f.column}`).join('|');
    let id = siteIds.get(siteKey);
    if (id === undefined) {
      id = siteIds.size + 1;
      siteIds.set(siteKey, id);
      newSites.push({ id, frames });
    }
    return id;
  }

  // ---- statements and executions --------------------------------------------------------------
  function statementOf(text: string, name: string | undefined) {
    const lookup = name && !text ? `\0${name}` : text;
    let s = statementIds.get(lookup);
    if (!s) {
      s = { id: statementIds.size + 1, seen: 0 };
      statementIds.set(lookup, s);
      const truncated = text.length > MAX_STATEMENT_CHARS;
      newStatements.push({ id: s.id, text: truncated ? text.slice(0, MAX_STATEMENT_CHARS) : text, ...(name ? { name } : {}), ...(truncated ? { truncated } : {}) });
    }
    s.seen++;
    return s;
  }

  function errorOf(err: unknown): number {
    const e = err as { code?: unknown; message?: unknown } | undefined;
    const code = typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : '?';
    const message = String(e?.message ?? err).split('\n')[0]!.slice(0, 300);
    const k = `${code}\0${message}`;
    let i = errorIndex.get(k);
    if (i === undefined) {
      i = errors.length;
      errors.push([code, message]);
      errorIndex.set(k, i);
    }
    return i;
  }

  /** Appends one execution's EXECUTION_FIELDS numbers to the flat buffer (no array per query). */
  function record(statement: number, site: number, request: number, startMs: number, ms: number, waitMs: number, rows: number, pool: number, error: number): void {
    if (executions.length >= options!.maxBuffered * EXECUTION_FIELDS) dropped++;
    else executions.push(statement, site, request, roundMs(startMs), roundMs(ms), roundMs(waitMs), rows, pool, error);
  }

  function rowsOf(results: unknown): number {
    const one = (r: unknown) => {
      const result = r as { rowCount?: unknown; rows?: unknown } | undefined;
      return typeof result?.rowCount === 'number' ? result.rowCount : Array.isArray(result?.rows) ? result.rows.length : -1;
    };
    if (Array.isArray(results)) return results.reduce((n: number, r) => n + Math.max(0, one(r)), 0);
    return one(results);
  }

  /** The newest query in a client's queues (pg 8.23's names, then older pg's), and its active one: compared before and after a call. */
  function newestQueued(client: PgClient): unknown {
    const queue = client._queryQueue ?? client.queryQueue;
    return queue && queue.length ? queue[queue.length - 1] : undefined;
  }
  function newestSent(client: PgClient): unknown {
    const sent = client._sentQueryQueue;
    return sent && sent.length ? sent[sent.length - 1] : undefined;
  }
  function activeOf(client: PgClient): unknown {
    return '_activeQuery' in client ? client._activeQuery : client.activeQuery;
  }

  interface Followed {
    statement: number;
    site: number;
    request: number;
    startMs: number;
    pool: number;
    waitMs: number;
    text: string;
    values?: unknown[];
    client: PgClient;
  }
  /**
   * The queries in flight, by the object pg enqueued. A WeakMap, and the completion methods wrapped on
   * the query class's prototype, not on each query: an own property per query would give pg's query
   * objects new shapes and slow every protocol message they handle.
   */
  let inFlight = new WeakMap<object, Followed>();
  const wrappedQueryClasses = new Set<object>();
  /** Prototypes of the query objects seen this run (their class's methods are wrapped). */
  let seenQueryPrototypes = new WeakSet<object>();

  /** A query object followed through its class's methods (a cursor, a stream) completed. */
  function finish(query: object, err: unknown, results: unknown): void {
    const q = inFlight.get(query);
    if (!q) return;
    inFlight.delete(query);
    completed(q, err, results);
  }

  function completed(q: Followed, err: unknown, results: unknown): void {
    if (!options) return;
    const ms = now() - q.startMs;
    record(q.statement, q.site, q.request, q.startMs, ms, q.waitMs, err ? -1 : rowsOf(results), q.pool, err ? errorOf(err) : -1);
    const slow = slowest.get(q.statement);
    if (!err && (!slow || ms > slow.ms)) {
      const pool = [...poolIds].find(([, id]) => id === q.pool)?.[0];
      slowest.set(q.statement, { ms, text: q.text, values: q.values, ...(pool ? { pool: new WeakRef(pool) } : {}), client: new WeakRef(q.client) });
    }
  }

  /** Wraps handleReadyForQuery and handleError where `query`'s class defines them (pg's Query, a cursor's class), once. */
  function wrapQueryClass(query: object): void {
    const proto = Object.getPrototypeOf(query) as object | null;
    if (!proto || seenQueryPrototypes.has(proto)) return;
    seenQueryPrototypes.add(proto);
    for (const method of ['handleReadyForQuery', 'handleError'] as const) {
      let owner: Record<string, unknown> | null = query as Record<string, unknown>;
      while (owner && !Object.prototype.hasOwnProperty.call(owner, method)) owner = Object.getPrototypeOf(owner) as Record<string, unknown> | null;
      if (!owner || owner === query || wrappedQueryClasses.has(owner[method] as object)) continue;
      const original = owner[method] as (...a: unknown[]) => unknown;
      if (typeof original !== 'function') continue;
      const wrapped =
        method === 'handleReadyForQuery'
          ? function (this: QueryObject, ...a: unknown[]) {
              finish(this, undefined, this._results);
              return original.apply(this, a);
            }
          : function (this: QueryObject, ...a: unknown[]) {
              finish(this, a[0], undefined);
              return original.apply(this, a);
            };
      wrappedQueryClasses.add(wrapped);
      const home = owner;
      home[method] = wrapped;
      restores.push(() => {
        if (home[method] === wrapped) home[method] = original;
        wrappedQueryClasses.delete(wrapped);
        seenQueryPrototypes = new WeakSet();
      });
    }
  }

  /** Records the query when `target` (the object pg enqueued) completes. */
  function follow(target: QueryObject | undefined, q: Followed): void {
    if (!target) {
      // Not enqueued: the client is broken or ending, and pg reports that on the next tick.
      if (q.client._queryable === false || q.client._ending) {
        const marker = {};
        inFlight.set(marker, q);
        finish(marker, new Error('the client was not queryable (its connection failed or was ended)'), undefined);
      }
      return;
    }
    // pg's own Query always has a callback (the promise form makes one): wrapping that property,
    // which every Query already has, changes no object's shape. A submittable without one (a cursor,
    // a query stream) is followed through its class's completion methods instead.
    const callback = target.callback;
    if (typeof callback === 'function') {
      let done = false;
      target.callback = function (this: unknown, err: unknown, res: unknown, ...rest: unknown[]) {
        if (!done) {
          done = true;
          completed(q, err, res);
        }
        return (callback as (...a: unknown[]) => unknown).call(this, err, res, ...rest);
      };
      return;
    }
    wrapQueryClass(target);
    inFlight.set(target, q);
  }

  function wrapClient(Client: { prototype: PgClient }): void {
    const proto = Client.prototype;
    const original = proto.query;
    if (typeof original !== 'function') return;
    const query = function (this: PgClient, ...args: unknown[]) {
      const config = args[0] as QueryObject | string | null | undefined;
      if (!options || config == null || this[kOwnQuery]) return original.apply(this, args);
      const text = typeof config === 'string' ? config : typeof config.text === 'string' ? config.text : '';
      const name = typeof config === 'object' && typeof config.name === 'string' ? config.name : undefined;
      const values = (typeof config === 'object' && Array.isArray(config.values) ? config.values : Array.isArray(args[1]) ? args[1] : undefined) as unknown[] | undefined;
      const origin = this[kPoolOrigin] as PoolQueryOrigin | undefined;
      this[kPoolOrigin] = undefined;
      const statement = statementOf(text, name);
      const stack = origin ? origin.stack : takeStack(statement, query);
      const request = origin ? origin.request : currentRequest();
      const checkout = this[kCheckout] as OpenCheckout | undefined;
      // The wait for a client checked out with pool.connect() comes before the first statement
      // sent on it: that statement carries it (pool.query's own checkout is in `origin`).
      const checkoutWaitMs = !origin && checkout && checkout.lastStatement === undefined ? checkout.waitMs : 0;
      if (checkout) checkout.lastStatement = statement.id;
      const queuedBefore = newestQueued(this);
      const sentBefore = newestSent(this);
      const activeBefore = activeOf(this);
      const startMs = now();
      const result = original.apply(this, args);
      // The object pg enqueued: the caller's submittable, else the newest in a queue, else the active one.
      let target: QueryObject | undefined;
      if (typeof (config as QueryObject).submit === 'function') target = config as QueryObject;
      else {
        const queued = newestQueued(this);
        const sent = newestSent(this);
        const active = activeOf(this);
        if (queued !== undefined && queued !== queuedBefore) target = queued as QueryObject;
        else if (sent !== undefined && sent !== sentBefore) target = sent as QueryObject;
        else if (active && active !== activeBefore) target = active as QueryObject;
      }
      follow(target, { statement: statement.id, site: siteOf(stack), request, startMs, pool: origin?.pool ?? checkout?.pool ?? -1, waitMs: origin?.waitMs ?? checkoutWaitMs, text, values, client: this });
      return result;
    };
    Object.defineProperty(query, 'name', { value: original.name });
    proto.query = query;
    restores.push(() => {
      if (proto.query === query) proto.query = original;
    });
  }

  // ---- pools ----------------------------------------------------------------------------------
  function poolIdOf(pool: PgPool): number {
    let id = poolIds.get(pool);
    if (id === undefined) {
      id = poolIds.size + 1;
      poolIds.set(pool, id);
      newPools.push({ id, name: poolName(pool), max: typeof pool.options?.max === 'number' ? pool.options.max : 10 });
    }
    return id;
  }

  function poolName(pool: PgPool): string {
    const o = pool.options ?? {};
    let host = o.host;
    let port = o.port;
    let database = o.database;
    if (o.connectionString) {
      try {
        const url = new URL(o.connectionString);
        host ??= decodeURIComponent(url.hostname);
        port ??= url.port ? Number(url.port) : undefined;
        database ??= decodeURIComponent(url.pathname.replace(/^\//, ''));
      } catch {
        // Not a URL (a keyword=value string): the name stays partial.
      }
    }
    return `${host ?? process.env.PGHOST ?? 'localhost'}:${port ?? process.env.PGPORT ?? 5432}/${database ?? process.env.PGDATABASE ?? ''}`;
  }

  /** The pool.query call in progress (pool.query calls this.connect synchronously). */
  let poolQueryOrigin: PoolQueryOrigin | undefined;

  function wrapPool(Pool: { prototype: PgPool }): void {
    const proto = Pool.prototype;
    const originalConnect = proto.connect;
    const originalQuery = proto.query;
    if (typeof originalConnect !== 'function' || typeof originalQuery !== 'function') return;

    const connect = function (this: PgPool, ...args: unknown[]) {
      if (!options) return originalConnect.apply(this, args);
      const origin = poolQueryOrigin;
      poolQueryOrigin = undefined;
      const pool = poolIdOf(this);
      const startMs = now();
      const stack = origin ? undefined : takeStack(undefined, connect);
      const request = origin ? origin.request : currentRequest();
      const onConnected = (err: unknown, client: PgClient | undefined) => {
        const waitMs = now() - startMs;
        if (origin) {
          origin.pool = pool;
          origin.waitMs = waitMs;
          // pool.query failed to get a connection: that is a failed query, sent by its caller.
          if (err || !client) {
            if (options) record(statementOf(origin.text, undefined).id, siteOf(origin.stack), origin.request, origin.startMs, 0, waitMs, -1, pool, errorOf(err));
          } else client[kPoolOrigin] = origin;
        }
        if (!err && client) startCheckout(client, { pool, waitMs, request, stack });
      };
      const cb = args[0];
      if (typeof cb === 'function') {
        return originalConnect.call(this, function (this: unknown, err: unknown, client: PgClient | undefined, ...rest: unknown[]) {
          onConnected(err, client);
          return (cb as (...a: unknown[]) => unknown).call(this, err, client, ...rest);
        });
      }
      // The promise form, made the way pg-pool makes it (its own Promise class, resolve with the client).
      const PromiseClass = this.Promise ?? Promise;
      return new PromiseClass((resolve, reject) => {
        originalConnect.call(this, (err: unknown, client: PgClient | undefined) => {
          onConnected(err, client);
          if (err) reject(err);
          else resolve(client);
        });
      });
    };
    const query = function (this: PgPool, ...args: unknown[]) {
      const config = args[0] as QueryObject | string | null | undefined;
      if (!options || config == null || typeof config === 'function') return originalQuery.apply(this, args);
      const text = typeof config === 'string' ? config : typeof config.text === 'string' ? config.text : '';
      const statement = statementIds.get(text);
      const origin: PoolQueryOrigin = { startMs: now(), stack: takeStack(statement ?? { seen: 0 }, query), request: currentRequest(), pool: -1, waitMs: 0, text };
      poolQueryOrigin = origin;
      try {
        return originalQuery.apply(this, args);
      } finally {
        poolQueryOrigin = undefined;
      }
    };
    Object.defineProperty(connect, 'name', { value: originalConnect.name });
    Object.defineProperty(query, 'name', { value: originalQuery.name });
    proto.connect = connect;
    proto.query = query;
    restores.push(() => {
      if (proto.connect === connect) proto.connect = originalConnect;
      if (proto.query === query) proto.query = originalQuery;
    });
  }

  function startCheckout(client: PgClient, at: { pool: number; waitMs: number; request: number; stack?: Stack }): void {
    const checkout: OpenCheckout = { id: nextCheckout++, pool: at.pool, atMs: now(), waitMs: at.waitMs, request: at.request, stack: at.stack, reported: false, client };
    open.add(checkout);
    client[kCheckout] = checkout;
    const release = client.release;
    if (typeof release !== 'function') return;
    client.release = function (this: unknown, ...a: unknown[]) {
      endCheckout(checkout);
      return (release as (...x: unknown[]) => unknown).apply(this, a);
    } as PgClient['release'];
  }

  function endCheckout(checkout: OpenCheckout): void {
    if (!open.delete(checkout) || !options) return;
    if (checkout.client[kCheckout] === checkout) checkout.client[kCheckout] = undefined;
    const heldMs = now() - checkout.atMs;
    checkouts.push([checkout.pool, roundMs(checkout.waitMs), roundMs(heldMs), checkout.request]);
    if (checkout.reported) leaks.push({ ...leakOf(checkout), releasedAfterMs: roundMs(heldMs) });
  }

  function leakOf(checkout: OpenCheckout): LeakReport {
    const status = checkout.client.getTransactionStatus?.();
    return {
      id: checkout.id,
      pool: checkout.pool,
      site: siteOf(checkout.stack),
      request: checkout.request,
      checkedOutAtMs: roundMs(checkout.atMs),
      ...(checkout.lastStatement !== undefined ? { lastStatement: checkout.lastStatement } : {}),
      ...(typeof status === 'string' ? { transactionStatus: status } : {}),
    };
  }

  function tick(): void {
    if (!options) return;
    scanModules();
    const at = roundMs(now());
    for (const [pool, id] of poolIds) poolSamples.push({ pool: id, atMs: at, total: pool.totalCount ?? 0, idle: pool.idleCount ?? 0, waiting: pool.waitingCount ?? 0 });
    for (const checkout of open) {
      if (!checkout.reported && checkout.stack && at - checkout.atMs >= options.leakThresholdMs) {
        checkout.reported = true;
        leaks.push(leakOf(checkout));
      }
    }
    // Without the binding (a client that did not add it) the records wait for the next flush() call.
    if (typeof g[AGENT_BINDING] === 'function') push(flush());
  }

  // ---- finding pg --------------------------------------------------------------------------------
  function scanModules(): void {
    const cache = Module._cache ?? {};
    for (const file of Object.keys(cache)) {
      if (wrappedFiles.has(file)) continue;
      const normalized = file.replace(/\\/g, '/');
      const isClient = /\/pg\/lib\/client\.js$/.test(normalized) || /\/pg\/lib\/native\/client\.js$/.test(normalized);
      const isPool = /\/pg-pool\/index\.js$/.test(normalized);
      if (!isClient && !isPool) continue;
      const exports = cache[file]?.exports as { prototype?: unknown } | undefined;
      if (typeof exports !== 'function' || !exports.prototype) continue;
      wrappedFiles.add(file);
      if (isClient) {
        wrapClient(exports as { prototype: PgClient });
        if (!normalized.includes('/native/')) {
          const dir = path.dirname(path.dirname(file));
          pgFound.push({ dir, version: versionOf(dir) });
        }
      } else {
        wrapPool(exports as { prototype: PgPool });
      }
    }
  }

  function versionOf(dir: string): string {
    try {
      return String((JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version ?? '?');
    } catch {
      return '?';
    }
  }

  function flush(): WireBatch {
    const batch: WireBatch = {
      type: 'batch',
      atMs: roundMs(now()),
      statements: newStatements,
      sites: newSites,
      requests: newRequests,
      finished,
      pools: newPools,
      executions,
      checkouts,
      errors,
      poolSamples,
      leaks,
      dropped,
    };
    newStatements = [];
    newSites = [];
    newRequests = [];
    finished = [];
    newPools = [];
    executions = [];
    checkouts = [];
    errors = [];
    errorIndex = new Map();
    poolSamples = [];
    leaks = [];
    dropped = 0;
    return batch;
  }

  /**
   * PostgreSQL prints the parameters it planned with into the plan (`(notes ~~* '%gift%'::text)`):
   * each value is put back as its placeholder, so that no parameter leaves the service.
   */
  function redact(plan: unknown, values: unknown[]): unknown {
    const escapeRe = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const patterns = values.flatMap((value, i) => {
      if (value === null || value === undefined || typeof value === 'object') return [];
      const text = String(value);
      if (!text) return [];
      const sources: string[] = [];
      // A string as PostgreSQL quotes it; a number or boolean (or a string PostgreSQL read as one) standing alone.
      if (typeof value === 'string') sources.push(escapeRe(`'${text.replace(/'/g, "''")}'`));
      if (typeof value !== 'string' || /^-?\d+(\.\d+)?$|^(true|false)$/i.test(text)) sources.push(`(?<![\\w.$'])${escapeRe(text)}(?![\\w.'])`);
      return [{ re: new RegExp(sources.join('|'), 'g'), placeholder: `$${i + 1}` }];
    });
    const walk = (node: unknown): unknown => {
      if (typeof node === 'string') return patterns.reduce((text, p) => text.replace(p.re, p.placeholder), node);
      if (Array.isArray(node)) return node.map(walk);
      if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
      return node;
    };
    return walk(plan);
  }

  /** Lends `use` a client of the pool (or the client) that ran `statement`; PerfLens's own queries are not recorded. */
  async function withClientOf<T>(statement: number, use: (run: (sql: string, values?: unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }>) => Promise<T>): Promise<T> {
    const slow = slowest.get(statement);
    if (!slow) throw new Error('the service no longer holds that statement (profile the endpoint again)');
    const pool = slow.pool?.deref();
    const own = pool ? undefined : slow.client?.deref();
    if (!pool && !own) throw new Error('the pool or client that ran that statement is gone');
    const client = (pool ? await (pool.connect() as Promise<PgClient>) : own)!;
    client[kOwnQuery] = true;
    try {
      return await use((sql, values) => client.query(sql, values) as Promise<{ rows: Array<Record<string, unknown>> }>);
    } finally {
      client[kOwnQuery] = undefined;
      if (pool) client.release?.();
    }
  }

  const api: AgentApi = {
    version: AGENT_VERSION,
    arm(armOptions) {
      if (options) api.disarm();
      resetRun();
      pgFound = [];
      wrappedFiles.clear();
      options = armOptions;
      scanModules();
      const requestContext = armOptions.requestContext && typeof channels.subscribe === 'function';
      if (requestContext) {
        channels.subscribe('http.server.request.start', onRequestStart);
        channels.subscribe('http.server.response.finish', onResponseFinish);
      }
      timer = setInterval(tick, armOptions.flushMs);
      timer.unref();
      return { status: { node: process.version, pg: pgFound, requestContext }, atMs: roundMs(now()) };
    },
    flush,
    disarm() {
      if (options) tick(); // the last pool sample and leak check, pushed through the binding
      const last = flush();
      options = undefined;
      if (timer) clearInterval(timer);
      timer = undefined;
      for (const restore of restores.splice(0)) restore();
      if (typeof channels.unsubscribe === 'function') {
        channels.unsubscribe('http.server.request.start', onRequestStart);
        channels.unsubscribe('http.server.response.finish', onResponseFinish);
      }
      requests.disable();
      open.clear();
      return last;
    },
    async explain(statement, explainSql, before, after) {
      return withClientOf(statement, async (run) => {
        for (const sql of before) await run(sql);
        try {
          const values = slowest.get(statement)!.values;
          const { rows } = await run(explainSql, values);
          const first = rows[0];
          return first ? redact(Object.values(first)[0], values ?? []) : undefined;
        } finally {
          for (const sql of after) await run(sql).catch(() => undefined);
        }
      });
    },
    async run(statement, sql, values) {
      return withClientOf(statement, async (run) => (await run(sql, values)).rows);
    },
    vitals: createVitals(load, push),
    remove() {
      api.disarm();
      api.vitals.stop();
      slowest = new Map();
      delete g[key];
    },
  };
  return api;
}
