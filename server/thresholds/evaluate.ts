/**
 * Evaluates compiled thresholds against the metrics of a running or finished load run. Pure: the load
 * runner implements MetricsView over its histograms and counters.
 *
 * No data fails. When no request matched a threshold's tags, k6 passes the threshold; we fail it,
 * so that a typo in a tag (`{name:chekout}`) or a scenario that never ran cannot pass silently. No
 * data never aborts a run early, though (the scenario may simply not have started yet): it fails
 * the run at the end.
 *
 * The db_* metrics (the service's PostgreSQL queries, see server/loadtest/dbMetrics.ts) follow the
 * same rule: no query captured, no pg in the service, queries not captured at all, or no sample
 * with the tags is no data, which fails, with the reason in the message.
 */
import type { Aggregation, Operator } from './parseThreshold';
import { formatExpression } from './parseThreshold';
import { isDbMetric, type CompiledThreshold, type DbMetricName } from './thresholdSet';

export type Tags = Readonly<Record<string, string>>;
export type TrendAggregation = { kind: 'avg' | 'min' | 'max' | 'med' } | { kind: 'p'; percentile: number };

/** What evaluation needs from the load runner, for the requests that carry all the given tags ({} = all). */
export interface MetricsView {
  /** Request duration in ms; undefined when no request matched. */
  durationAggregate(tags: Tags, aggregation: TrendAggregation): number | undefined;
  /** Share of failed requests, 0..1; undefined when no request matched. */
  failedRate(tags: Tags): number | undefined;
  /** Number of requests; 0 when none matched. */
  requestCount(tags: Tags): number;
  /** Requests per second over the elapsed time; undefined when no request matched. */
  requestRate(tags: Tags): number | undefined;
  /**
   * A db_* metric over the samples (queries, or requests for db_queries_per_request) that carry the
   * tags, or why there is none (`noData` ends the sentence "no data, …"). Absent when the run does
   * not capture queries: every db_* threshold then has no data.
   */
  dbAggregate?(metric: DbMetricName, tags: Tags, aggregation: TrendAggregation): DbObservation;
}

export type DbObservation = { value: number } | { noData: string };

/** Why a db_* threshold has no data when the metrics view has no dbAggregate. */
export const QUERIES_NOT_CAPTURED = 'the queries were not captured in this run';

export interface ThresholdResult {
  threshold: CompiledThreshold;
  /** undefined when no request matched the threshold's tags. */
  observed: number | undefined;
  ok: boolean;
  /** e.g. `p(95)<300: 312.4 ms ✗` */
  message: string;
  /** When it was evaluated, ms since the start of the run. */
  elapsedMs: number;
}

export function evaluateThresholds(thresholds: readonly CompiledThreshold[], metrics: MetricsView, elapsedMs: number): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const expression = formatExpression(threshold);
    if (isDbMetric(threshold.metric)) {
      const seen = observeDb(threshold, threshold.metric, metrics);
      if ('noData' in seen || Number.isNaN(seen.value)) {
        const why = 'noData' in seen ? seen.noData : 'the aggregate could not be computed';
        return { threshold, observed: undefined, ok: false, message: `${expression}: no data, ${why} ✗`, elapsedMs };
      }
      const ok = compare(seen.value, threshold.operator, threshold.value);
      return { threshold, observed: seen.value, ok, message: `${expression}: ${formatObserved(threshold, seen.value)} ${ok ? '✓' : '✗'}`, elapsedMs };
    }
    const observed = metrics.requestCount(threshold.tags) > 0 ? observe(threshold, metrics) : undefined;
    if (observed === undefined || Number.isNaN(observed)) {
      const which = Object.keys(threshold.tags).length ? `no requests matched ${formatTags(threshold.tags)}` : 'no requests were made';
      return { threshold, observed: undefined, ok: false, message: `${expression}: no data, ${which} ✗`, elapsedMs };
    }
    const ok = compare(observed, threshold.operator, threshold.value);
    return { threshold, observed, ok, message: `${expression}: ${formatObserved(threshold, observed)} ${ok ? '✓' : '✗'}`, elapsedMs };
  });
}

/**
 * The first result that should stop the run now: an abortOnFail threshold that fails with data, once
 * `elapsedMs` has reached its delayAbortEval. undefined when the run goes on.
 */
export function shouldAbort(results: readonly ThresholdResult[], elapsedMs: number): ThresholdResult | undefined {
  return results.find((r) => r.threshold.abortOnFail && !r.ok && r.observed !== undefined && elapsedMs >= r.threshold.delayAbortEvalMs);
}

export function compare(observed: number, operator: Operator, value: number): boolean {
  switch (operator) {
    case '<': return observed < value;
    case '<=': return observed <= value;
    case '>': return observed > value;
    case '>=': return observed >= value;
    case '==': return observed === value;
    case '!=': return observed !== value;
  }
}

function observe(t: CompiledThreshold, metrics: MetricsView): number | undefined {
  const a = t.aggregation;
  switch (t.metric) {
    case 'http_req_duration':
      if (!isTrendAggregation(a)) throw new Error(`internal: ${a.kind} on ${t.metric} passed compileThresholds`);
      return metrics.durationAggregate(t.tags, a);
    case 'http_req_failed':
      return metrics.failedRate(t.tags);
    case 'http_reqs':
      return a.kind === 'count' ? metrics.requestCount(t.tags) : metrics.requestRate(t.tags);
    default:
      throw new Error(`internal: ${t.metric} is not an http metric`);
  }
}

function observeDb(t: CompiledThreshold, metric: DbMetricName, metrics: MetricsView): DbObservation {
  const a = t.aggregation;
  if (!isTrendAggregation(a)) throw new Error(`internal: ${a.kind} on ${t.metric} passed compileThresholds`);
  return metrics.dbAggregate ? metrics.dbAggregate(metric, t.tags, a) : { noData: QUERIES_NOT_CAPTURED };
}

function isTrendAggregation(a: Aggregation): a is TrendAggregation {
  return a.kind !== 'count' && a.kind !== 'rate';
}

/** `{name:checkout,scenario:spike}` */
export function formatTags(tags: Tags): string {
  return `{${Object.entries(tags).map(([k, v]) => `${k}:${v}`).join(',')}}`;
}

/** The observed value with its unit; more digits when rounding would make it look equal to the limit. */
function formatObserved(t: CompiledThreshold, observed: number): string {
  const short = formatNumber(observed);
  const text = short === formatNumber(t.value) && observed !== t.value ? String(observed) : short;
  if (t.metric === 'http_req_duration' || t.metric === 'db_query_duration' || t.metric === 'db_pool_wait') return `${text} ms`;
  if (t.metric === 'db_queries_per_request') return `${text} ${observed === 1 ? 'query' : 'queries'} per request`;
  if (t.metric === 'http_req_failed') return `${text} (${formatNumber(observed * 100)}% failed)`;
  return t.aggregation.kind === 'rate' ? `${text}/s` : text;
}

/** Integers as they are; otherwise 1 decimal from 100, 2 from 1, 3 significant digits below 1. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n) || Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  return String(Number(abs >= 100 ? n.toFixed(1) : abs >= 1 ? n.toFixed(2) : n.toPrecision(3)));
}
