/**
 * Evaluates compiled thresholds against the metrics of a running or finished load run. Pure: the load
 * runner implements MetricsView over its histograms and counters.
 *
 * No data fails. When no request matched a threshold's tags, k6 passes the threshold; we fail it,
 * so that a typo in a tag (`{name:chekout}`) or a scenario that never ran cannot pass silently. No
 * data never aborts a run early, though (the scenario may simply not have started yet): it fails
 * the run at the end.
 */
import type { Aggregation, Operator } from './parseThreshold';
import { formatExpression } from './parseThreshold';
import type { CompiledThreshold } from './thresholdSet';

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
}

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
  }
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
  if (t.metric === 'http_req_duration') return `${text} ms`;
  if (t.metric === 'http_req_failed') return `${text} (${formatNumber(observed * 100)}% failed)`;
  return t.aggregation.kind === 'rate' ? `${text}/s` : text;
}

/** Integers as they are; otherwise 1 decimal from 100, 2 from 1, 3 significant digits below 1. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n) || Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  return String(Number(abs >= 100 ? n.toFixed(1) : abs >= 1 ? n.toFixed(2) : n.toPrecision(3)));
}
