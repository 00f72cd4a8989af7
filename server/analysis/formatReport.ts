import { describeFailures } from '../load/describeFailures';
import type { LoadSummary } from '../load/loadTypes';
import type { ProfileReport } from './reportTypes';
import { textTable } from './textTable';

export interface FormatReportOptions {
  /** Paths inside this folder are shown relative to it. */
  cwd: string;
  /** Rows per table (default 15). */
  top?: number;
}

/** The report as plain-text tables for a terminal: a header, top functions, top lines, warnings. */
export function formatReportTables(report: ProfileReport, options: FormatReportOptions): string {
  const top = options.top ?? 15;
  const where = (file: string, line: number) => (file ? `${relativeTo(file, options.cwd)}:${line}` : '');
  const { profile } = report;
  const out: string[] = [];
  out.push(`CPU profile of ${report.target}`);
  out.push(`Duration ${ms(profile.durationMs)} ms, ${profile.samples} samples, interval ${Math.round(profile.samplingIntervalUs)} µs, idle ${pct(profile.idleShare)} %`);
  if (report.load) out.push(loadLine(report.load));
  if (profile.cpuBusyShare !== undefined) out.push(`CPU busy ${pct(profile.cpuBusyShare)} % of the load's wall time (the service's own CPU time)`);
  out.push('', report.summary.headline);
  const groups = report.summary.groups.slice(0, 6).map((g) => `${g.name} ${pct(g.selfShare)} %`);
  if (groups.length) out.push(`Self time by origin: ${groups.join(', ')}`);

  out.push('', 'Top functions by self time');
  out.push(
    textTable(
      ['self ms', 'self %', 'total ms', 'total %', 'samples', 'function', 'location'],
      report.functions.slice(0, top).map((f) => [ms(f.selfMs), pct(f.selfShare), ms(f.totalMs), pct(f.totalShare), String(f.samples), f.name, where(f.file, f.line)]),
      'rrrrrll',
    ),
  );

  out.push('', 'Top lines by self time');
  out.push(
    textTable(
      ['self ms', 'self %', 'samples', 'location', 'function'],
      report.lines.slice(0, top).map((l) => [ms(l.selfMs), pct(l.selfShare), String(l.samples), where(l.file, l.line) + (l.approximated ? ' (approx.)' : ''), l.functionName]),
      'rrrll',
    ),
  );

  if (report.warnings.length > 0) {
    out.push('', 'Warnings');
    for (const warning of report.warnings) out.push(`  - ${warning}`);
  }
  return out.join('\n');
}

function loadLine(load: LoadSummary): string {
  const { latency, errors } = load;
  let line = `Load ${load.method} ${load.url}: ${load.requests} requests, ${load.rps.toFixed(1)} req/s, latency p50 ${ms(latency.p50)} ms, p95 ${ms(latency.p95)} ms, p99 ${ms(latency.p99)} ms, max ${ms(latency.max)} ms`;
  if (errors.failed > 0) line += `; ${errors.failed} failed (${describeFailures(errors)})`;
  if (load.stoppedEarly) line += ' (stopped early)';
  return line;
}

function ms(value: number): string {
  return value.toFixed(1);
}

function pct(share: number): string {
  return (share * 100).toFixed(1);
}

/** `cwd/a/b.ts` → `a/b.ts`; paths outside cwd (and URLs) stay as they are. */
export function relativeTo(file: string, cwd: string): string {
  const base = cwd.replace(/[\\/]+$/, '');
  if (base && (file.startsWith(`${base}/`) || file.startsWith(`${base}\\`))) return file.slice(base.length + 1);
  return file;
}
