/// <reference lib="dom" />
// Runs inside the live vitals panel: charts sharing one time axis (event-loop delay with the blocks
// marked, ELU and CPU, GC pauses, memory, and a load run's latency and throughput with its phases),
// the recent blocks, the diagnosis with its actions, Pause/Resume, Export, and the banners (a stall,
// the end of the watch). Drawn with uPlot in VS Code's theme colours; redrawn when the theme changes.
import uPlot from 'uplot';
import { drawStartMark } from '../shared/startMark';
import type { GcPause, LiveBlock } from '../../server/vitals/vitalsTypes';
import { chartData, type ChartData } from './chartData';
import type { FromVitals, ToVitals } from './messages';
import { VitalsStore, type PhaseMark } from './vitalsStore';
import { blockText, blockWhere, endedText, formatClock, nowLine, stallText, statusLine } from './vitalsText';

declare function acquireVsCodeApi(): { postMessage(message: FromVitals): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('vitals-root')!;
const RECENT_BLOCKS = 30;

let store = new VitalsStore();
let title = 'Live vitals';
let paused = false;
/** Samples received when the charts were last drawn. */
let drawnSamples = 0;
let drawQueued = false;
/** Answers to actions without a button behind them yet, by rule. */
let charts: Charts | undefined;
let lastDiagnosis = '';
let lastBlocks = '';

window.addEventListener('message', (event: MessageEvent<ToVitals>) => {
  const message = event.data;
  try {
    if (message?.type === 'snapshot') {
      store = new VitalsStore(message.snapshot);
      title = message.title;
      lastDiagnosis = lastBlocks = '';
      build();
      draw(true);
      requestAnimationFrame(() => vscode.postMessage({ type: 'rendered', samples: store.view.received, blocks: store.view.blocks.length, charts: charts?.all.length ?? 0 }));
    } else if (message?.type === 'update') {
      if (store.apply(message.update)) queueDraw();
    }
  } catch (err) {
    vscode.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) });
  }
});
window.addEventListener('resize', () => {
  for (const chart of charts?.all ?? []) chart.setSize({ width: chartWidth(), height: chart.height });
});
// VS Code swaps the body's theme class and its --vscode-* variables: the canvases take their colours anew.
new MutationObserver(() => {
  if (!charts) return;
  build();
  draw(true);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });
vscode.postMessage({ type: 'ready' });

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { id?: string; className?: string; text?: string } = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.id) node.id = props.id;
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  node.append(...children);
  return node;
}

const byId = (id: string) => document.getElementById(id)!;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function chartWidth(): number {
  return Math.max(320, document.body.clientWidth - 40);
}

function queueDraw(): void {
  updateCounters();
  renderBanners();
  if (paused || drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    draw(false);
  });
}

/** The page's frame: header, toolbar, banners, chart sections, lists. Charts are created afresh. */
function build(): void {
  for (const chart of charts?.all ?? []) chart.destroy();
  root.replaceChildren();
  const pause = el('button', { id: 'vitals-pause', text: paused ? 'Resume' : 'Pause' });
  pause.title = 'Freeze the drawing; what arrives meanwhile is kept and drawn on Resume';
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    root.dataset.paused = String(paused);
    if (!paused) draw(false);
    updateCounters();
  });
  const exportButton = el('button', { id: 'vitals-export', text: 'Export…' });
  exportButton.title = 'Save everything this panel keeps (the last five minutes) as JSON';
  exportButton.addEventListener('click', () => vscode.postMessage({ type: 'export' }));
  root.append(
    el('h1', { text: title }),
    el('div', { id: 'vitals-status', className: 'muted' }),
    el('div', { className: 'toolbar' }, pause, exportButton, el('span', { id: 'vitals-paused', className: 'muted' }), el('span', { id: 'vitals-now', className: 'figures' })),
    el('div', { id: 'vitals-warnings' }),
    el('div', { id: 'vitals-banner-stall', className: 'banner stall' }),
    el('div', { id: 'vitals-banner-ended', className: 'banner ended' }),
    el('div', { id: 'vitals-waiting', className: 'muted waiting', text: 'Waiting for the first sample from the service…' }),
  );
  const section = (id: string, heading: string, note?: string) => {
    const box = el('div', { id: `chart-${id}`, className: 'chart' });
    const wrap = el('section', { id: `section-${id}`, className: 'chart-section' }, el('h2', { text: heading }), ...(note ? [el('div', { className: 'muted note', text: note })] : []), box);
    return { wrap, box };
  };
  const delay = section('delay', 'Event-loop delay', 'The blocks are marked ▼: click one to open its line.');
  const util = section('util', 'Event-loop utilisation and CPU');
  const gc = section('gc', 'GC pause per second, by kind', 'Dots: single pauses of 10 ms or more.');
  const memory = section('memory', 'Memory');
  const latency = section('latency', 'Load: latency', 'The run’s p99 so far, as its progress events carry it (no per-second p50 there).');
  const throughput = section('throughput', 'Load: throughput');
  const loadBox = el('div', { id: 'vitals-load' }, latency.wrap, throughput.wrap);
  // The diagnosis first (it says what to do), the charts, then the blocks they mark.
  root.append(el('h2', { text: 'Diagnosis' }), el('ul', { id: 'vitals-diagnosis', className: 'diagnosis-list' }));
  root.append(delay.wrap, util.wrap, gc.wrap, memory.wrap, loadBox);
  root.append(el('h2', { text: 'Recent blocks' }), el('ul', { id: 'vitals-blocks', className: 'block-list' }));
  charts = makeCharts({ delay: delay.box, util: util.box, gc: gc.box, memory: memory.box, latency: latency.box, throughput: throughput.box });
  root.dataset.paused = String(paused);
}

