/// <reference lib="dom" />
// Runs inside the heap snapshot editor (a *.heapsnapshot file): the file being read with the
// server's progress, then its summary: the snapshot's figures, objects by constructor (count,
// shallow and retained size; sortable), the largest objects with their retainer paths, and the
// duplicated strings; or, when the file cannot be read, what is wrong and what to do.
import type { HeapSummary } from '../../../server/heap/heapTypes';
import { formatBytes } from '../../../server/text/formatBytes';
import { formatCount, progressText, retainerLines } from '../../../extension/heap/heapText';
import { baseName, el, sortableTable } from '../dom';
import type { FromHeapSummary, ToHeapSummary } from './messages';

declare function acquireVsCodeApi(): { postMessage(message: FromHeapSummary): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('heap-root')!;
/** Rows shown before "Show all": a Node heap has a hundred constructors or more, most of them tiny. */
const CONSTRUCTOR_ROWS = 30;
const STRING_ROWS = 20;

window.addEventListener('message', (event: MessageEvent<ToHeapSummary>) => {
  const message = event.data;
  if (!message || !['loading', 'progress', 'summary', 'failed'].includes(message.type)) return;
  try {
    const counts = render(message);
    root.dataset.state = message.type;
    requestAnimationFrame(() => vscode.postMessage({ type: 'rendered', state: message.type, ...counts }));
  } catch (err) {
    vscode.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) });
  }
});
vscode.postMessage({ type: 'ready' });

type Counts = { constructors: number; largest: number; strings: number; names: string[]; code?: string };
const none: Counts = { constructors: 0, largest: 0, strings: 0, names: [] };

function render(message: ToHeapSummary): Counts {
  switch (message.type) {
    case 'loading':
      root.replaceChildren(el('h1', { text: baseName(message.file) }), el('div', { className: 'muted', text: `${formatBytes(message.fileSize)} · reading the snapshot…` }), progressBar(undefined));
      return none;
    case 'progress': {
      const bar = root.querySelector<HTMLProgressElement>('progress');
      if (bar) {
        if (message.fraction === undefined) bar.removeAttribute('value');
        else bar.value = message.fraction;
      }
      const line = root.querySelector('.progress-line');
      if (line) line.textContent = progressText({ operation: 'summary', message: message.message, ...(message.fraction !== undefined ? { fraction: message.fraction } : {}) });
      return none;
    }
    case 'failed': {
      const retry = el('button', { text: 'Try Again' });
      retry.addEventListener('click', () => vscode.postMessage({ type: 'retry' }));
      root.replaceChildren(
        el('h1', { text: baseName(message.file) }),
        el('div', { className: 'failure' }, el('div', { className: 'failure-title', text: `This snapshot could not be read (${message.code})` }), el('div', { text: message.message }), ...(message.advice ? [el('div', { className: 'muted advice', text: message.advice })] : [])),
        el('p', {}, retry),
      );
      return { ...none, code: message.code };
    }
    case 'summary':
      return renderSummary(message.file, message.summary);
  }
}

function progressBar(fraction: number | undefined): HTMLElement {
  const bar = el('progress');
  bar.max = 1;
  if (fraction !== undefined) bar.value = fraction;
  return el('div', { className: 'progress' }, bar, el('div', { className: 'progress-line muted' }));
}

function renderSummary(file: string, summary: HeapSummary): Counts {
  const s = summary.snapshot;
  root.replaceChildren(
    el('h1', { text: baseName(file) }),
    el('div', { className: 'figures' }, ...[`${formatBytes(s.totalSize)} of objects`, `${formatCount(s.nodeCount)} nodes`, `${formatCount(s.edgeCount)} edges`, `file ${formatBytes(s.fileSize)}`, `unreachable ${formatCount(summary.unreachable.count)} (${formatBytes(summary.unreachable.size)})`].map((t) => el('span', { text: t }))),
    el('div', { className: 'muted', text: 'Retained: what would be freed if the objects went (the dominator tree, as DevTools computes it). The same file opens in Chrome DevTools: Memory tab → Load.' }),
  );
  for (const w of summary.warnings) root.append(el('div', { className: 'warning', text: w }));

  root.append(el('h2', { text: `Constructors (${formatCount(summary.constructors.length)})` }));
  root.append(
    sortableTable(summary.constructors, [
      { title: 'Constructor', cell: (c) => el('code', { text: c.name }), key: (c) => c.name },
      { title: 'Count', cell: (c) => formatCount(c.count), key: (c) => c.count, numeric: true },
      { title: 'Shallow size', cell: (c) => formatBytes(c.selfSize), key: (c) => c.selfSize, numeric: true },
      { title: 'Retained size', cell: (c) => formatBytes(c.retainedSize), key: (c) => c.retainedSize, numeric: true },
      { title: '% of heap', cell: (c) => share(c.retainedSize, s.totalSize), key: (c) => c.retainedSize, numeric: true },
    ], { sorted: 3, className: 'constructors', limit: CONSTRUCTOR_ROWS }),
  );

  root.append(el('h2', { text: 'Largest objects' }));
  if (!summary.largest.length) root.append(el('div', { className: 'muted', text: 'None.' }));
  const list = el('ol', { className: 'largest' });
  for (const o of summary.largest) {
    const item = el('li', {}, el('div', {}, el('code', { text: o.name }), el('span', { className: 'muted', text: ` @${o.id} · ${o.type}` }), el('span', { className: 'figures', text: ` · retained ${formatBytes(o.retainedSize)} · shallow ${formatBytes(o.selfSize)}` })));
    if (o.path?.length) item.append(el('details', {}, el('summary', { text: `Retainer path (${o.path.length} ${o.path.length === 1 ? 'step' : 'steps'})` }), el('pre', { className: 'path', text: retainerLines(o.path).join('\n') })));
    list.append(item);
  }
  root.append(list);

  root.append(el('h2', { text: 'Duplicated strings' }));
  if (!summary.duplicateStrings.length) root.append(el('div', { className: 'muted', text: 'None.' }));
  else
    root.append(
      sortableTable(summary.duplicateStrings, [
        { title: 'Value', cell: (d) => el('code', { className: 'value', text: d.value.length > 120 ? `${d.value.slice(0, 120)}…` : d.value, title: d.value }), key: (d) => d.value },
        { title: 'Copies', cell: (d) => formatCount(d.count), key: (d) => d.count, numeric: true },
        { title: 'Total size', cell: (d) => formatBytes(d.totalSize), key: (d) => d.totalSize, numeric: true },
        { title: 'Wasted', cell: (d) => formatBytes(d.wastedSize), key: (d) => d.wastedSize, numeric: true },
      ], { sorted: 3, className: 'strings', limit: STRING_ROWS }),
    );
  const names = Array.from(root.querySelectorAll('table.constructors tbody tr td:first-child'), (td) => td.textContent ?? '').slice(0, 20);
  return { constructors: summary.constructors.length, largest: summary.largest.length, strings: summary.duplicateStrings.length, names };
}

function share(part: number, whole: number): string {
  if (!whole) return '';
  const p = (part / whole) * 100;
  if (p < 0.1) return '< 0.1 %';
  return `${p >= 10 ? Math.round(p) : p.toFixed(1)} %`;
}
