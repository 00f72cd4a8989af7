/**
 * The meaning of a `thresholds` object: which metrics exist, which aggregations each has, percentile
 * range, known tags, and the long form's fields. Syntax comes from parseThreshold.ts. Every problem is
 * reported with where it is (`thresholds["http_req_duration"][1]`), and all of them at once. Pure.
 */
import { parseDuration } from '../load/parseDuration';
import {
  type Aggregation,
  type Operator,
  formatAggregation,
  parseMetricKey,
  parseThresholdExpression,
  ThresholdSyntaxError,
} from './parseThreshold';
import { editDistance } from '../text/editDistance';

export type HttpMetricName = 'http_req_duration' | 'http_req_failed' | 'http_reqs';
/** Metrics from the queries the service sent to PostgreSQL (need the query agent: target.command). */
export type DbMetricName = 'db_query_duration' | 'db_queries_per_request' | 'db_pool_wait';
export type MetricName = HttpMetricName | DbMetricName;
export type AggregationKind = Aggregation['kind'];

interface MetricInfo {
  /** What the metric is, for error messages. */
  what: string;
  /** A typical threshold, for error messages. */
  example: string;
  aggregations: readonly AggregationKind[];
}

export const THRESHOLD_METRICS: Readonly<Record<MetricName, MetricInfo>> = {
  http_req_duration: { what: 'a trend of request durations in ms', example: 'p(95)<300', aggregations: ['avg', 'min', 'max', 'med', 'p'] },
  http_req_failed: { what: 'the share of failed requests, 0 to 1', example: 'rate<0.01', aggregations: ['rate'] },
  http_reqs: { what: 'a counter of requests; rate is per second', example: 'count>1000', aggregations: ['count', 'rate'] },
  db_query_duration: { what: 'a trend of PostgreSQL query durations in ms, one sample per query', example: 'p(95)<50', aggregations: ['avg', 'min', 'max', 'med', 'p'] },
  db_queries_per_request: { what: 'a trend of the number of queries each request sent', example: 'max<10', aggregations: ['avg', 'min', 'max', 'med', 'p'] },
  db_pool_wait: { what: 'a trend of the wait for a pool connection in ms, one sample per query', example: 'p(99)<20', aggregations: ['avg', 'min', 'max', 'med', 'p'] },
};

export const DB_METRICS: readonly DbMetricName[] = ['db_query_duration', 'db_queries_per_request', 'db_pool_wait'];

export function isDbMetric(metric: MetricName): metric is DbMetricName {
  return (DB_METRICS as readonly string[]).includes(metric);
}
export const THRESHOLD_TAGS = ['name', 'scenario', 'method', 'status'] as const;
const LONG_FORM_FIELDS = ['threshold', 'abortOnFail', 'delayAbortEval'] as const;

export interface CompiledThreshold {
  /** The key in the thresholds object, as written: `http_req_duration{name:checkout}`. */
  key: string;
  /** The threshold text as written: `p(95) < 300`. */
  source: string;
  metric: MetricName;
  tags: Record<string, string>;
  aggregation: Aggregation;
  operator: Operator;
  value: number;
  abortOnFail: boolean;
  /** 0 when not given: abort may happen at the first evaluation. */
  delayAbortEvalMs: number;
  /** Where it came from: `thresholds["http_req_duration"][1]`. */
  path: string;
}

export interface ThresholdProblem {
  path: string;
  message: string;
}

export class ThresholdConfigError extends Error {
  override readonly name = 'ThresholdConfigError';

