// The `queries` section of a report from what the pg agent captured: per normalised statement, its
// time in the database, the line that sent it and whether it is sent N+1 style; each pool's use
// and whether it was the bottleneck; the connections checked out and never given back. Pure.
import type { SourceMapResolver } from '../analysis/sourceMapResolver';
import { formatMsShort } from '../text/formatMs';
import type { CapturedPool, CapturedRequest, QueryCapture, QueryExecution } from './captureTypes';
import { callingLine } from './callingLine';
import { normalizeSql } from './normalizeSql';
import type { CallingLine, Durations, LeakedCheckout, NPlusOne, PoolStat, QueriesSection, QueryError, QueryStat } from './queryReportTypes';

export interface BuildQueriesOptions {
  /** Maps the captured JavaScript positions to the TypeScript sources. */
  resolver?: SourceMapResolver;
  /** The endpoint a request belongs to (the route when known); by default `GET /path` (no query string). */
  endpointOf?: (request: CapturedRequest) => string;
  /** Sentry's N+1 thresholds: a statement repeated at least `minRepeats` times (default 5) in one request, taking at least `minTotalMs` (default 0). */
  nPlusOne?: { minRepeats?: number; minTotalMs?: number };
  /** Leaked checkouts held for less than this are left out (the agent reports with its own threshold; default 0: keep all). */
  leakThresholdMs?: number;
  /** Rows of `queries` kept, highest total time first (default all). */
  top?: number;
}

/** The calling line of executions that came without a stack. */
export const UNKNOWN_SITE: CallingLine = { file: '', line: 0, column: 0, functionName: '', mapped: false, origin: 'node' };
/** The endpoint of a request id the capture has no record of. */
export const UNKNOWN_ENDPOINT = '(unknown request)';

export function buildQueriesSection(capture: QueryCapture, options: BuildQueriesOptions = {}): QueriesSection {
  const minRepeats = options.nPlusOne?.minRepeats ?? 5;
  const minTotalMs = options.nPlusOne?.minTotalMs ?? 0;
  const endpointOf = options.endpointOf ?? defaultEndpoint;

  const statements = new Map(capture.statements.map((s) => [s.id, s]));
  const keys = new Map<number, string>();
  const keyOf = (statementId: number): string | undefined => {
    let key = keys.get(statementId);
    if (key === undefined) {
      const statement = statements.get(statementId);
      if (!statement) return undefined;
      keys.set(statementId, (key = normalizeSql(statement.text)));
    }
    return key;
  };

  const sites = new Map(capture.sites.map((s) => [s.id, s]));
  const mappedSites = new Map<number, ReturnType<typeof callingLine>>();
  const siteOf = (siteId: number) => {
    if (!mappedSites.has(siteId)) {
      const site = sites.get(siteId);
      mappedSites.set(siteId, site ? callingLine(site.frames, options.resolver) : undefined);
    }
    return mappedSites.get(siteId);
  };

  const requests = new Map(capture.requests.map((r) => [r.id, r]));
  const endpointFor = (requestId: number) => {
    const request = requests.get(requestId);
    return request ? endpointOf(request) : UNKNOWN_ENDPOINT;
  };

  // Executions by normalised statement, and by request.
  const groups = new Map<string, QueryExecution[]>();
  const byRequest = new Map<number, Array<{ execution: QueryExecution; key: string }>>();
  for (const execution of capture.executions) {
    const key = keyOf(execution.statement);
    if (key === undefined) continue;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(execution);
    if (execution.request !== 0) {
      let sent = byRequest.get(execution.request);
      if (!sent) byRequest.set(execution.request, (sent = []));
      sent.push({ execution, key });
    }
  }

  const nPlusOnes = capture.status.requestContext ? detectNPlusOne(byRequest, endpointFor, capture, minRepeats, minTotalMs) : new Map<string, NPlusOne>();

  const queries: QueryStat[] = [];
  for (const [key, executions] of groups) {
    const stat = statementStat(key, executions, (id) => statements.get(id)?.text ?? '', siteOf);
    const nPlusOne = nPlusOnes.get(key);
    if (nPlusOne) stat.nPlusOne = nPlusOne;
    queries.push(stat);
  }
  queries.sort((a, b) => b.totalMs - a.totalMs || b.calls - a.calls || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));

  const perRequest = queriesPerRequest(capture);

  const pools = capture.pools.map((pool) => poolStat(pool, capture));
  const poolName = new Map(capture.pools.map((p) => [p.id, p.name]));
  const leaks: LeakedCheckout[] = [];
  for (const leak of capture.leaks) {
    const heldMs = round3(Math.max(0, leak.releasedAfterMs ?? capture.endMs - leak.checkedOutAtMs));
    if (heldMs < (options.leakThresholdMs ?? 0)) continue;
    const where = siteOf(leak.site);
    const leaked: LeakedCheckout = {
      pool: poolName.get(leak.pool) ?? `pool #${leak.pool}`,
      site: where?.site ?? UNKNOWN_SITE,
      stack: where?.stack ?? [],
      heldMs,
      releasedAfterAll: leak.releasedAfterMs !== undefined,
    };
    if (leak.request !== 0) leaked.endpoint = endpointFor(leak.request);
    const last = leak.lastStatement === undefined ? undefined : keyOf(leak.lastStatement);
    if (last !== undefined) leaked.lastStatement = last;
    const status = TRANSACTION_STATUS[leak.transactionStatus ?? ''];
    if (status) leaked.transactionStatus = status;
    leaks.push(leaked);
  }
  leaks.sort((a, b) => Number(a.releasedAfterAll) - Number(b.releasedAfterAll) || b.heldMs - a.heldMs);
  // A pool that ran out while some of its clients were never given back ran out because of them.
  for (const pool of pools) {
    const kept = leaks.filter((l) => l.pool === pool.name && !l.releasedAfterAll).length;
    if (kept > 0) pool.verdict = poolVerdict(pool, kept);
  }

  return {
    pg: capture.status.pg,
    requestContext: capture.status.requestContext,
    queries: options.top === undefined ? queries : queries.slice(0, Math.max(0, options.top)),
    pools,
    leaks,
    perRequest,
    dropped: capture.dropped,
    warnings: warningsOf(capture),
  };
}

