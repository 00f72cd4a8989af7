// Pure: the runs of a load test, tagged, and the metrics thresholds are evaluated on.
import { LatencyHistogram } from '../load/latencyHistogram';
import type { LoadSummary } from '../load/loadTypes';
import type { MetricsView, Tags, TrendAggregation } from '../thresholds/evaluate';

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

export class LoadMetrics implements MetricsView {
  readonly runs: TaggedRun[] = [];

  add(run: TaggedRun): void {
    this.runs.push(run);
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
