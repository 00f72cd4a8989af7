// Pure: the runs of a load test, tagged, and the metrics thresholds are evaluated on (the db_*
// ones from the service's queries, when they are captured: see dbMetrics.ts).
import { LatencyHistogram } from '../load/latencyHistogram';
import type { LoadSummary } from '../load/loadTypes';
import type { CapturedRequest, QueryCapture } from '../queries/captureTypes';
import { QUERIES_NOT_CAPTURED, type DbObservation, type MetricsView, type Tags, type TrendAggregation } from '../thresholds/evaluate';
import type { DbMetricName } from '../thresholds/thresholdSet';
import { DbMetrics } from './dbMetrics';

/** One runLoad of one request in one phase. */
export interface TaggedRun {
  scenario: string;
  step?: number;
  name: string;
  method: string;
  /** When the phase started, ms from the start of the test. */
  startMs: number;
  summary: LoadSummary;
}

/** Requests that failed: connection errors and timeouts, and answers of 400 and above (as k6 counts). */
export function failedCount(summary: LoadSummary): number {
  let failed = summary.errors.total;
  for (const [status, count] of Object.entries(summary.errors.statusCodes)) if (Number(status) >= 400) failed += count;
  return failed;
}

/** Requests issued: answered or failed without an answer. */
export function issuedCount(summary: LoadSummary): number {
  return summary.requests + summary.errors.total;
}

/** The service's queries as the agent captures them during the run. */
export interface QuerySource {
  /** What has arrived so far (the agent sends a batch a second); the whole capture once it is disarmed. */
  capture(): QueryCapture;
  /** The load-test request a request the service received was (its `name`), when one matches. */
  nameOf(request: CapturedRequest): string | undefined;
  /** A time on the agent's clock as ms from the start of the load test. */
  runMsOf(agentMs: number): number;
}

/** A phase's window may start this much early or end this much late and still hold a request. */
const PHASE_SLACK_MS = 100;

export class LoadMetrics implements MetricsView {
  readonly runs: TaggedRun[] = [];
  private queries?: QuerySource;
  private queriesMissing = QUERIES_NOT_CAPTURED;
  private db?: { version: string; metrics: DbMetrics };

  add(run: TaggedRun): void {
    this.runs.push(run);
  }

  /** Answer the db_* metrics from this source. */
  useQueries(source: QuerySource): void {
    this.queries = source;
    this.db = undefined;
  }

  /** The db_* metrics have no data, for this reason ("the queries were not captured: …"). */
  queriesUnavailable(reason: string): void {
    this.queriesMissing = reason;
  }

  dbAggregate(metric: DbMetricName, tags: Tags, aggregation: TrendAggregation): DbObservation {
    const db = this.dbMetrics();
    return db ? db.aggregate(metric, tags, aggregation) : { noData: this.queriesMissing };
  }

  /** The adapter over the capture as it stands, rebuilt when a batch or a phase has arrived since. */
  dbMetrics(): DbMetrics | undefined {
    if (!this.queries) return undefined;
    const source = this.queries;
    const capture = source.capture();
    const finished = capture.requests.reduce((n, r) => n + (r.endMs === undefined ? 0 : 1), 0);
    const version = `${capture.endMs}#${capture.executions.length}#${capture.requests.length}#${finished}#${this.runs.length}`;
    if (this.db?.version !== version) {
      const tagsOf = (request: CapturedRequest): Tags => {
        const name = source.nameOf(request);
        const scenario = this.scenarioAt(source.runMsOf(request.startMs));
        return {
          method: request.method.toUpperCase(),
          ...(name !== undefined && { name }),
          ...(scenario !== undefined && { scenario }),
          ...(request.status !== undefined && { status: String(request.status) }),
        };
      };
      this.db = { version, metrics: new DbMetrics(capture, tagsOf) };
    }
    return this.db.metrics;
  }

  /**
   * The scenario whose phases were running at `ms` (from the start of the test): undefined between
   * phases, and when phases of two scenarios overlap there (parallel execution).
   */
  scenarioAt(ms: number): string | undefined {
    const running = new Set<string>();
    for (const r of this.runs) if (ms >= r.startMs - PHASE_SLACK_MS && ms <= r.startMs + r.summary.durationMs + PHASE_SLACK_MS) running.add(r.scenario);
    return running.size === 1 ? [...running][0] : undefined;
  }

  matching(tags: Tags): TaggedRun[] {
    return this.runs.filter((r) => Object.entries(tags).every(([tag, value]) => tagValue(r, tag) === value));
  }

  latency(tags: Tags = {}): LatencyHistogram {
    return LatencyHistogram.merge(this.matching(tags).map((r) => ({ histogram: r.summary.histogram ?? '', latency: r.summary.latency, requests: r.summary.requests })));
  }

  durationAggregate(tags: Tags, aggregation: TrendAggregation): number | undefined {
    const h = this.latency(tags);
    if (!h.count) return undefined;
    switch (aggregation.kind) {
      case 'avg':
        return h.meanMs();
      case 'min':
        return h.minMs();
      case 'max':
        return h.summary().max;
      case 'med':
        return h.percentileMs(50);
      case 'p':
        return h.percentileMs(aggregation.percentile);
    }
  }

  failedRate(tags: Tags): number | undefined {
    const runs = this.matching(tags);
    const issued = sum(runs.map((r) => issuedCount(r.summary)));
    return issued ? sum(runs.map((r) => failedCount(r.summary))) / issued : undefined;
  }

  requestCount(tags: Tags): number {
    return sum(this.matching(tags).map((r) => issuedCount(r.summary)));
  }

  requestRate(tags: Tags): number | undefined {
    const runs = this.matching(tags);
    const count = sum(runs.map((r) => issuedCount(r.summary)));
    if (!count) return undefined;
    // Runs of one phase overlap (one per request): count each phase's time once.
    const phases = new Map<string, number>();
    for (const r of runs) phases.set(`${r.scenario}#${r.step ?? 0}#${r.startMs}`, Math.max(phases.get(`${r.scenario}#${r.step ?? 0}#${r.startMs}`) ?? 0, r.summary.durationMs));
    const seconds = sum([...phases.values()]) / 1000;
    return seconds > 0 ? count / seconds : undefined;
  }
}

function tagValue(run: TaggedRun, tag: string): string | undefined {
  switch (tag) {
    case 'name':
      return run.name;
    case 'scenario':
      return run.scenario;
    case 'method':
      return run.method;
    default:
      return undefined; // `status` needs per-status histograms, which runs do not keep: no data.
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
