// Failed requests said the way a person reads them: "412 × 404, 3 × 500, 2 × ECONNRESET". Pure.
import type { LoadErrors } from './loadTypes';

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
