// Pure: the words and figures of a report's queries section, for notes, hovers, the view and
// diagnostics. No vscode here.
import type { LeakedCheckout, NPlusOne, PoolStat, QueryStat } from '../../server/queries/queryReportTypes';
import { formatMs as formatQueryMs } from '../../server/text/formatMs';

export { formatQueryMs };

/** 12345 → "12,345" (fixed grouping, the same in every locale). */
export function formatCount(n: number): string {
  const rounded = Number.isInteger(n) ? String(n) : n.toFixed(1);
  return rounded.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/**
 * The note after a calling line: "● 182 ms p95 · 240 calls · N+1: 25 per request".
 * `callsHere`: the calls sent from this line when it is one of several ("12 of 240 calls").
 */
export function queryNote(stat: QueryStat, callsHere?: number): string {
  const calls = callsHere !== undefined && callsHere !== stat.calls ? `${formatCount(callsHere)} of ${plural(stat.calls, 'call')}` : plural(stat.calls, 'call');
  const parts = [`● ${formatQueryMs(stat.p95Ms)} p95`, calls];
  if (stat.errors > 0) parts.push(plural(stat.errors, 'error'));
  if (stat.nPlusOne) parts.push(`N+1: ${formatCount(Math.round(stat.nPlusOne.perRequestMedian))} per request`);
  return parts.join(' · ');
}

/** The statement on one line, cut to `max` characters: for labels and messages. */
export function shortStatement(text: string, max = 60): string {
  const folded = text.replace(/\s+/g, ' ').trim();
  return folded.length <= max ? folded : `${folded.slice(0, max - 1).trimEnd()}…`;
}

/** The statement for display in a hover or panel: cut past `max` characters, saying so. */
export function displayStatement(text: string, max = 2000): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n-- … (${formatCount(text.length - max)} more characters)`;
}

/** True for a statement EXPLAIN ANALYZE may run (inside a rolled-back transaction): a SELECT or a WITH. */
export function isReadStatement(text: string): boolean {
  return /^\s*(\(\s*)*(select|with)\b/i.test(text.replace(/^(\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/))*/, ''));
}

/** "N+1 on GET /customers/:customerId/orders: sent 25 times per request (median; up to 26) in 180 of 200 requests, 14.2 ms of database time per request." */
export function nPlusOneSentence(n: NPlusOne): string {
  const median = Math.round(n.perRequestMedian);
  const upTo = n.perRequest > median ? `; up to ${formatCount(n.perRequest)}` : '';
  const after = n.after ? `, each time after \`${shortStatement(n.after, 120)}\`` : '';
  return (
    `N+1 on ${n.endpoint}: sent ${plural(median, 'time')} per request (median${upTo}) in ${formatCount(n.requests)} of ${plural(n.ofRequests, 'request')}, ` +
    `${formatQueryMs(n.msPerRequest)} of database time per request${after}. One query for all of them (a join, or \`= ANY($1)\`) saves the round trips.`
  );
}

/** "57014 ×2 (canceling statement due to statement timeout), 23505 ×1 (duplicate key …)". */
export function errorsSentence(stat: QueryStat): string {
  return stat.errorCodes.map((e) => `${e.code === '?' ? 'no SQLSTATE' : e.code} ×${formatCount(e.count)} (${shortStatement(e.message, 80)})`).join(', ');
}

/** The figures of a statement, label and value, in the order the hover and the tooltip show them. */
export function queryFigures(stat: QueryStat): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const perRequest = stat.perRequest ? ` (${formatCount(Number(stat.perRequest.mean.toFixed(1)))} per request, up to ${formatCount(stat.perRequest.max)})` : '';
  rows.push(['Calls', `${formatCount(stat.calls)}${perRequest}`]);
  rows.push(['Time', `p50 ${formatQueryMs(stat.p50Ms)} · p95 ${formatQueryMs(stat.p95Ms)} · p99 ${formatQueryMs(stat.p99Ms)} · max ${formatQueryMs(stat.maxMs)} · total ${formatQueryMs(stat.totalMs)}`]);
  rows.push(['Rows', formatCount(stat.rows)]);
  if (stat.errors > 0) rows.push(['Errors', `${formatCount(stat.errors)}: ${errorsSentence(stat)}`]);
  if (stat.wait.maxMs > 0) rows.push(['Pool wait', `p95 ${formatQueryMs(stat.wait.p95Ms)} · max ${formatQueryMs(stat.wait.maxMs)} · total ${formatQueryMs(stat.wait.totalMs)}`]);
  if (stat.nPlusOne) rows.push(['N+1', nPlusOneSentence(stat.nPlusOne)]);
  return rows;
}

/** The description of a statement in the Queries view: "5.20 s · 240 calls · p95 182 ms". */
export function queryDescription(stat: QueryStat): string {
  return `${formatQueryMs(stat.totalMs)} · ${plural(stat.calls, 'call')} · p95 ${formatQueryMs(stat.p95Ms)}`;
}

/** "pool 127.0.0.1:5432/demo: saturated" or its verdict's start. */
export function poolLabel(pool: PoolStat): string {
  return `Pool ${pool.name}${pool.saturated ? ' (saturated)' : ''}`;
}

/** The sentence of a leaked checkout: where, how long, what it was doing. */
export function leakSentence(leak: LeakedCheckout): string {
  const held = formatQueryMs(leak.heldMs);
  const head = leak.releasedAfterAll
    ? `A client of pool ${leak.pool} checked out here was held ${held} before it was released`
    : `A client of pool ${leak.pool} checked out here was never released (out for ${held} when the run ended)`;
  const details = [
    leak.endpoint ? `by a request to ${leak.endpoint}` : undefined,
    leak.transactionStatus && leak.transactionStatus !== 'idle' ? `left ${leak.transactionStatus}` : undefined,
    leak.lastStatement ? `last statement \`${shortStatement(leak.lastStatement, 80)}\`` : undefined,
  ].filter((d): d is string => d !== undefined);
  const advice = leak.releasedAfterAll ? ' Release it as soon as the work is done.' : ' Call client.release() on every path, in a finally block.';
  return `${head}${details.length ? `: ${details.join('; ')}` : ''}.${advice}`;
}