/** Draws what the store holds (unless paused and not forced). */
function draw(force: boolean): void {
  if (!charts || (paused && !force)) return;
  const data = chartData(store.snapshot());
  currentRange = data.range;
  charts.setData(data);
  drawnSamples = store.view.received;
  const info = store.info;
  byId('vitals-status').textContent = info ? `${info.target} · ${statusLine(info)}` : '';
  byId('vitals-warnings').replaceChildren(...(info?.status.missing ?? []).map((m) => el('div', { className: 'warning', text: `Not measured on this Node.js: ${m}` })));
  const last = store.view.samples[store.view.samples.length - 1];
  byId('vitals-now').textContent = last ? nowLine(last) : '';
  byId('vitals-load').hidden = store.view.load.length === 0;
  renderDiagnosis();
  renderBlocks();
  renderBanners();
  updateCounters();
}

function updateCounters(): void {
  const s = store.view;
  root.dataset.samples = String(s.received);
  root.dataset.drawnSamples = String(drawnSamples);
  root.dataset.blocks = String(s.blocks.length);
  root.dataset.state = s.ended ? 'ended' : s.received === 0 ? 'waiting' : 'live';
  const waiting = document.getElementById('vitals-waiting');
  if (waiting) waiting.hidden = s.received > 0 || s.ended !== undefined;
  const pausedNote = document.getElementById('vitals-paused');
  if (pausedNote) pausedNote.textContent = paused ? `Paused · ${s.received - drawnSamples} new sample${s.received - drawnSamples === 1 ? '' : 's'} kept` : '';
}

function renderBanners(): void {
  const s = store.view;
  const roots = s.info?.roots ?? [];
  const stall = document.getElementById('vitals-banner-stall');
  if (stall) {
    stall.hidden = !s.stall;
    stall.replaceChildren();
    if (s.stall) {
      stall.append(el('span', { text: stallText(s.stall, roots) }));
      const where = s.stall.where;
      if (where && blockWhere(where, roots)) stall.append(' ', openLink('Open', where.file, where.line, where.column));
    }
  }
  const ended = document.getElementById('vitals-banner-ended');
  if (ended) {
    ended.hidden = !s.ended;
    ended.textContent = s.ended ? endedText(s.ended.reason) : '';
  }
}

function openLink(text: string, file: string, line: number, column?: number): HTMLButtonElement {
  const button = el('button', { className: 'link', text });
  button.addEventListener('click', () => vscode.postMessage({ type: 'open', file, line, column }));
  return button;
}

function renderDiagnosis(): void {
  const list = document.getElementById('vitals-diagnosis');
  if (!list) return;
  const diagnosis = store.view.diagnosis;
  const key = JSON.stringify([diagnosis, store.view.received > 0]);
  if (key === lastDiagnosis) return;
  lastDiagnosis = key;
  if (!diagnosis.length) {
    list.replaceChildren(el('li', { className: 'muted empty', text: store.view.received ? 'No finding: none of the rules (event-loop delay, GC, memory growth, CPU) fires on the samples kept.' : 'None yet.' }));
    return;
  }
  list.replaceChildren(
    ...diagnosis.map((d) => {
      const item = el('li', { className: `diagnosis ${d.rule}` }, el('div', { className: 'title', text: d.title }), el('div', { className: 'muted detail', text: d.detail }));
      item.dataset.rule = d.rule;
      const button = el('button', { className: 'action', text: d.action.label });
      button.dataset.kind = d.action.kind;
      button.addEventListener('click', () => vscode.postMessage({ type: 'action', rule: d.rule, action: d.action }));
      item.append(button);
      return item;
    }),
  );
}

