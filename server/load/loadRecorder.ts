import { LatencyHistogram } from './latencyHistogram';
import type { LoadErrors, LoadOptions, LoadProgress, LoadSummary, SecondStats } from './loadTypes';

/** The message autocannon gives the errors it makes for timed-out requests (they carry no code). */
export const AUTOCANNON_TIMEOUT_MESSAGE = 'request timed out';

/** Tallies one run from autocannon's per-request events. No I/O, no timers: the caller brings the clock. */
export class LoadRecorder {
  private readonly latency = new LatencyHistogram();
  private readonly statusCodes: Record<string, number> = {};
  private readonly byKind: Record<string, number> = {};
  private non2xx = 0;
  private readonly byStatus: Record<string, number> = {};
  private errors = 0;
  private timeouts = 0;
  private lastProgress = { atMs: 0, requests: 0 };
  private readonly seconds: SecondStats[] = [];
  private current = { second: 0, latency: new LatencyHistogram(), errors: 0 };

  /** Completed responses, whatever their status. */
  get requests(): number {
    return this.latency.count;
  }

  /** Starts the per-second bucket `second` (0-based), closing the ones before it. */
  tick(second: number): void {
    while (this.current.second < second) {
      const { latency, errors } = this.current;
      this.seconds.push({ second: this.current.second, requests: latency.count, errors, p50: latency.percentileMs(50), p99: latency.percentileMs(99) });
      this.current = { second: this.current.second + 1, latency: new LatencyHistogram(), errors: 0 };
    }
  }

  response(statusCode: number, responseTimeMs: number): void {
    this.latency.record(responseTimeMs);
    this.current.latency.record(responseTimeMs);
    this.statusCodes[statusCode] = (this.statusCodes[statusCode] ?? 0) + 1;
    if (statusCode < 200 || statusCode > 299) {
      this.non2xx++;
      this.byStatus[statusCode] = (this.byStatus[statusCode] ?? 0) + 1;
      this.current.errors++;
    }
  }

  /** A failed request: connection error (by its code, e.g. ECONNREFUSED) or timeout. */
  error(err: unknown): void {
    const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
    const kind = typeof code === 'string' && code ? code : typeof message === 'string' && message ? message : String(err);
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
    this.errors++;
    this.current.errors++;
    if (message === AUTOCANNON_TIMEOUT_MESSAGE && code === undefined) this.timeouts++;
  }

  /** Figures since the previous call (rps) and since the start (p99, totals). */
  progress(elapsedMs: number): LoadProgress {
    const windowMs = elapsedMs - this.lastProgress.atMs;
    const inWindow = this.requests - this.lastProgress.requests;
    this.lastProgress = { atMs: elapsedMs, requests: this.requests };
    return {
      elapsedMs: Math.round(elapsedMs),
      requests: this.requests,
      rps: windowMs > 0 ? round2((inWindow * 1000) / windowMs) : 0,
      p99: this.latency.percentileMs(99),
      errors: this.errors,
      failed: this.errors + this.non2xx,
      byStatus: { ...this.byStatus },
    };
  }

  summary(options: LoadOptions, connections: number, durationMs: number, stoppedEarly: boolean): LoadSummary {
    const errors: LoadErrors = {
      total: this.errors,
      timeouts: this.timeouts,
      non2xx: this.non2xx,
      failed: this.errors + this.non2xx,
      byStatus: { ...this.byStatus },
      statusCodes: { ...this.statusCodes },
      byKind: { ...this.byKind },
    };
    return {
      url: options.url,
      method: options.method,
      connections,
      ...(options.rate !== undefined && { rate: options.rate }),
      requests: this.requests,
      durationMs: Math.round(durationMs),
      rps: durationMs > 0 ? round2((this.requests * 1000) / durationMs) : 0,
      latency: this.latency.summary(),
      errors,
      stoppedEarly,
      histogram: this.latency.encode(),
      perSecond: this.closedSeconds(durationMs),
    };
  }

  /** The per-second series up to the end of the run (the last, partial second included). */
  private closedSeconds(durationMs: number): SecondStats[] {
    this.tick(Math.ceil(durationMs / 1000));
    return [...this.seconds];
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