  constructor(readonly problems: readonly ThresholdProblem[]) {
    super(`${problems.length === 1 ? '1 problem' : `${problems.length} problems`} in thresholds:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  }
}

/**
 * Checks a `thresholds` object (the value of the load file's `thresholds` key) and returns one
 * CompiledThreshold per entry, in the file's order. Throws ThresholdConfigError listing every problem.
 */
export function compileThresholds(obj: unknown, rootPath = 'thresholds'): CompiledThreshold[] {
  const problems: ThresholdProblem[] = [];
  const compiled: CompiledThreshold[] = [];
  if (!isPlainObject(obj)) {
    throw new ThresholdConfigError([{ path: rootPath, message: `expected an object keyed by metric, e.g. {"http_req_duration": ["p(95)<300"]}, got ${describe(obj)}` }]);
  }
  for (const [key, entries] of Object.entries(obj)) {
    const keyPath = `${rootPath}[${JSON.stringify(key)}]`;
    const report = (path: string) => (message: string) => problems.push({ path, message });
    const target = checkKey(key, report(keyPath));
    const example = JSON.stringify([THRESHOLD_METRICS[target?.metric ?? 'http_req_duration'].example]);
    if (!Array.isArray(entries)) {
      report(keyPath)(`expected an array of thresholds, e.g. ${example}, got ${describe(entries)}`);
      continue;
    }
    if (entries.length === 0) {
      report(keyPath)(`expected at least one threshold, e.g. ${example}; remove the key to have none`);
      continue;
    }
    entries.forEach((entry, index) => {
      const path = `${keyPath}[${index}]`;
      const one = checkEntry(entry, path, report);
      if (!one || !target) return;
      const wrong = checkAggregation(target.metric, one.aggregation, one.value, one.source);
      if (wrong) report(path)(wrong);
      else compiled.push({ key, metric: target.metric, tags: target.tags, path, ...one });
    });
  }
  if (problems.length) throw new ThresholdConfigError(problems);
  return compiled;
}

type Report = (path: string) => (message: string) => void;

function checkKey(key: string, report: (message: string) => void): { metric: MetricName; tags: Record<string, string> } | undefined {
  let parsed;
  try {
    parsed = parseMetricKey(key);
  } catch (err) {
    if (err instanceof ThresholdSyntaxError) return void report(err.message);
    throw err;
  }
  let ok = true;
  if (!isMetricName(parsed.metric)) {
    const names = Object.keys(THRESHOLD_METRICS);
    report(`unknown metric ${JSON.stringify(parsed.metric)} in ${JSON.stringify(key)}${didYouMean(parsed.metric, names)}: expected ${orList(names)}`);
    ok = false;
  }
  for (const tag of Object.keys(parsed.tags)) {
    if (!(THRESHOLD_TAGS as readonly string[]).includes(tag)) {
      report(`unknown tag ${JSON.stringify(tag)} in ${JSON.stringify(key)}${didYouMean(tag, THRESHOLD_TAGS)}: expected ${orList(THRESHOLD_TAGS)}`);
      ok = false;
    }
  }
  return ok ? { metric: parsed.metric as MetricName, tags: parsed.tags } : undefined;
}

type EntryFields = Pick<CompiledThreshold, 'source' | 'aggregation' | 'operator' | 'value' | 'abortOnFail' | 'delayAbortEvalMs'>;

/** One array entry, short (`"p(95)<300"`) or long (`{ "threshold": …, "abortOnFail": …, "delayAbortEval": … }`). */
function checkEntry(entry: unknown, path: string, report: Report): EntryFields | undefined {
  let source: unknown = entry;
  let abortOnFail = false;
  let delayAbortEvalMs = 0;
  let ok = true;
  const problem = (where: string, message: string) => {
    report(where)(message);
    ok = false;
  };
  if (isPlainObject(entry)) {
    for (const field of Object.keys(entry)) {
      if (!(LONG_FORM_FIELDS as readonly string[]).includes(field)) {
        problem(`${path}.${field}`, `unknown field ${JSON.stringify(field)}${didYouMean(field, LONG_FORM_FIELDS)}: expected ${orList(LONG_FORM_FIELDS)}`);
      }
    }
    source = entry.threshold;
    if (!('threshold' in entry)) problem(path, 'missing field "threshold": expected a string like "p(95)<300"');
    if ('abortOnFail' in entry) {
      if (typeof entry.abortOnFail === 'boolean') abortOnFail = entry.abortOnFail;
      else problem(`${path}.abortOnFail`, `expected true or false, got ${describe(entry.abortOnFail)}`);
    }
    if ('delayAbortEval' in entry) {
      const delay = entry.delayAbortEval;
      if (!('abortOnFail' in entry)) problem(`${path}.delayAbortEval`, 'delayAbortEval only delays abortOnFail: add "abortOnFail": true');
      if (typeof delay !== 'string') problem(`${path}.delayAbortEval`, `expected a duration such as "10s", "500ms" or "1m", got ${describe(delay)}`);
      else {
        try {
          delayAbortEvalMs = parseDuration(delay);
        } catch (err) {
          problem(`${path}.delayAbortEval`, (err as Error).message);
        }
      }
    }
    if (!('threshold' in entry)) return undefined;
  }
  if (typeof source !== 'string') {
    const where = isPlainObject(entry) ? `${path}.threshold` : path;
    problem(where, `expected a threshold string like "p(95)<300"${isPlainObject(entry) ? '' : ' or an object {"threshold": "p(95)<300", "abortOnFail": true}'}, got ${describe(source)}`);
    return undefined;
  }
  let expression;
  try {
    expression = parseThresholdExpression(source);
  } catch (err) {
    if (!(err instanceof ThresholdSyntaxError)) throw err;
    problem(path, err.message);
    return undefined;
  }
  const { aggregation } = expression;
  if (aggregation.kind === 'p' && !(aggregation.percentile >= 0 && aggregation.percentile <= 100)) {
    problem(path, `percentile ${aggregation.percentile} in ${JSON.stringify(source)} is out of range: expected 0 to 100, e.g. p(95) or p(99.9)`);
  }
  return ok ? { source, ...expression, abortOnFail, delayAbortEvalMs } : undefined;
}

/** Whether the metric has the aggregation (and a failure share stays within 0..1): a message when not. */
function checkAggregation(metric: MetricName, aggregation: Aggregation, value: number, source: string): string | undefined {
  const info = THRESHOLD_METRICS[metric];
  if (!info.aggregations.includes(aggregation.kind)) {
    return `${metric} (${info.what}) has no aggregation ${JSON.stringify(formatAggregation(aggregation))} in ${JSON.stringify(source)}: expected ${orList(info.aggregations.map((k) => (k === 'p' ? 'p(N)' : k)))}`;
  }
  if (metric === 'http_req_failed' && value > 1) {
    return `${JSON.stringify(source)} compares the share of failed requests with ${value}, but it goes from 0 to 1: write e.g. rate<0.01 for 1%`;
  }
  return undefined;
}

function isMetricName(name: string): name is MetricName {
  return Object.prototype.hasOwnProperty.call(THRESHOLD_METRICS, name);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `a string (${JSON.stringify(v)})`;
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v} (${String(v)})`;
}

/** `a, b or c` */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** ` (did you mean "x"?)` when one candidate is close enough to be a typo, else ''. */
function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? ` (did you mean ${JSON.stringify(best)}?)` : '';
}

