/// <reference lib="dom" />
// Runs inside the leak report panel (Find Leak): the headline, the loads, then each suspect group
// by retained size (count, retained, growth per request), its retainer path from a GC root written
// out step by step, and its allocating lines as links that open the TypeScript line; the groups
// that settled (filled once); the three snapshots (open in the summary editor) and the allocations
// in the flame graph.
import type { HeapLeakReport, LeakSuspectGroup } from '../../../server/heap/heapTypes';
import { formatBytes } from '../../../server/text/formatBytes';
import { formatCount, growthText, objectsText, stepText } from '../../../extension/heap/heapText';
import { el, linkButton, relativePath } from '../dom';
import type { FromLeakReport, ToLeakReport } from './messages';

declare function acquireVsCodeApi(): { postMessage(message: FromLeakReport): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('heap-root')!;

window.addEventListener('message', (event: MessageEvent<ToLeakReport>) => {
  const message = event.data;
  if (message?.type !== 'show') return;
  try {
    const counts = render(message.report, message.roots);
    root.dataset.state = 'shown';
    requestAnimationFrame(() => vscode.postMessage({ type: 'rendered', ...counts }));
  } catch (err) {
    vscode.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) });
  }
});
vscode.postMessage({ type: 'ready' });

function render(report: HeapLeakReport, roots: string[]): { groups: number; sites: number; steps: number } {
  const rel = (file: string) => relativePath(file, roots);
  root.replaceChildren(el('h1', { text: `Leak hunt: ${report.method} ${pathOf(report.url)}` }), el('div', { className: `headline${report.suspects.length ? ' warn' : ''}`, text: report.headline }));
  const loads = report.loads.map((l, i) => `load ${i + 1}: ${formatCount(l.requests)} requests in ${(l.durationMs / 1000).toFixed(1)} s`);
  root.append(
    el('div', { className: 'figures' }, ...[`${formatBytes(report.totals.retainedSize)} retained in ${formatCount(report.totals.count)} objects`, growthText(report.growthPerRequest) ?? '', ...loads, `${formatCount(report.allocatedCount)} allocated over the first load, ${formatCount(report.survivingCount)} still alive at the third snapshot`].filter(Boolean).map((t) => el('span', { text: t }))),
    el('div', { className: 'muted', text: `${report.target} · objects allocated between the first and second snapshot and still alive at the third (memlab's method), grouped by constructor and retainer path.` }),
  );
  if (report.gate) root.append(el('div', { className: report.gate.breached ? 'failure' : 'ok', text: `${report.gate.breached ? 'Over' : 'Within'} the limit of ${formatBytes(report.gate.limitPerRequest)} per request.` }));
  for (const w of report.warnings) root.append(el('div', { className: 'warning', text: w }));

  const actions = el('div', { className: 'toolbar' });
  if (report.files.speedscope) actions.append(button('Open allocations in flame graph', () => vscode.postMessage({ type: 'openFlameGraph' })));
  root.append(actions);

  root.append(el('h2', { text: report.suspects.length ? `Suspects (${report.suspects.length})` : 'Suspects' }));
  if (!report.suspects.length) root.append(el('div', { className: 'muted', text: 'None: nothing allocated during the first load was still alive at the third snapshot (noise left out). No leak on this endpoint under this load.' }));
  let sites = 0;
  let steps = 0;
  for (const [i, group] of report.suspects.entries()) {
    const section = groupSection(group, i, rel);
    sites += group.allocatedAt?.length ?? 0;
    steps += group.path.length;
    root.append(section);
  }

  const settled = report.settled ?? [];
  if (settled.length) {
    root.append(el('h2', { text: `Settled (${settled.length})` }), el('div', { className: 'muted', text: 'Grew over the first load but not over the second: a pool or a cache that filled up once. Left out of the suspects and the totals.' }));
    root.append(el('ul', { className: 'settled' }, ...settled.map((g) => el('li', {}, el('code', { text: g.name }), el('span', { className: 'muted', text: ` · ${objectsText(g.count, g.name)}, ${formatBytes(g.retainedSize)} retained · ${g.pathText}` })))));
  }

  root.append(el('h2', { text: 'Snapshots' }));
  root.append(
    el('ol', { className: 'files' }, ...report.files.snapshots.map((file, i) => {
      const facts = report.snapshots[i];
      return el('li', {}, linkButton(rel(file), () => vscode.postMessage({ type: 'openSnapshot', file }), 'Open its summary'), el('span', { className: 'muted', text: ` · ${['before the load', 'after the first load', 'after the second load'][i] ?? ''}${facts ? ` · ${formatBytes(facts.fileSize)}, ${formatBytes(facts.totalSize)} of objects` : ''}` }));
    })),
  );
  if (report.files.heapProfile) root.append(el('div', { className: 'muted', text: `Sampling heap profile: ${rel(report.files.heapProfile)} (opens in Chrome DevTools' Memory tab too)` }));
  return { groups: report.suspects.length, sites, steps };
}

function groupSection(group: LeakSuspectGroup, index: number, rel: (file: string) => string): HTMLElement {
  const growth = growthText(group.growthPerRequest);
  const section = el('section', { className: 'group' });
  section.dataset.name = group.name;
  section.append(
    el('h3', {}, el('span', { className: 'rank', text: `#${index + 1}` }), el('code', { text: group.name })),
    el('div', { className: 'figures' }, ...[objectsText(group.count, group.name), `${formatBytes(group.retainedSize)} retained`, `${formatBytes(group.selfSize)} shallow`, ...(growth ? [growth] : []), ...(group.laterCount !== undefined ? [`${formatCount(group.laterCount)} more over the second load`] : [])].map((t) => el('span', { text: t }))),
  );
  const path = el('ol', { className: 'path' });
  for (const step of group.path) {
    const li = el('li', {}, el('span', { text: stepText(step) }));
    if (step.edgeType) li.append(el('span', { className: 'muted', text: ` · ${step.edgeType}` }));
    path.append(li);
  }
  section.append(el('div', { className: 'label', text: 'Held from a GC root by' }), path, el('div', { className: 'muted path-text', text: group.pathText }));
  const allocated = group.allocatedAt ?? [];
  section.append(el('div', { className: 'label', text: 'Allocated at' }));
  if (!allocated.length) section.append(el('div', { className: 'muted', text: 'Not known: the sampling heap profile saw no allocation of these objects.' }));
  else
    section.append(
      el('ul', { className: 'sites' }, ...allocated.map((site) => {
        const where = `${rel(site.file)}:${site.line}`;
        const label = `${site.functionName || '(anonymous)'} (${where})`;
        const opens = site.origin !== 'node' && !site.file.startsWith('node:');
        return el('li', {}, opens ? linkButton(label, () => vscode.postMessage({ type: 'openSource', file: site.file, line: site.line, column: site.column }), `Open ${where}`) : el('span', { text: label }), el('span', { className: 'muted', text: ` · ${formatBytes(site.liveBytes)} sampled live, ${Math.round(site.share * 100)} %${site.origin === 'own' ? '' : site.package ? ` · ${site.package}` : ` · ${site.origin}`}` }));
      })),
    );
  if (group.examples.length) section.append(el('div', { className: 'muted', text: `For example ${group.examples.slice(0, 5).map((id) => `@${id}`).join(', ')} (DevTools' object ids: search them in the third snapshot).` }));
  return section;
}

function button(label: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { text: label });
  b.addEventListener('click', onClick);
  return b;
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}
