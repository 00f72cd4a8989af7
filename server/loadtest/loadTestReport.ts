// Pure: what a load test found, as JSON (--summary-export), as a k6-like text summary, and as JUnit XML.
import type { LatencySummary, SecondStats } from '../load/loadTypes';
import { formatQueriesTable } from '../queries/formatQueries';
import { formatVitalsTable } from '../vitals/formatVitals';
import type { QueriesSection } from '../queries/queryReportTypes';
import type { VitalsSection } from '../vitals/vitalsTypes';
import { failedCount, issuedCount, type LoadMetrics, type TaggedRun } from './loadMetrics';
import type { LoadTestRun } from './runLoadTest';

export const LOAD_TEST_REPORT_VERSION = 1;

export interface CountsSummary {
  requests: number;
  /** Requests per second over the time the runs took. */
  rps: number;
  failed: number;
  failedRate: number;
  latency: LatencySummary & { min: number; p90: number };
  statusCodes: Record<string, number>;
  errorsByKind: Record<string, number>;
  timeouts: number;
}

export interface LoadTestReport {
  version: typeof LOAD_TEST_REPORT_VERSION;
  file: string;
  baseUrl: string;
  passed: boolean;
  stopped?: { by: 'signal' } | { by: 'threshold'; threshold: string };
  durationMs: number;
  plannedMs: number;
  totals: CountsSummary;
  /** `line`: where the threshold is written in the file (from 1), when known. */
  thresholds: Array<{ key: string; source: string; ok: boolean; observed: number | null; message: string; abortOnFail: boolean; line?: number }>;
  scenarios: Array<{ name: string } & CountsSummary>;
  requests: Array<{ name: string; method: string } & CountsSummary>;
  phases: Array<{ scenario: string; step?: number; startMs: number; durationMs: number; requestedRate?: number; achievedRps: number }>;
  /** One entry per second of the whole test, all requests together. */
  perSecond: SecondStats[];
  /** Set when a CPU profile was taken during the run. */
  profile?: { cpuprofile: string; speedscope: string };
  /**
   * What the service sent to PostgreSQL during the run (when PerfLens started it: target.command),
   * per statement; endpoints are the load-test requests' names when a request matched one.
   */
  queries?: QueriesSection;
  /** The service's vitals during the run and its blocks (when the file names `target.command`). */
  vitals?: VitalsSection;
  /** What the figures cannot be read without: phases whose requested rate was not reached (the service saturated), queries not captured. */
  warnings: string[];
}

/** A phase that achieved less than this share of its requested rate ran against a saturated service. */
export const SATURATED_BELOW = 0.95;

