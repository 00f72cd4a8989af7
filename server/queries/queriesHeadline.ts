// The sentence a profile's headline gains from its queries: how much of a request's time is spent
// in PostgreSQL, and the first thing to fix there (an N+1, a saturated pool, a leak, the costliest
// statement), at its calling line. Pure.
import type { LoadSummary } from '../load/loadTypes';
import { formatMs } from '../text/formatMs';
import type { CallingLine, QueriesSection } from './queryReportTypes';

export function queriesHeadline(section: QueriesSection, load: LoadSummary | undefined, where: (site: CallingLine) => string): string | undefined {
  if (!section.queries.length) return undefined;
  const requests = section.perRequest.requests;
  const parts: string[] = [];
  if (requests > 0) {
    // The union of each request's query intervals: concurrent queries count once.
    const perRequest = section.perRequest.msMean;
    const latency = load && load.requests > 0 ? load.latency.mean : undefined;
    const share = latency ? ` of its ${formatMs(latency)} mean latency` : '';
    parts.push(`In PostgreSQL: ${round(section.perRequest.mean)} ${round(section.perRequest.mean) === '1' ? 'query' : 'queries'} and ${formatMs(perRequest)} per request${share}.`);
  }
  const nPlusOne = section.queries.find((q) => q.nPlusOne);
  const saturated = section.pools.find((p) => p.saturated);
  const leak = section.leaks.find((l) => !l.releasedAfterAll);
  if (nPlusOne?.nPlusOne) parts.push(`N+1 at ${where(nPlusOne.site)}: the same statement ${nPlusOne.nPlusOne.perRequest} times per request (${formatMs(nPlusOne.nPlusOne.msPerRequest)}).`);
  if (saturated) parts.push(`The pool ${saturated.name} ran out of connections: ${saturated.verdict}.`);
  if (leak) parts.push(`A connection checked out at ${where(leak.site)} was never released.`);
  if (!nPlusOne && !saturated && !leak) {
    const top = section.queries[0]!;
    parts.push(`The costliest statement is sent at ${where(top.site)} (p95 ${formatMs(top.p95Ms)}, ${top.calls} calls).`);
  }
  return parts.join(' ');
}

/** One decimal, none when it is .0: 27 for 26.998, 1.5 for 1.46. */
function round(n: number): string {
  const r = Math.round(n * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}