function renderBlocks(): void {
  const list = document.getElementById('vitals-blocks');
  if (!list) return;
  const blocks = store.view.blocks;
  const key = `${blocks.length}:${blocks[blocks.length - 1]?.endWallMs ?? 0}`;
  if (key === lastBlocks) return;
  lastBlocks = key;
  const roots = store.info?.roots ?? [];
  if (!blocks.length) {
    list.replaceChildren(el('li', { className: 'muted empty', text: `No block of ${store.info ? `${store.info.blockThresholdMs} ms` : 'the threshold'} or more yet.` }));
    return;
  }
  list.replaceChildren(
    ...blocks
      .slice(-RECENT_BLOCKS)
      .reverse()
      .map((b) => {
        const item = el('li', { className: `block${b.located ? ' located' : ''}` }, el('span', { className: 'muted clock', text: formatClock(b.endWallMs) }), ' ');
        item.dataset.file = b.file;
        item.dataset.line = String(b.line);
        if (blockWhere(b, roots)) {
          const link = openLink(blockText(b, roots), b.file, b.line, b.column);
          link.classList.add('block-open');
          item.append(link);
        } else item.append(el('span', { text: blockText(b, roots) }));
        return item;
      }),
  );
}

// ---- charts ----

/** The x range every chart shows (seconds), set before each setData. */
let currentRange: [number, number] = [0, 1];

interface Charts {
  all: uPlot[];
  setData(data: ChartData): void;
}

interface Colors {
  fg: string;
  grid: string;
  blue: string;
  red: string;
  green: string;
  orange: string;
  purple: string;
  yellow: string;
}

function colors(): Colors {
  return {
    fg: cssVar('--vscode-foreground', '#ccc'),
    grid: cssVar('--vscode-panel-border', 'rgba(128,128,128,0.25)'),
    blue: cssVar('--vscode-charts-blue', '#3794ff'),
    red: cssVar('--vscode-charts-red', '#f14c4c'),
    green: cssVar('--vscode-charts-green', '#89d185'),
    orange: cssVar('--vscode-charts-orange', '#d18616'),
    purple: cssVar('--vscode-charts-purple', '#b180d7'),
    yellow: cssVar('--vscode-charts-yellow', '#cca700'),
  };
}

const GC_KINDS: Array<GcPause['kind']> = ['minor', 'major', 'incremental', 'weakcb', 'other'];

function makeCharts(boxes: Record<'delay' | 'util' | 'gc' | 'memory' | 'latency' | 'throughput', HTMLElement>): Charts {
  const c = colors();
  const gcColor: Record<GcPause['kind'], string> = { minor: c.blue, major: c.red, incremental: c.orange, weakcb: c.purple, other: c.fg };
  const axes = (unit: string): uPlot.Axis[] => [
    { stroke: c.fg, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } },
    { stroke: c.fg, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 }, label: unit, size: 60 },
  ];
  const value = (digits: number) => (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : v.toFixed(digits));
  const line = (label: string, stroke: string, digits = 1, width = 2): uPlot.Series => ({ label, stroke, width, value: value(digits), spanGaps: false, points: { show: false } });
  const base = (height: number, unit: string, series: uPlot.Series[], plugins: uPlot.Plugin[] = []): uPlot.Options => ({
    width: chartWidth(),
    height,
    scales: { x: { time: true, range: () => currentRange }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: axes(unit),
    cursor: { sync: { key: 'perflens-vitals' }, drag: { x: false, y: false } },
    series: [{ label: 'time', value: (_u, v) => (v === null || v === undefined ? '—' : formatClock(v * 1000)) }, ...series],
    plugins: [phaseMarks(c.fg), ...plugins],
  });
  const delay = new uPlot(
    base(220, 'ms', [line('p50 (ms)', c.blue), line('p99 (ms)', c.orange), line('max (ms)', c.red, 1, 1)], [blockMarks(c.red)]),
    [[], [], [], []],
    boxes.delay,
  );
  const util = new uPlot(base(170, '%', [line('ELU (%)', c.green), line('CPU (% of a core)', c.purple)]), [[], [], []], boxes.util);
  const gc = new uPlot(
    base(170, 'ms / s', [line('minor', gcColor.minor, 1, 1.5), line('major', gcColor.major, 1, 1.5), line('incremental', gcColor.incremental, 1, 1.5), line('weakcb', gcColor.weakcb, 1, 1.5)], [gcPauseMarks(gcColor)]),
    [[], [], [], [], []],
    boxes.gc,
  );
  const memory = new uPlot(base(190, 'MB', [line('heap used', c.blue, 1), line('heap total', c.green, 1, 1), line('RSS', c.orange, 1), line('external', c.purple, 1, 1)]), [[], [], [], [], []], boxes.memory);
  const latencySeries = (hasP50: boolean) => [line('p99 so far (ms)', c.red), ...(hasP50 ? [line('p50 (ms)', c.blue)] : [])];
  let latencyHasP50 = false;
  let latency = new uPlot(base(190, 'ms', latencySeries(false)), [[], []], boxes.latency);
  const throughput = new uPlot(base(170, 'req/s', [line('requests/s', c.green, 0), line('failed/s', c.orange, 1, 1)]), [[], [], []], boxes.throughput);
  const all = [delay, util, gc, memory, latency, throughput];
  return {
    all,
    setData(data) {
      delay.setData(data.delay);
      util.setData(data.util);
      gc.setData(data.gc);
      memory.setData(data.memory);
      if (data.hasP50 !== latencyHasP50) {
        // A p50 turned up: the chart gets its series (uPlot's series are fixed at creation).
        latencyHasP50 = data.hasP50;
        latency.destroy();
        latency = new uPlot(base(190, 'ms', latencySeries(data.hasP50)), data.latency, boxes.latency);
        all[4] = latency;
      } else latency.setData(data.latency);
      throughput.setData(data.throughput);
    },
  };
  function gcPauseMarks(kindColor: Record<GcPause['kind'], string>): uPlot.Plugin {
    return {
      hooks: {
        draw: [
          (u: uPlot) => {
            const { ctx } = u;
            ctx.save();
            for (const p of store.view.gcPauses) {
              const x = u.valToPos(p.wallMs / 1000, 'x', true);
              const y = u.valToPos(p.ms, 'y', true);
              if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
              ctx.fillStyle = kindColor[GC_KINDS.includes(p.kind) ? p.kind : 'other'];
              ctx.beginPath();
              ctx.arc(x, Math.max(u.bbox.top + 4, y), 3.5 * uPlot.pxRatio, 0, 2 * Math.PI);
              ctx.fill();
            }
            ctx.restore();
          },
        ],
      },
    };
  }
}