/** "ramp #3: requested 60/s, achieved 10.4/s (17 %): the service saturated…", for each such phase. */
export function saturationWarnings(phases: LoadTestReport['phases']): string[] {
  return phases
    .filter((p) => p.requestedRate !== undefined && p.requestedRate > 0 && p.achievedRps < SATURATED_BELOW * p.requestedRate)
    .map((p) => `${p.scenario}${p.step ? ` #${p.step}` : ''}: requested ${p.requestedRate}/s, achieved ${p.achievedRps.toFixed(1)}/s (${((p.achievedRps / p.requestedRate!) * 100).toFixed(0)} %): the service saturated, so its latencies are those of an overloaded service`);
}

export function buildLoadTestReport(run: LoadTestRun, context: { file: string; baseUrl: string; queries?: QueriesSection; vitals?: VitalsSection }): LoadTestReport {
  const { metrics } = run;
  const thresholds = run.thresholds.map((r) => ({
    key: r.threshold.key,
    source: r.threshold.source,
    ok: r.ok,
    observed: r.observed ?? null,
    message: r.message,
    abortOnFail: r.threshold.abortOnFail,
  }));
  const passed = run.stopped?.by !== 'signal' && run.thresholds.every((r) => r.ok);
  const phases = phasesOf(metrics.runs);
  return {
    version: LOAD_TEST_REPORT_VERSION,
    file: context.file,
    baseUrl: context.baseUrl,
    passed,
    ...(run.stopped && { stopped: run.stopped.by === 'signal' ? { by: 'signal' as const } : { by: 'threshold' as const, threshold: `${run.stopped.threshold.threshold.key}: ${run.stopped.threshold.threshold.source}` } }),
    durationMs: run.durationMs,
    plannedMs: run.plannedMs,
    totals: counts(metrics, metrics.runs),
    thresholds,
    scenarios: unique(metrics.runs.map((r) => r.scenario)).map((name) => ({ name, ...counts(metrics, metrics.matching({ scenario: name }), { scenario: name }) })),
    requests: unique(metrics.runs.map((r) => r.name)).map((name) => {
      const runs = metrics.matching({ name });
      return { name, method: runs[0].method, ...counts(metrics, runs, { name }) };
    }),
    phases,
    perSecond: timeline(metrics.runs),
    ...(context.queries && { queries: context.queries }),
    ...(context.vitals && { vitals: context.vitals }),
    warnings: [...saturationWarnings(phases), ...(run.queriesUnavailable ? [run.queriesUnavailable] : [])],
  };
}

function counts(metrics: LoadMetrics, runs: TaggedRun[], tags: Record<string, string> = {}): CountsSummary {
  const latency = metrics.latency(tags);
  const requests = sum(runs.map((r) => issuedCount(r.summary)));
  const failed = sum(runs.map((r) => failedCount(r.summary)));
  const statusCodes: Record<string, number> = {};
  const errorsByKind: Record<string, number> = {};
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.summary.errors.statusCodes)) statusCodes[k] = (statusCodes[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.summary.errors.byKind)) errorsByKind[k] = (errorsByKind[k] ?? 0) + v;
  }
  return {
    requests,
    rps: round2(metrics.requestRate(tags) ?? 0),
    failed,
    failedRate: requests ? failed / requests : 0,
    latency: { ...latency.summary(), min: latency.minMs() },
    statusCodes,
    errorsByKind,
    timeouts: sum(runs.map((r) => r.summary.errors.timeouts)),
  };
}

function phasesOf(runs: TaggedRun[]): LoadTestReport['phases'] {
  const byPhase = new Map<string, TaggedRun[]>();
  for (const r of runs) {
    const key = `${r.startMs}#${r.scenario}#${r.step ?? ''}`;
    if (!byPhase.has(key)) byPhase.set(key, []);
    byPhase.get(key)!.push(r);
  }
  return [...byPhase.values()]
    .map((group) => {
      const first = group[0];
      const durationMs = Math.max(...group.map((r) => r.summary.durationMs));
      const rates = group.map((r) => r.summary.rate);
      return {
        scenario: first.scenario,
        ...(first.step !== undefined && { step: first.step }),
        startMs: first.startMs,
        durationMs,
        ...(rates.every((r) => r !== undefined) && { requestedRate: sum(rates as number[]) }),
        achievedRps: round2(durationMs ? (sum(group.map((r) => issuedCount(r.summary))) * 1000) / durationMs : 0),
      };
    })
    .sort((a, b) => a.startMs - b.startMs);
}

/** The runs' per-second series laid on one timeline (by each phase's start), summed per second. */
function timeline(runs: TaggedRun[]): SecondStats[] {
  const seconds = new Map<number, SecondStats>();
  for (const r of runs) {
    const offset = Math.round(r.startMs / 1000);
    for (const s of r.summary.perSecond ?? []) {
      const at = offset + s.second;
      const cur = seconds.get(at) ?? { second: at, requests: 0, errors: 0, p50: 0, p99: 0 };
      cur.requests += s.requests;
      cur.errors += s.errors;
      cur.p50 = Math.max(cur.p50, s.p50);
      cur.p99 = Math.max(cur.p99, s.p99);
      seconds.set(at, cur);
    }
  }
  return [...seconds.values()].sort((a, b) => a.second - b.second);
}