const TRANSACTION_STATUS: Record<string, LeakedCheckout['transactionStatus']> = { I: 'idle', T: 'in transaction', E: 'in failed transaction' };

/** `GET /orders/17` for `GET /orders/17?expand=items`. */
export function defaultEndpoint(request: CapturedRequest): string {
  return `${request.method} ${request.url.split(/[?#]/)[0]}`;
}

function statementStat(
  key: string,
  executions: QueryExecution[],
  textOf: (statementId: number) => string,
  siteOf: (siteId: number) => ReturnType<typeof callingLine>,
): QueryStat {
  let rows = 0;
  const errorCodes = new Map<string, QueryError>();
  const byStatement = new Map<number, number>();
  const bySite = new Map<string, CallingLine & { calls: number }>();
  const byRequest = new Map<number, number>();
  let errors = 0;
  for (const e of executions) {
    if (e.rows >= 0) rows += e.rows;
    if (e.errorCode !== undefined) {
      errors++;
      const known = errorCodes.get(e.errorCode);
      if (known) known.count++;
      else errorCodes.set(e.errorCode, { code: e.errorCode, message: e.errorMessage ?? '', count: 1 });
    }
    byStatement.set(e.statement, (byStatement.get(e.statement) ?? 0) + 1);
    const where = e.site >= 0 ? siteOf(e.site)?.site : undefined;
    if (where) {
      // Stacks that differ above the calling line are one calling line.
      const siteKey = `${where.file}\u0000${where.line}`;
      const known = bySite.get(siteKey);
      if (known) known.calls++;
      else bySite.set(siteKey, { ...where, calls: 1 });
    }
    if (e.request !== 0) byRequest.set(e.request, (byRequest.get(e.request) ?? 0) + 1);
  }
  const [mostSent] = [...byStatement].sort((a, b) => b[1] - a[1]);
  const siteList = [...bySite.values()].sort((a, b) => b.calls - a.calls);
  const top = siteList[0];
  let site: CallingLine = UNKNOWN_SITE;
  if (top) {
    const { calls: _calls, ...line } = top;
    site = line;
  }
  const stat: QueryStat = {
    text: key,
    example: textOf(mostSent[0]),
    calls: executions.length,
    ...durations(executions.map((e) => e.ms)),
    rows,
    errors,
    errorCodes: [...errorCodes.values()].sort((a, b) => b.count - a.count),
    wait: durations(executions.map((e) => e.waitMs)),
    file: site.file,
    line: site.line,
    site,
  };
  // Stacks are sampled (the first few calls of a statement, then one in many): each line's share of
  // the sampled calls stands for its share of all calls.
  const sampled = siteList.reduce((n, s) => n + s.calls, 0);
  if (siteList.length > 1) stat.otherSites = siteList.slice(1).map((s) => ({ ...s, calls: Math.max(1, Math.round((s.calls / sampled) * executions.length)) }));
  if (byRequest.size > 0) {
    const counts = [...byRequest.values()];
    stat.perRequest = { mean: round3(counts.reduce((a, b) => a + b, 0) / counts.length), max: counts.reduce((a, b) => Math.max(a, b), 0) };
  }
  return stat;
}

