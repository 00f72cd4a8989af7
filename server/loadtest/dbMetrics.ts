/**
 * Pure: the db_* threshold metrics, k6-style trends, from what the query agent captured in the
 * service (a QueryCapture) and the tags of each request it saw.
 *
 *   db_query_duration       one sample per query execution: its time in the database, ms (pool wait excluded)
 *   db_pool_wait            one sample per query execution: its wait for a pool connection, ms (0 for a client's query)
 *   db_queries_per_request  one sample per request the service received while the agent was in, whose
 *                           response finished: the number of queries sent for it (0 included)
 *
 * A query carries the tags of the request it was sent for (none when it was sent outside a request,
 * so it only counts for thresholds without tags). Percentiles and the median are nearest-rank, as
 * in the queries section (a real sample, never an interpolation: p(95) of queries per request is a
 * count some request sent).
 *
 * No data is a reason, not a zero: no pg in the service, no query captured at all, requests that
 * cannot be told apart (old Node.js) when tags or per-request counts are asked for, or no sample with
 * the tags. evaluate.ts fails such a threshold, as it fails http_* thresholds without requests.
 */
import type { CapturedRequest, QueryCapture } from '../queries/captureTypes';
import { nearestRank } from '../queries/buildQueriesSection';
import { formatTags, type DbObservation, type Tags, type TrendAggregation } from '../thresholds/evaluate';
import type { DbMetricName } from '../thresholds/thresholdSet';

/** The tags of a request the service received: `name`, `method`, `status`, `scenario` (each when known). */
export type RequestTagger = (request: CapturedRequest) => Tags;

export class DbMetrics {
  private readonly tagsById = new Map<number, Tags>();
  /** Sorted samples by metric and tags. */
  private readonly samplesCache = new Map<string, number[]>();

  constructor(
    private readonly capture: QueryCapture,
    tagsOf: RequestTagger,
  ) {
    for (const request of capture.requests) this.tagsById.set(request.id, tagsOf(request));
  }

  aggregate(metric: DbMetricName, tags: Tags, aggregation: TrendAggregation): DbObservation {
    const why = this.unavailable(metric, tags);
    if (why) return { noData: why };
    const samples = this.samples(metric, tags);
    if (samples.length === 0) {
      const filter = Object.keys(tags).length ? ` matched ${formatTags(tags)}` : '';
      return { noData: metric === 'db_queries_per_request' ? `no finished request${filter || ' was captured'}` : `no query${filter || ' was captured'}` };
    }
    return { value: aggregateOf(samples, aggregation) };
  }

  /** Samples of the metric that carry every tag, ascending. */
  samples(metric: DbMetricName, tags: Tags): number[] {
    const key = `${metric}${formatTags(tags)}`;
    let samples = this.samplesCache.get(key);
    if (!samples) {
      samples = metric === 'db_queries_per_request' ? this.perRequest(tags) : this.perExecution(metric, tags);
      samples.sort((a, b) => a - b);
      this.samplesCache.set(key, samples);
    }
    return samples;
  }

  /** Why the capture cannot answer the metric at all, or undefined. */
  private unavailable(metric: DbMetricName, tags: Tags): string | undefined {
    const { status } = this.capture;
    if (status.pg.length === 0) return 'no PostgreSQL client (pg) was found in the service, so no query was captured';
    if (this.capture.executions.length === 0) {
      return `no query was captured: the service sent none to PostgreSQL (pg ${[...new Set(status.pg.map((p) => p.version))].join(', ')} is loaded)`;
    }
    if (!status.requestContext && (metric === 'db_queries_per_request' || Object.keys(tags).length > 0)) {
      return `queries cannot be tied to requests: Node.js ${status.node} has no http.server diagnostics channels`;
    }
    return undefined;
  }

  private perExecution(metric: Exclude<DbMetricName, 'db_queries_per_request'>, tags: Tags): number[] {
    const samples: number[] = [];
    const filtered = Object.keys(tags).length > 0;
    for (const e of this.capture.executions) {
      if (filtered && !carries(this.tagsById.get(e.request), tags)) continue;
      samples.push(metric === 'db_query_duration' ? e.ms : e.waitMs);
    }
    return samples;
  }

  private perRequest(tags: Tags): number[] {
    const counts = new Map<number, number>();
    for (const e of this.capture.executions) if (e.request !== 0) counts.set(e.request, (counts.get(e.request) ?? 0) + 1);
    const samples: number[] = [];
    // Requests still in progress have not sent all their queries yet; the ones that started before
    // the agent was in are not in capture.requests (their first queries were not seen).
    for (const request of this.capture.requests) {
      if (request.endMs === undefined || !carries(this.tagsById.get(request.id), tags)) continue;
      samples.push(counts.get(request.id) ?? 0);
    }
    return samples;
  }
}

function carries(have: Tags | undefined, want: Tags): boolean {
  for (const [tag, value] of Object.entries(want)) if (have?.[tag] !== value) return false;
  return true;
}

/** The aggregation of ascending samples (at least one). */
export function aggregateOf(sorted: readonly number[], aggregation: TrendAggregation): number {
  switch (aggregation.kind) {
    case 'avg':
      return sorted.reduce((a, b) => a + b, 0) / sorted.length;
    case 'min':
      return sorted[0];
    case 'max':
      return sorted[sorted.length - 1];
    case 'med':
      return nearestRank(sorted as number[], 50);
    case 'p':
      return nearestRank(sorted as number[], aggregation.percentile);
  }
}