/** The k6-like summary printed at the end of `perflens load`; `cwd` (paths under it shown relative) and `top` (statement rows, default 10) are for the queries table. */
export function formatLoadTestSummary(report: LoadTestReport, options: { cwd?: string; top?: number } = {}): string {
  const lines: string[] = [];
  const t = report.totals;
  lines.push(`Load test ${report.file} against ${report.baseUrl}: ${(report.durationMs / 1000).toFixed(1)} s of ${(report.plannedMs / 1000).toFixed(1)} s planned`);
  if (report.stopped?.by === 'signal') lines.push('  stopped by a signal before the end: the figures cover what ran');
  if (report.stopped?.by === 'threshold') lines.push(`  stopped early: ${report.stopped.threshold} failed and has abortOnFail`);
  lines.push('', 'Thresholds');
  if (!report.thresholds.length) lines.push('  (none)');
  for (const th of report.thresholds) lines.push(`  ${th.ok ? '✓' : '✗'} ${th.key.padEnd(36)} ${th.message.replace(/ [✓✗]$/, '')}`);
  lines.push('', 'Requests');
  lines.push(row('requests', `${t.requests}  ${t.rps.toFixed(1)}/s`));
  lines.push(row('failed', `${t.failed}  ${(t.failedRate * 100).toFixed(2)} %`));
  lines.push(row('latency', `avg=${ms(t.latency.mean)} min=${ms(t.latency.min)} med=${ms(t.latency.p50)} p(90)=${ms(t.latency.p90)} p(95)=${ms(t.latency.p95)} p(99)=${ms(t.latency.p99)} max=${ms(t.latency.max)}`));
  const statuses = Object.entries(t.statusCodes).map(([k, v]) => `${k}: ${v}`).join(', ');
  if (statuses) lines.push(row('status codes', statuses));
  const kinds = Object.entries(t.errorsByKind).map(([k, v]) => `${k}: ${v}`).join(', ');
  lines.push(row('errors', kinds ? `${kinds} (timeouts ${t.timeouts})` : 'none'));
  lines.push('', 'Scenarios');
  for (const s of report.scenarios) lines.push(row(s.name, `${s.requests} requests  ${s.rps.toFixed(1)}/s  p(95)=${ms(s.latency.p95)} p(99)=${ms(s.latency.p99)}  failed ${(s.failedRate * 100).toFixed(2)} %`));
  lines.push('', 'Phases');
  for (const p of report.phases) lines.push(row(`${p.scenario}${p.step ? ` #${p.step}` : ''}`, `${(p.durationMs / 1000).toFixed(1)} s  ${p.requestedRate !== undefined ? `requested ${p.requestedRate}/s, ` : ''}achieved ${p.achievedRps.toFixed(1)}/s`));
  if (report.queries) lines.push('', formatQueriesTable(report.queries, { cwd: options.cwd ?? '', top: options.top ?? 10 }));
  if (report.vitals) lines.push('', formatVitalsTable(report.vitals, { cwd: options.cwd ?? '', top: options.top ?? 10 }));
  if (report.warnings.length) {
    lines.push('', 'Warnings');
    for (const w of report.warnings) lines.push(`  ! ${w}`);
  }
  lines.push('', report.passed ? 'PASSED: every threshold holds.' : report.stopped?.by === 'signal' ? 'STOPPED before the end.' : 'FAILED: a threshold was breached.');
  return lines.join('\n');
}

/** JUnit XML for CI: one test case per threshold, failed when breached. */
export function toJUnit(report: LoadTestReport): string {
  const failures = report.thresholds.filter((t) => !t.ok).length;
  const cases = report.thresholds.map((t) => {
    const name = escapeXml(`${t.key}: ${t.source}`);
    const body = t.ok ? '' : `\n      <failure message="${escapeXml(t.message)}" type="ThresholdBreached">${escapeXml(`${t.key}: ${t.message}`)}</failure>\n    `;
    return `    <testcase classname="${escapeXml(`perflens.${report.file}`)}" name="${name}" time="${(report.durationMs / 1000).toFixed(3)}">${body}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${report.thresholds.length}" failures="${failures}">`,
    `  <testsuite name="${escapeXml(report.file)}" tests="${report.thresholds.length}" failures="${failures}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function failedThresholds(report: LoadTestReport): LoadTestReport['thresholds'] {
  return report.thresholds.filter((t) => !t.ok);
}

function row(label: string, value: string): string {
  return `  ${`${label} `.padEnd(24, '.')} ${value}`;
}

function ms(value: number): string {
  return `${value.toFixed(value >= 100 ? 0 : 1)}ms`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

