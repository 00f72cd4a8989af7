// Runs a load test's plan against a service: each phase's requests in parallel workers (one per
// request, with the phase's rate or connections shared by weight), sequential or parallel
// scenarios, thresholds checked after every phase (each ramp step, each part of a spike) so an
// `abortOnFail` threshold stops the run at the next phase boundary. Phases are not cut shorter:
// requests still in flight when a window closes are not counted, and under overload that would
// empty short windows.
//
// With a QueryFeed (the query agent armed in the service), the db_* thresholds are evaluated on the
// capture as it has arrived at each phase boundary (the agent sends a batch a second, so the last
// second or so of the phase may be missing: enough for abortOnFail on an N+1 gate), and at the end
// on the whole capture, once the agent is disarmed: the final verdict always covers every query.
import { runLoad } from '../load/runLoad';
import type { LoadProgress, LoadSummary } from '../load/loadTypes';
import type { QueryCapture } from '../queries/captureTypes';
import { evaluateThresholds, shouldAbort, type ThresholdResult } from '../thresholds/evaluate';
import type { CompiledThreshold } from '../thresholds/thresholdSet';
import { LoadMetrics } from './loadMetrics';
import { joinUrl, loadRequestNamer } from './requestNames';
import type { LoadTestFile, RequestSpec } from './loadTestFile';
import { planScenarios, totalDurationMs, type PlannedPhase } from './planScenarios';

const DEFAULT_TIMEOUT_MS = 10_000;

export interface LoadTestProgress {
  elapsedMs: number;
  totalMs: number;
  scenario: string;
  /** Requests completed in the last second, all workers together. */
  rps: number;
  /** The highest p99 so far among the running workers, ms. */
  p99: number;
  /** Requests with no answer (connection errors, timeouts), in the running phase. */
  errors: number;
  /** Requests that did not succeed (no answer, or non-2xx), in the running phase. */
  failed: number;
  /** Non-2xx answers by status, in the running phase. */
  byStatus: Record<string, number>;
  requests: number;
}

export interface RunLoadTestOptions {
  file: LoadTestFile;
  /** The base URL the requests go to (the file's, with any port substituted). Already checked against the host policy. */
  baseUrl: string;
  thresholds: CompiledThreshold[];
  signal?: AbortSignal;
  onProgress?: (progress: LoadTestProgress) => void;
  /** The service's queries, for the db_* thresholds and the report's queries section. */
  queries?: QueryFeed;
  /** Why the queries are not captured, when they are not: the db_* thresholds say it. */
  queriesUnavailable?: string;
}

/** The query agent armed in the service for the run. */
export interface QueryFeed {
  /** What has arrived so far. */
  current(): QueryCapture;
  /** Date.now() when the agent's clock read current().startMs (just as it was armed). */
  armedAt: number;
  /** Disarms the agent and gives the whole capture; called once, when the scenarios are over. Does not throw. */
  finish(): Promise<QueryCapture>;
}

export interface LoadTestRun {
  metrics: LoadMetrics;
  thresholds: ThresholdResult[];
  durationMs: number;
  plannedMs: number;
  /** Why the run ended early, if it did. */
  stopped?: { by: 'signal' } | { by: 'threshold'; threshold: ThresholdResult };
  /** Everything the query agent captured, when it was armed. */
  queries?: QueryCapture;
  queriesUnavailable?: string;
}

