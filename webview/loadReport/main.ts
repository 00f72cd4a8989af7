/// <reference lib="dom" />
// Runs inside the load-test report webview: draws the thresholds, the totals, and latency and
// throughput over time with uPlot (scenario phases marked), in VS Code's theme colours.
import uPlot from 'uplot';
import { drawStartMark } from '../shared/startMark';
import type { LoadTestReport } from '../../server/loadtest/loadTestReport';
import type { FromLoadReport, ToLoadReport } from './messages';
import { formatMs } from '../../server/text/formatMs';

declare function acquireVsCodeApi(): { postMessage(message: FromLoadReport): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;
const charts: uPlot[] = [];

window.addEventListener('message', (event: MessageEvent<ToLoadReport>) => {
  const message = event.data;
  if (message?.type !== 'show') return;
  try {
    render(message);
    // Let the browser lay out and paint the canvases before saying so.
    requestAnimationFrame(() => vscode.postMessage({ type: 'rendered', charts: charts.length, statements: document.querySelectorAll('#perflens-queries tr.statement').length }));
  } catch (err) {
    vscode.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) });
  }
});
window.addEventListener('resize', () => {
  for (const chart of charts) chart.setSize({ width: chartWidth(), height: chart.height });
});
vscode.postMessage({ type: 'ready' });

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { className?: string; text?: string } = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  node.append(...children);
  return node;
}

const ms = (value: number) => `${value.toFixed(value >= 100 ? 0 : 1)} ms`;

function render({ report, exitCode, title }: ToLoadReport): void {
  for (const chart of charts.splice(0)) chart.destroy();
  root.className = '';
  root.replaceChildren();
  const verdict = exitCode === 0 ? 'PASSED: every threshold holds' : exitCode === 105 ? 'CANCELLED: the figures cover what ran' : 'FAILED: a threshold was breached';
  root.append(
    el('h1', { text: `Load test ${title}` }),
    el('div', { className: `verdict ${exitCode === 0 ? 'pass' : 'fail'}`, text: verdict }),
    el('div', { className: 'muted', text: `${report.baseUrl} · ${(report.durationMs / 1000).toFixed(1)} s of ${(report.plannedMs / 1000).toFixed(1)} s planned${report.stopped?.by === 'threshold' ? ` · stopped early: ${report.stopped.threshold}` : ''}` }),
  );
  for (const warning of report.warnings ?? []) root.append(el('div', { className: 'warning', text: `⚠ ${warning}` }));
  if (report.profile) {
    const button = el('button', { text: 'Open CPU profile in flame graph' });
    button.addEventListener('click', () => vscode.postMessage({ type: 'openProfile' }));
    root.append(el('p', {}, button));
  }

  root.append(el('h2', { text: 'Thresholds' }));
  if (!report.thresholds.length) root.append(el('div', { className: 'muted', text: '(none)' }));
  else {
    const table = el('table', {}, el('tr', {}, el('th', { text: '' }), el('th', { text: 'Metric' }), el('th', { text: 'Threshold' }), el('th', { text: 'Observed' })));
    for (const t of report.thresholds) {
      const observed = t.message.startsWith(`${t.source}:`) ? t.message.slice(t.source.length + 1).replace(/\s*[✗✓]\s*$/u, '').trim() : t.observed === null ? 'no data' : String(t.observed);
      table.append(el('tr', {}, el('td', { className: t.ok ? 'ok' : 'bad', text: t.ok ? '✓' : '✗' }), el('td', {}, el('code', { text: t.key })), el('td', {}, el('code', { text: t.source })), el('td', { text: observed })));
    }
    root.append(table);
  }

  const t = report.totals;
  const l = t.latency;
  root.append(
    el('h2', { text: 'Totals' }),
    el(
      'div',
      { className: 'totals' },
      ...[`${t.requests} requests`, `${t.rps.toFixed(1)} req/s`, `${(t.failedRate * 100).toFixed(2)} % failed`, `avg ${ms(l.mean)}`, `med ${ms(l.p50)}`, `p95 ${ms(l.p95)}`, `p99 ${ms(l.p99)}`, `max ${ms(l.max)}`].map((text) => el('span', { text })),
    ),
  );

  if (report.queries) renderQueries(report.queries);

  const seconds = report.perSecond.map((s) => s.second);
  const fg = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-panel-border', 'rgba(128,128,128,0.25)');
  const blue = cssVar('--vscode-charts-blue', '#3794ff');
  const red = cssVar('--vscode-charts-red', '#f14c4c');
  const green = cssVar('--vscode-charts-green', '#89d185');
  const orange = cssVar('--vscode-charts-orange', '#d18616');
  const phases = phaseMarks(report, fg);
  const axes = (unit: string): uPlot.Axis[] => [
    { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, label: 'seconds', values: (_u, splits) => splits.map((v) => `${v}s`) },
    { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, label: unit, size: 60 },
  ];

  root.append(el('h2', { text: 'Latency over time' }));
  const latency = el('div', { className: 'chart' });
  root.append(latency);
  charts.push(
    new uPlot(
      {
        width: chartWidth(),
        height: 240,
        scales: { x: { time: false } },
        axes: axes('ms'),
        series: [{ label: 'second' }, { label: 'p50 (ms)', stroke: blue, width: 2, spanGaps: true }, { label: 'p99 (ms)', stroke: red, width: 2, spanGaps: true }],
        plugins: [phases],
      },
      [seconds, report.perSecond.map((s) => (s.requests ? s.p50 : null)), report.perSecond.map((s) => (s.requests ? s.p99 : null))],
      latency,
    ),
  );

  root.append(el('h2', { text: 'Throughput over time' }));
  const throughput = el('div', { className: 'chart' });
  root.append(throughput);
  charts.push(
    new uPlot(
      {
        width: chartWidth(),
        height: 200,
        scales: { x: { time: false } },
        axes: axes('req/s'),
        series: [{ label: 'second' }, { label: 'requests/s', stroke: green, width: 2 }, { label: 'errors/s', stroke: orange, width: 1 }],
        plugins: [phases],
      },
      [seconds, report.perSecond.map((s) => s.requests), report.perSecond.map((s) => s.errors)],
      throughput,
    ),
  );

  if (report.phases.length) {
    root.append(el('h2', { text: 'Phases' }));
    const table = el('table', {}, el('tr', {}, el('th', { text: 'Scenario' }), el('th', { text: 'Start' }), el('th', { text: 'Duration' }), el('th', { text: 'Requested' }), el('th', { text: 'Achieved' })));
    for (const p of report.phases) {
      table.append(el('tr', {}, el('td', { text: phaseName(p) }), el('td', { text: `${(p.startMs / 1000).toFixed(1)} s` }), el('td', { text: `${(p.durationMs / 1000).toFixed(1)} s` }), el('td', { text: p.requestedRate !== undefined ? `${p.requestedRate}/s` : '—' }), el('td', { text: `${p.achievedRps.toFixed(1)}/s` })));
    }
    root.append(table);
  }
}

