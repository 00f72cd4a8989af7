// The queries section as text, a table for the terminal (the CLI and the log). Pure.
import { relativeTo } from '../analysis/formatReport';
import { textTable } from '../analysis/textTable';
import { formatMs } from '../text/formatMs';
import type { CallingLine, QueriesSection } from './queryReportTypes';

export interface FormatQueriesOptions {
  /** Paths inside this folder are shown relative to it. */
  cwd: string;
  /** Statement rows (default 15). */
  top?: number;
}

/** Statements longer than this are cut for display (the report keeps them whole). */
const STATEMENT_CHARS = 80;

/** The statements table, then N+1 statements, pool verdicts, leaked connections and warnings. */
export function formatQueriesTable(section: QueriesSection, options: FormatQueriesOptions): string {
  const top = options.top ?? 15;
  const where = (site: CallingLine) => {
    if (!site.file) return '(no stack)';
    return `${relativeTo(site.file, options.cwd)}:${site.line}`;
  };
  const out: string[] = [];
  const versions = [...new Set(section.pg.map((p) => p.version))];
  const calls = section.queries.reduce((sum, q) => sum + q.calls, 0);
  let heading = `Queries to PostgreSQL${versions.length ? ` (pg ${versions.join(', ')})` : ''}: ${count(section.queries.length, 'statement')}, ${count(calls, 'query', 'queries')}`;
  if (section.perRequest.requests > 0) {
    heading += ` from ${count(section.perRequest.requests, 'request')} (${round1(section.perRequest.mean)} per request, p95 ${section.perRequest.p95}, max ${section.perRequest.max})`;
  }
  out.push(heading);
  out.push(
    textTable(
      ['total ms', 'calls', 'p50 ms', 'p95 ms', 'max ms', 'wait p95 ms', 'rows', 'calling line', 'statement'],
      section.queries.slice(0, top).map((q) => [ms(q.totalMs), String(q.calls), ms(q.p50Ms), ms(q.p95Ms), ms(q.maxMs), ms(q.wait.p95Ms), String(q.rows), where(q.site), truncate(q.text, STATEMENT_CHARS)]),
      'rrrrrrrll',
    ),
  );

  const repeated = section.queries.filter((q) => q.nPlusOne);
  if (repeated.length > 0) {
    out.push('', 'N+1 queries');
    for (const q of repeated) {
      const n = q.nPlusOne!;
      let line = `  - ${where(q.site)}: ${truncate(q.text, STATEMENT_CHARS)} sent ${n.perRequest} times per request`;
      if (n.perRequestMedian !== n.perRequest) line += ` (median ${n.perRequestMedian})`;
      line += ` in ${n.requests} of ${count(n.ofRequests, `${n.endpoint} request`)}, ${formatMs(n.msPerRequest)} per request`;
      if (n.after) line += `, after ${truncate(n.after, STATEMENT_CHARS)}`;
      out.push(line);
    }
  }

  const explained = section.queries.filter((q) => q.explain || q.explainError);
  if (explained.length > 0) {
    out.push('', 'Explain (slow SELECTs)');
    for (const q of explained) {
      out.push(`  - ${where(q.site)}: ${truncate(q.text, STATEMENT_CHARS)}`);
      if (q.explainError) out.push(`      ${q.explainError}`);
      for (const problem of q.explain?.problems ?? []) out.push(`      ${problem.message}`);
      for (const index of q.explain?.suggestions ?? []) out.push(`      ${index.reason.replace(/[.:]$/, '')}:`, ...index.sql.map((sql) => `        ${sql}`));
      if (q.explain && !q.explain.problems.length && !q.explain.suggestions.length) out.push(`      the plan shows no problem PerfLens knows (costliest node: ${q.explain.costliest[0]?.nodeType ?? 'none'})`);
    }
  }

  if (section.pools.length > 0) {
    out.push('', 'Pools');
    for (const pool of section.pools) out.push(`  - ${pool.name} (max ${pool.max}): ${pool.verdict}`);
  }

  if (section.leaks.length > 0) {
    out.push('', 'Connections checked out and not released');
    for (const leak of section.leaks) {
      const parts = [`held ${formatMs(leak.heldMs)}`, leak.releasedAfterAll ? 'released after all' : 'still out'];
      if (leak.transactionStatus) parts.push(leak.transactionStatus);
      let line = `  - ${where(leak.site)}${leak.endpoint ? ` (${leak.endpoint})` : ''} from ${leak.pool}: ${parts.join(', ')}`;
      if (leak.lastStatement) line += `; last statement: ${truncate(leak.lastStatement, STATEMENT_CHARS)}`;
      out.push(line);
    }
  }

  if (section.warnings.length > 0) {
    out.push('', 'Warnings');
    for (const warning of section.warnings) out.push(`  - ${warning}`);
  }
  return out.join('\n');
}

/** At most `max` characters, "…" at the cut. */
function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function ms(value: number): string {
  return value.toFixed(1);
}

function round1(value: number): string {
  return String(Math.round(value * 10) / 10);
}