/** The phases of a load run on every chart: a dashed line where each starts, and its name. */
function phaseMarks(fg: string): uPlot.Plugin {
  return {
    hooks: {
      drawClear: [
        (u: uPlot) => {
          const { ctx } = u;
          const { left, width } = u.bbox;
          ctx.save();
          store.view.marks.forEach((m: PhaseMark) => {
            const x = Math.round(u.valToPos(m.wallMs / 1000, 'x', true));
            if (x >= left && x <= left + width) drawStartMark(u, x, m.label, fg);
          });
          ctx.restore();
        },
      ],
    },
  };
}

/**
 * The blocks on the delay chart: a band over each block's time on the canvas, and a ▼ button at
 * its end over the plot that opens its line (a DOM element, so it can be clicked and tested).
 */
function blockMarks(red: string): uPlot.Plugin {
  let layer: HTMLDivElement | undefined;
  return {
    hooks: {
      drawClear: [
        (u: uPlot) => {
          const { ctx } = u;
          const { top, height, left, width } = u.bbox;
          ctx.save();
          ctx.fillStyle = red;
          ctx.globalAlpha = 0.25;
          for (const b of store.view.blocks) {
            const x1 = u.valToPos(b.endWallMs / 1000, 'x', true);
            const x0 = u.valToPos((b.endWallMs - b.ms) / 1000, 'x', true);
            if (x1 < left || x0 > left + width) continue;
            ctx.fillRect(Math.max(left, x0), top, Math.max(2 * uPlot.pxRatio, x1 - x0), height);
          }
          ctx.restore();
        },
      ],
      draw: [
        (u: uPlot) => {
          // Made on the first draw: uPlot's `ready` comes after it.
          if (!layer) u.over.append((layer = el('div', { className: 'block-markers' })));
          const roots = store.info?.roots ?? [];
          const width = u.over.clientWidth;
          const markers: HTMLElement[] = [];
          for (const b of store.view.blocks) {
            const x = u.valToPos(b.endWallMs / 1000, 'x');
            if (x < 0 || x > width) continue;
            markers.push(blockMarker(b, x, roots));
          }
          layer.replaceChildren(...markers);
        },
      ],
    },
  };
}

function blockMarker(b: LiveBlock, x: number, roots: string[]): HTMLElement {
  const where = blockWhere(b, roots);
  const marker = el('button', { className: `block-marker${where ? ' located' : ''}`, text: '▼' });
  marker.style.left = `${Math.round(x - 6)}px`;
  marker.title = `${formatClock(b.endWallMs)} · ${blockText(b, roots)}`;
  marker.dataset.file = b.file;
  marker.dataset.line = String(b.line);
  marker.dataset.ms = String(b.ms);
  if (where) marker.addEventListener('click', () => vscode.postMessage({ type: 'open', file: b.file, line: b.line, column: b.column }));
  else marker.disabled = true;
  // The cursor's own handlers on the plot must not see the press.
  marker.addEventListener('mousedown', (e) => e.stopPropagation());
  return marker;
}
