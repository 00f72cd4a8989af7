// Failed requests said the way a person reads them: "412 × 404, 3 × 500, 2 × ECONNRESET". Pure.
import type { LoadErrors, LoadSummary } from './loadTypes';

/** Failures by status (non-2xx answers) and by kind (no answer), most frequent first; '' when none. */
export function describeFailures(errors: Pick<LoadErrors, 'byStatus' | 'byKind'>): string {
  const parts = [...Object.entries(errors.byStatus), ...Object.entries(errors.byKind)].filter(([, n]) => n > 0);
  parts.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return parts.map(([what, n]) => `${n} × ${what}`).join(', ');
}

/** Share of the requests that failed (answers plus requests with no answer), 0 when there were none. */
export function failedShare(load: { requests: number; errors: Pick<LoadErrors, 'total' | 'failed'> }): number {
  const attempted = load.requests + load.errors.total;
  return attempted > 0 ? load.errors.failed / attempted : 0;
}

/** A progress line's failures: 'failed 0', or 'failed 415 (412 × 404, 3 × no answer)'. */
export function progressFailures(p: { failed: number; errors: number; byStatus: Record<string, number> }): string {
  if (p.failed === 0) return 'failed 0';
  return `failed ${p.failed} (${describeFailures({ byStatus: p.byStatus, byKind: p.errors > 0 ? { 'no answer': p.errors } : {} })})`;
}

/** A run's figures on one line: '1234 requests · 123.4 req/s · p50 7.9 / p95 12.1 / p99 15.3 ms · 0 failed · 10.0 s'. */
export function loadFigures(load: Pick<LoadSummary, 'requests' | 'rps' | 'latency' | 'errors' | 'durationMs' | 'stoppedEarly'>): string {
  const { p50, p95, p99 } = load.latency;
  const failed = load.errors.failed > 0 ? `${load.errors.failed} failed (${describeFailures(load.errors)})` : '0 failed';
  return [`${load.requests} requests`, `${load.rps.toFixed(1)} req/s`, `p50 ${p50.toFixed(1)} / p95 ${p95.toFixed(1)} / p99 ${p99.toFixed(1)} ms`, failed, `${(load.durationMs / 1000).toFixed(1)} s${load.stoppedEarly ? ' (stopped early)' : ''}`].join(' · ');
}