interface Flag {
  count: number;
  unionMs: number;
  after: string;
}

/**
 * Sentry's N+1 rule, adapted to Node: in one request, a statement sent at least `minRepeats` times
 * after another statement (the source) was sent. Repeats sent concurrently (Promise.all) count:
 * Sentry dropped its overlap check for Node in 2023 (getsentry/sentry#50079). Their time is the
 * union of their intervals, so overlapping repeats count once. A statement without a space
 * (BEGIN, COMMIT) is never the repeat, as in Sentry. Pool connects and waits between the repeats
 * are not statements here, so they cannot break a run of repeats (Sentry's pg-pool.connect trouble,
 * getsentry/sentry#93090). A statement flagged on several endpoints reports the one where its
 * repeats took most time.
 */
function detectNPlusOne(
  byRequest: Map<number, Array<{ execution: QueryExecution; key: string }>>,
  endpointFor: (requestId: number) => string,
  capture: QueryCapture,
  minRepeats: number,
  minTotalMs: number,
): Map<string, NPlusOne> {
  const flags = new Map<string, Map<string, Flag[]>>(); // statement → endpoint → flagged requests
  for (const [requestId, sentUnordered] of byRequest) {
    const sent = sentUnordered.map((s, order) => ({ ...s, order })).sort((a, b) => a.execution.startMs - b.execution.startMs || a.order - b.order);
    const repeats = new Map<string, QueryExecution[]>();
    const firstAt = new Map<string, number>();
    sent.forEach(({ execution, key }, index) => {
      let list = repeats.get(key);
      if (!list) {
        repeats.set(key, (list = []));
        firstAt.set(key, index);
      }
      list.push(execution);
    });
    for (const [key, list] of repeats) {
      if (list.length < Math.max(1, minRepeats) || !key.includes(' ')) continue;
      const first = firstAt.get(key)!;
      let source: string | undefined;
      for (let i = first - 1; i >= 0 && source === undefined; i--) if (sent[i].key !== key) source = sent[i].key;
      if (source === undefined) continue;
      const unionMs = round3(intervalUnion(list.map((e) => [e.startMs, e.startMs + Math.max(0, e.ms)])));
      if (unionMs < minTotalMs) continue;
      const endpoint = endpointFor(requestId);
      let byEndpoint = flags.get(key);
      if (!byEndpoint) flags.set(key, (byEndpoint = new Map()));
      let list2 = byEndpoint.get(endpoint);
      if (!list2) byEndpoint.set(endpoint, (list2 = []));
      list2.push({ count: list.length, unionMs, after: source });
    }
  }

  const requestsPerEndpoint = new Map<string, number>();
  for (const request of capture.requests) {
    const endpoint = endpointFor(request.id);
    requestsPerEndpoint.set(endpoint, (requestsPerEndpoint.get(endpoint) ?? 0) + 1);
  }
  const known = new Set(capture.requests.map((r) => r.id));
  const unknownRequests = [...byRequest.keys()].filter((id) => !known.has(id)).length;
  if (unknownRequests) requestsPerEndpoint.set(UNKNOWN_ENDPOINT, unknownRequests);

  const result = new Map<string, NPlusOne>();
  for (const [key, byEndpoint] of flags) {
    let best: NPlusOne | undefined;
    let bestMs = -1;
    for (const [endpoint, flagged] of byEndpoint) {
      const totalMs = flagged.reduce((sum, f) => sum + f.unionMs, 0);
      const counts = flagged.map((f) => f.count).sort((a, b) => a - b);
      const candidate: NPlusOne = {
        endpoint,
        perRequest: counts[counts.length - 1],
        perRequestMedian: nearestRank(counts, 50),
        requests: flagged.length,
        ofRequests: Math.max(flagged.length, requestsPerEndpoint.get(endpoint) ?? 0),
        msPerRequest: nearestRank(flagged.map((f) => f.unionMs).sort((a, b) => a - b), 50),
        after: mostCommon(flagged.map((f) => f.after)),
      };
      const better =
        !best ||
        totalMs > bestMs ||
        (totalMs === bestMs && (candidate.requests > best.requests || (candidate.requests === best.requests && candidate.perRequest > best.perRequest)));
      if (better) {
        best = candidate;
        bestMs = totalMs;
      }
    }
    if (best) result.set(key, best);
  }
  return result;
}