/** What the service sent to PostgreSQL during the test: statements by total time, N+1s, pools, leaks. */
function renderQueries(section: NonNullable<LoadTestReport['queries']>): void {
  root.append(el('h2', { text: 'PostgreSQL' }));
  for (const warning of section.warnings) root.append(el('div', { className: 'warning', text: `⚠ ${warning}` }));
  if (section.perRequest.requests) root.append(el('div', { className: 'muted', text: `${section.perRequest.mean.toFixed(1)} queries per request (p95 ${section.perRequest.p95}, max ${section.perRequest.max}) over ${section.perRequest.requests} requests` }));
  if (section.queries.length) {
    const table = el('table', {}, el('tr', {}, ...['Statement', 'Calling line', 'Calls', 'Total', 'p95', 'Wait p95', 'N+1'].map((text) => el('th', { text }))));
    table.id = 'perflens-queries';
    for (const q of section.queries.slice(0, 15)) {
      const where = q.site.file ? `${q.site.file.split(/[\\/]/).pop()}:${q.site.line}` : '(no stack)';
      const text = q.text.length > 90 ? `${q.text.slice(0, 89)}…` : q.text;
      const nPlusOne = q.nPlusOne ? `${q.nPlusOne.perRequest} per request (${q.nPlusOne.endpoint})` : '';
      table.append(
        el('tr', { className: 'statement' }, el('td', {}, el('code', { text })), el('td', { text: where }), el('td', { text: String(q.calls) }), el('td', { text: formatMs(q.totalMs) }), el('td', { text: formatMs(q.p95Ms) }), el('td', { text: formatMs(q.wait.p95Ms) }), el('td', { className: q.nPlusOne ? 'bad' : '', text: nPlusOne })),
      );
    }
    root.append(table);
  }
  for (const pool of section.pools) root.append(el('div', { className: pool.saturated ? 'warning' : 'muted', text: `${pool.saturated ? '⚠ ' : ''}Pool ${pool.name} (max ${pool.max}): ${pool.verdict}` }));
  for (const leak of section.leaks) {
    const where = leak.site.file ? `${leak.site.file.split(/[\\/]/).pop()}:${leak.site.line}` : 'an unknown line';
    root.append(el('div', { className: 'warning', text: `⚠ A client checked out at ${where} ${leak.releasedAfterAll ? `was held ${formatMs(leak.heldMs)} before it was released` : `was not released (${formatMs(leak.heldMs)} and counting)`}` }));
  }
}

function phaseName(p: LoadTestReport['phases'][number]): string {
  return `${p.scenario}${p.step ? ` #${p.step}` : ''}`;
}

function chartWidth(): number {
  return Math.max(320, document.body.clientWidth - 40);
}

/** Alternate shaded bands for the phases, a line at each start, and its name at the top. */
function phaseMarks(report: LoadTestReport, fg: string): uPlot.Plugin {
  return {
    hooks: {
      drawClear: [
        (u: uPlot) => {
          const { ctx } = u;
          const { top, height } = u.bbox;
          ctx.save();
          report.phases.forEach((p, i) => {
            const x0 = Math.round(u.valToPos(p.startMs / 1000, 'x', true));
            const x1 = Math.round(u.valToPos((p.startMs + p.durationMs) / 1000, 'x', true));
            if (i % 2 === 0) {
              ctx.fillStyle = 'rgba(128,128,128,0.10)';
              ctx.fillRect(x0, top, Math.max(0, x1 - x0), height);
            }
            drawStartMark(u, x0, phaseName(p), fg);
          });
          ctx.restore();
        },
      ],
    },
  };
}