export async function runLoadTest(options: RunLoadTestOptions): Promise<LoadTestRun> {
  const { file } = options;
  const plan = planScenarios(file);
  const plannedMs = totalDurationMs(plan);
  const metrics = new LoadMetrics();
  const started = Date.now();
  const feed = options.queries;
  let captured: QueryCapture | undefined;
  if (feed) {
    const agentStartMs = feed.current().startMs;
    const nameOf = loadRequestNamer(file.requests, options.baseUrl);
    metrics.useQueries({ capture: () => captured ?? feed.current(), nameOf: (r) => nameOf(r), runMsOf: (agentMs) => agentMs - agentStartMs + (feed.armedAt - started) });
  } else if (options.queriesUnavailable) {
    metrics.queriesUnavailable(options.queriesUnavailable);
  }
  const stop = new AbortController();
  let stopped: LoadTestRun['stopped'];
  const onSignal = () => {
    stopped ??= { by: 'signal' };
    stop.abort();
  };
  options.signal?.addEventListener('abort', onSignal, { once: true });
  if (options.signal?.aborted) onSignal();
  const check = () => {
    const results = evaluateThresholds(options.thresholds, metrics, Date.now() - started);
    const abort = shouldAbort(results, Date.now() - started);
    if (abort && !stopped) {
      stopped = { by: 'threshold', threshold: abort };
      stop.abort();
    }
  };

  const runScenario = async (phases: PlannedPhase[]) => {
    for (const phase of phases) {
      if (stop.signal.aborted) return;
      await runPhase(phase, file.requests, options, metrics, stop.signal, started, plannedMs);
      check();
    }
  };
  const byScenario = groupBy(plan, (p) => p.scenarioIndex);
  try {
    if (file.execution === 'parallel') await Promise.all(byScenario.map(runScenario));
    else for (const phases of byScenario) await runScenario(phases);
  } finally {
    options.signal?.removeEventListener('abort', onSignal);
  }
  const durationMs = Date.now() - started;
  if (feed) captured = await feed.finish();
  return {
    metrics,
    thresholds: evaluateThresholds(options.thresholds, metrics, durationMs),
    durationMs,
    plannedMs,
    stopped,
    ...(captured && { queries: captured }),
    ...(options.queriesUnavailable && { queriesUnavailable: options.queriesUnavailable }),
  };
}

/** Splits `total` into integer shares by weight (largest remainder), each at least `min`. */
export function shareByWeight(total: number, weights: number[], min = 1): number[] {
  const sumWeights = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sumWeights);
  const shares = exact.map((x) => Math.floor(x));
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    shares[i]++;
    left--;
  }
  return shares.map((s) => Math.max(min, s));
}

async function runPhase(phase: PlannedPhase, requests: RequestSpec[], options: RunLoadTestOptions, metrics: LoadMetrics, signal: AbortSignal, started: number, plannedMs: number): Promise<void> {
  const weights = requests.map((r) => r.weight);
  const rates = phase.rate !== undefined ? shareByWeight(phase.rate, weights) : undefined;
  const connections = shareByWeight(phase.connections, weights);
  const latest = new Map<number, LoadProgress>();
  const report = () => {
    const all = [...latest.values()];
    options.onProgress?.({
      elapsedMs: Date.now() - started,
      totalMs: plannedMs,
      scenario: phase.scenario,
      rps: all.reduce((a, p) => a + p.rps, 0),
      p99: Math.max(0, ...all.map((p) => p.p99)),
      errors: all.reduce((a, p) => a + p.errors, 0),
      failed: all.reduce((a, p) => a + p.failed, 0),
      byStatus: mergeCounts(all.map((p) => p.byStatus)),
      requests: all.reduce((a, p) => a + p.requests, 0),
    });
  };
  const runs = requests.map(async (request, i): Promise<LoadSummary> =>
    runLoad(
      {
        url: joinUrl(options.baseUrl, request.path),
        method: request.method,
        headers: request.headers,
        body: request.body,
        connections: connections[i],
        rate: rates?.[i],
        durationMs: phase.durationMs,
        timeoutMs: phase.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      },
      {
        signal,
        onProgress: (p) => {
          latest.set(i, p);
          if (i === 0) report();
        },
      },
    ),
  );
  const summaries = await Promise.all(runs);
  summaries.forEach((summary, i) => metrics.add({ scenario: phase.scenario, step: phase.step, name: requests[i].name, method: requests[i].method, startMs: phase.startMs, summary }));
}

export { joinUrl } from './requestNames';

function groupBy<T>(items: T[], key: (item: T) => number): T[][] {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(item);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
}

function mergeCounts(counts: Array<Record<string, number>>): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const c of counts) for (const [k, v] of Object.entries(c)) merged[k] = (merged[k] ?? 0) + v;
  return merged;
}
