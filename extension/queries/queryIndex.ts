// Pure: a report's queries section indexed by source file and line, for the notes, hovers, the
// Queries view and the diagnostics. No vscode here.
import { fileURLToPath } from 'node:url';
import type { CallingLine, LeakedCheckout, PoolStat, QueriesSection, QueryStat } from '../../server/queries/queryReportTypes';
import { pathKey } from '../annotations/profileIndex';
import { formatQueryMs, leakSentence, nPlusOneSentence, queryNote, shortStatement } from './queryFormat';

/** A statement sent from one calling line. */
export interface SiteQuery {
  stat: QueryStat;
  site: CallingLine;
  /** Calls sent from this line (all of them unless the statement has other calling lines). */
  calls: number;
  /** True for the statement's main calling line (`stat.site`). */
  primary: boolean;
}

/** A line that sent statements: what its note says and what its hover lists. */
export interface QueryLine {
  /** As the report has it (a path; a file: URL turned into one). */
  file: string;
  /** 1-based. */
  line: number;
  /** Costliest (total time) first. */
  queries: SiteQuery[];
  note: string;
}

/** A problem for the Problems panel, at a line of the user's code. */
export interface QueryProblem {
  kind: 'n-plus-one' | 'pool-saturated' | 'leaked-checkout';
  severity: 'warning' | 'information';
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

/** A report's `file` as a path: file: URLs converted, anything else as it is. */
export function sitePath(file: string): string {
  if (!file.startsWith('file:')) return file;
  try {
    return fileURLToPath(file);
  } catch {
    return file;
  }
}

export class QueryIndex {
  private readonly byFile = new Map<string, Map<number, QueryLine>>();
  private readonly sorted: QueryStat[];

  /**
   * `explainable`: the service that ran these statements is still there to explain them (a profile
   * of the current target); a load test's service was stopped at its end.
   */
  constructor(
    readonly section: QueriesSection,
    readonly explainable = true,
  ) {
    this.sorted = [...section.queries].sort((a, b) => b.totalMs - a.totalMs);
    for (const stat of this.sorted) for (const site of sitesOf(stat)) this.add({ stat, site, calls: site.calls, primary: site.primary });
    for (const lines of this.byFile.values()) {
      for (const entry of lines.values()) {
        const [top, ...rest] = entry.queries;
        const note = queryNote(top.stat, top.stat.otherSites?.length ? top.calls : undefined);
        entry.note = rest.length ? `${note} · +${rest.length} more ${rest.length === 1 ? 'statement' : 'statements'}` : note;
      }
    }
  }

  /** The statements, by total time, highest first. */
  statements(): QueryStat[] {
    return this.sorted;
  }

  /** The statement of that normalised text, if the report has it. */
  find(text: string): QueryStat | undefined {
    return this.sorted.find((s) => s.text === text);
  }

  /** The lines of a file that sent statements, in line order. */
  linesIn(file: string): QueryLine[] {
    return [...(this.byFile.get(pathKey(file))?.values() ?? [])].sort((a, b) => a.line - b.line);
  }

  /** What was sent from that line (1-based), if anything. */
  at(file: string, line: number): QueryLine | undefined {
    return this.byFile.get(pathKey(file))?.get(line);
  }

  files(): string[] {
    return [...this.byFile.keys()];
  }

  /**
   * The problems to list in the Problems panel: each N+1 at its calling line; each leaked checkout
   * at its checkout line (Information when it came back after all, else Warning); a saturated pool
   * (which has no line of its own) at the calling line of the statement that waited longest for a
   * connection, or nowhere when none waited.
   */
  problems(): QueryProblem[] {
    const problems: QueryProblem[] = [];
    for (const stat of this.sorted) {
      if (!stat.nPlusOne) continue;
      problems.push({ kind: 'n-plus-one', severity: 'warning', ...at(stat.site), message: `${nPlusOneSentence(stat.nPlusOne)} Statement: ${shortStatement(stat.text, 100)}` });
    }
    for (const pool of this.section.pools) {
      if (!pool.saturated) continue;
      const waited = this.mostWaiting();
      if (waited) problems.push({ kind: 'pool-saturated', severity: 'warning', ...at(waited.site), message: poolMessage(pool, waited) });
    }
    for (const leak of this.section.leaks) problems.push(leakProblem(leak));
    return problems;
  }

  /** The statement that waited longest for a pool connection, in all (none if none waited). */
  mostWaiting(): QueryStat | undefined {
    let best: QueryStat | undefined;
    for (const stat of this.sorted) if (stat.wait.totalMs > 0 && (!best || stat.wait.totalMs > best.wait.totalMs)) best = stat;
    return best;
  }

  private add(entry: SiteQuery): void {
    const file = sitePath(entry.site.file);
    const key = pathKey(file);
    let lines = this.byFile.get(key);
    if (!lines) this.byFile.set(key, (lines = new Map()));
    const line = lines.get(entry.site.line);
    if (line) line.queries.push(entry);
    else lines.set(entry.site.line, { file, line: entry.site.line, queries: [entry], note: '' });
  }
}

/** A statement's calling lines with the calls from each, its main one first. */
export function sitesOf(stat: QueryStat): Array<CallingLine & { calls: number; primary: boolean }> {
  const others = stat.otherSites ?? [];
  const elsewhere = others.reduce((sum, s) => sum + s.calls, 0);
  return [{ ...stat.site, calls: Math.max(0, stat.calls - elsewhere), primary: true }, ...others.map((s) => ({ ...s, primary: false }))];
}

function at(site: CallingLine): { file: string; line: number; column: number } {
  return { file: sitePath(site.file), line: site.line, column: site.column };
}

function poolMessage(pool: PoolStat, waited: QueryStat): string {
  return `Pool ${pool.name} is saturated: ${pool.verdict}. This statement waited longest for a connection (p95 ${formatQueryMs(waited.wait.p95Ms)}, ${formatQueryMs(waited.wait.totalMs)} in all): ${shortStatement(waited.text, 80)}`;
}

function leakProblem(leak: LeakedCheckout): QueryProblem {
  return { kind: 'leaked-checkout', severity: leak.releasedAfterAll ? 'information' : 'warning', ...at(leak.site), message: leakSentence(leak) };
}