/** The length of the union of [start, end] intervals: overlaps count once. */
export function intervalUnion(intervals: Array<[number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let start = -Infinity;
  let end = -Infinity;
  for (const [s, e] of sorted) {
    if (s > end) {
      if (end > start) total += end - start;
      start = s;
      end = e;
    } else if (e > end) end = e;
  }
  if (end > start) total += end - start;
  return total;
}

function mostCommon(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0];
  for (const [v, n] of counts) if (n > (counts.get(best) ?? 0)) best = v;
  return best;
}

function queriesPerRequest(capture: QueryCapture): QueriesSection['perRequest'] {
  const intervals = new Map<number, Array<[number, number]>>();
  for (const e of capture.executions) {
    if (e.request === 0) continue;
    let list = intervals.get(e.request);
    if (!list) intervals.set(e.request, (list = []));
    list.push([e.startMs - Math.max(0, e.waitMs), e.startMs + Math.max(0, e.ms)]);
  }
  const sorted = [...intervals.values()].map((list) => list.length).sort((a, b) => a - b);
  if (sorted.length === 0) return { requests: 0, mean: 0, max: 0, p95: 0, msMean: 0 };
  const ms = [...intervals.values()].reduce((sum, list) => sum + intervalUnion(list), 0);
  return {
    requests: sorted.length,
    mean: round3(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    max: sorted[sorted.length - 1],
    p95: nearestRank(sorted, 95),
    msMean: round3(ms / sorted.length),
  };
}

/** Total, nearest-rank percentiles (the smallest value with at least p % of the values at or below it) and max, to the µs (3 decimals); zeros when empty. */
export function durations(values: number[]): Durations {
  if (values.length === 0) return { totalMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    totalMs: round3(sorted.reduce((a, b) => a + b, 0)),
    p50Ms: round3(nearestRank(sorted, 50)),
    p95Ms: round3(nearestRank(sorted, 95)),
    p99Ms: round3(nearestRank(sorted, 99)),
    maxMs: round3(sorted[sorted.length - 1]),
  };
}

/** Nearest-rank percentile of ascending values (0 when empty). */
export function nearestRank(sorted: number[], percentile: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((percentile / 100) * sorted.length) - 1))];
}

function poolStat(pool: CapturedPool, capture: QueryCapture): PoolStat {
  const samples = capture.poolSamples
    .filter((s) => s.pool === pool.id)
    .sort((a, b) => a.atMs - b.atMs)
    .map((s) => ({ atMs: s.atMs, total: s.total, busy: Math.max(0, s.total - s.idle), waiting: s.waiting }));
  const peak = { total: 0, busy: 0, waiting: 0 };
  for (const s of samples) {
    peak.total = Math.max(peak.total, s.total);
    peak.busy = Math.max(peak.busy, s.busy);
    peak.waiting = Math.max(peak.waiting, s.waiting);
  }
  const checkouts = capture.checkouts.filter((c) => c.pool === pool.id);
  const wait = durations(checkouts.map((c) => c.waitMs));
  const heldDurations = durations(checkouts.map((c) => c.heldMs));
  const held = { ...heldDurations, meanMs: checkouts.length ? round3(heldDurations.totalMs / checkouts.length) : 0 };
  const seconds = (capture.endMs - capture.startMs) / 1000;
  const ratePerSecond = seconds > 0 ? round3(checkouts.length / seconds) : 0;
  const busyMean = round3((ratePerSecond * held.meanMs) / 1000);
  const saturated = samples.some((s) => s.busy >= pool.max && s.waiting > 0);
  const stat: PoolStat = { name: pool.name, max: pool.max, peak, samples, checkouts: checkouts.length, wait, held, ratePerSecond, busyMean, saturated, verdict: '' };
  stat.verdict = poolVerdict(stat);
  return stat;
}

/**
 * The sentence about a pool: was it the bottleneck, and the numbers that size it (Little's law).
 * `leaked`: its clients checked out and never released during the run; a saturated pool with any
 * is said to have run out because of them (raising max would only postpone it).
 */
export function poolVerdict(pool: PoolStat, leaked = 0): string {
  if (pool.checkouts === 0 && pool.samples.length === 0) return 'not used during the run';
  const connections = (n: number) => `${roundSensibly(n)} connection${roundSensibly(n) === '1' ? ' is' : 's are'}`;
  if (pool.saturated && leaked > 0) {
    return (
      `${leaked} ${leaked === 1 ? 'client was' : 'clients were'} checked out and never released during the run (see the leaks), and callers waited for a connection with max = ${pool.max}: ` +
      'the pool ran out because of the leak, not the load (release every client, e.g. in finally; raising max only postpones it)'
    );
  }
  if (pool.saturated) {
    const why = pool.busyMean >= 0.8 * pool.max ? 'the pool is the bottleneck' : 'the pool ran out of connections in bursts';
    return (
      `at ${roundSensibly(pool.ratePerSecond)} checkouts/s and ${formatMsShort(pool.held.meanMs)} held per checkout, ${connections(pool.busyMean)} busy on average; ` +
      `p99 wait is ${formatMsShort(pool.wait.p99Ms)} with max = ${pool.max}: ${why} (raise max, or hold connections for less time)`
    );
  }
  const busy = pool.samples.length > 0 ? `at most ${pool.peak.busy} of ${pool.max} connections busy` : `${roundSensibly(pool.busyMean)} of ${pool.max} connections busy on average`;
  if (pool.wait.maxMs < 1) return `${busy}; no waiting`;
  return `${busy}; p99 wait ${formatMsShort(pool.wait.p99Ms)}, max ${formatMsShort(pool.wait.maxMs)}: the waits were for new connections to open (the pool never ran out)`;
}

/** 452.3 → "452", 4.06 → "4.1", 0.04 → "0.04". */
function roundSensibly(n: number): string {
  if (n >= 10) return String(Math.round(n));
  if (n >= 1 || n === 0) return String(Math.round(n * 10) / 10);
  return String(Number(n.toPrecision(1)));
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** SQLSTATE class 08 (connection exception), 57P01–57P03 (shutdown, crash, cannot connect now), or a driver error that says the socket went. */
export function isConnectionError(code: string, message: string): boolean {
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  return code === '?' && /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|terminated|Connection ended|not queryable|server closed the connection/i.test(message);
}

function warningsOf(capture: QueryCapture): string[] {
  const warnings: string[] = [];
  const { status } = capture;
  if (status.pg.length === 0) {
    warnings.push('no PostgreSQL client (pg) found in the service: no queries were captured');
    return warnings;
  }
  if (capture.executions.length === 0) {
    const versions = [...new Set(status.pg.map((p) => p.version))].join(', ');
    warnings.push(`no query was sent to PostgreSQL during the run (pg ${versions} is loaded in the service)`);
  }
  if (capture.dropped > 0) {
    warnings.push(`${capture.dropped} ${capture.dropped === 1 ? 'query was' : 'queries were'} not recorded (the agent's buffer was full): the figures leave them out`);
  }
  const lost = capture.executions.filter((e) => e.errorCode !== undefined && isConnectionError(e.errorCode, e.errorMessage ?? ''));
  // "Many": at least 3, or at least a tenth of the queries (a short run against a database that was not there).
  if (lost.length >= 3 || (lost.length > 0 && lost.length * 10 >= capture.executions.length)) {
    const kinds = new Map<string, number>();
    for (const e of lost) {
      const kind = e.errorCode === '?' ? `"${e.errorMessage ?? ''}"` : `"${e.errorMessage ?? ''}" (${e.errorCode})`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const named = [...kinds].sort((a, b) => b[1] - a[1]).map(([kind]) => kind);
    const others = named.length - 2;
    const list = others > 0 ? `${named[0]}, ${named[1]} and ${others} other error${others === 1 ? '' : 's'}` : named.join(' and ');
    warnings.push(`the database went away mid-run: ${lost.length} ${lost.length === 1 ? 'query' : 'queries'} failed with ${list}`);
  }
  if (!status.requestContext) {
    warnings.push(
      `N+1 detection per request is unavailable: Node.js ${status.node} has no http.server diagnostics channels, so the agent cannot tell which request sent a query`,
    );
  }
  return warnings;
}
