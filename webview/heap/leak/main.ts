/// <reference lib="dom" />
// Runs inside the leak report panel (Find Leak, and Compare Heap Snapshots): the headline, the
// loads, then each suspect group by retained size (count, retained, growth per request), its
// retainer path from a GC root written out step by step, and its allocating lines as links that
// open the TypeScript line; the groups that settled (filled once); the snapshots (open in the
// summary editor) and the allocations in the flame graph. A diff of snapshot files has no load,
// growth per request or allocating lines: it shows what it has.
import type { HeapDiff, HeapLeakReport, LeakSuspectGroup } from '../../../server/heap/heapTypes';
import { diffHeadline } from '../../../server/heap/leakHeadline';
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

function render(report: HeapLeakReport | HeapDiff, roots: string[]): { groups: number; sites: number; steps: number } {
  const rel = (file: string) => relativePath(file, roots);
  const hunt = report.kind === 'heap-leak' ? report : undefined;
  const files = hunt ? hunt.files.snapshots : report.snapshots.map((s) => s.file ?? '');
  const three = report.snapshots.length === 3;
  const headline = hunt ? hunt.headline : diffHeadline(report);
  root.replaceChildren(el('h1', { text: hunt ? `Leak hunt: ${hunt.method} ${pathOf(hunt.url)}` : `Heap diff: ${files.map((f) => rel(f).split('/').pop()).join(' → ')}` }), el('div', { className: `headline${report.suspects.length ? ' warn' : ''}`, text: headline }));
  const loads = (hunt?.loads ?? []).map((l, i) => `load ${i + 1}: ${formatCount(l.requests)} requests in ${(l.durationMs / 1000).toFixed(1)} s`);
  const last = three ? 'the third snapshot' : 'the second';
  const allocated = hunt ? 'allocated over the first load' : three ? 'new in the second snapshot' : 'new since the first';
  root.append(
    el('div', { className: 'figures' }, ...[`${formatBytes(report.totals.retainedSize)} retained in ${formatCount(report.totals.count)} objects`, growthText(hunt?.growthPerRequest) ?? '', ...loads, `${formatCount(report.allocatedCount)} ${allocated}, ${formatCount(report.survivingCount)} still alive at ${last}`].filter(Boolean).map((t) => el('span', { text: t }))),
    el('div', { className: 'muted', text: hunt ? `${hunt.target} · objects allocated between the first and second snapshot and still alive at the third (memlab's method), grouped by constructor and retainer path.` : three ? "Objects new in the second snapshot and still alive in the third (memlab's method), by V8's object ids, grouped by constructor and retainer path." : 'Objects new since the first snapshot and alive in the second, by V8\'s object ids, grouped by constructor and retainer path. A third snapshot, after the same work again, tells a leak from a cache that filled up.' }),
  );
  if (hunt?.gate) root.append(el('div', { className: hunt.gate.breached ? 'failure' : 'ok', text: `${hunt.gate.breached ? 'Over' : 'Within'} the limit of ${formatBytes(hunt.gate.limitPerRequest)} per request.` }));
  for (const w of report.warnings) root.append(el('div', { className: 'warning', text: w }));

  const actions = el('div', { className: 'toolbar' });
  if (hunt?.files.speedscope) actions.append(button('Open allocations in flame graph', () => vscode.postMessage({ type: 'openFlameGraph' })));
  root.append(actions);

  root.append(el('h2', { text: report.suspects.length ? `Suspects (${report.suspects.length})` : 'Suspects' }));
  if (!report.suspects.length) root.append(el('div', { className: 'muted', text: hunt ? 'None: nothing allocated during the first load was still alive at the third snapshot (noise left out). No leak on this endpoint under this load.' : `None: nothing ${allocated} was still alive at ${last} (noise left out).` }));
  let sites = 0;
  let steps = 0;
  for (const [i, group] of report.suspects.entries()) {
    const section = groupSection(group, i, rel, hunt !== undefined);
    sites += group.allocatedAt?.length ?? 0;
    steps += group.path.length;
    root.append(section);
  }

  const settled = report.settled ?? [];
  if (settled.length) {
    root.append(el('h2', { text: `Settled (${settled.length})` }), el('div', { className: 'muted', text: `Grew ${hunt ? 'over the first load but not over the second' : 'between the first two snapshots but not again by the third'}: a pool or a cache that filled up once. Left out of the suspects and the totals.` }));
    root.append(el('ul', { className: 'settled' }, ...settled.map((g) => el('li', {}, el('code', { text: g.name }), el('span', { className: 'muted', text: ` · ${objectsText(g.count, g.name)}, ${formatBytes(g.retainedSize)} retained · ${g.pathText}` })))));
  }

  root.append(el('h2', { text: 'Snapshots' }));
  const labels = hunt ? ['before the load', 'after the first load', 'after the second load'] : ['the baseline', three ? 'the target' : 'the last', 'the last'];
  root.append(
    el('ol', { className: 'files' }, ...files.map((file, i) => {
      const facts = report.snapshots[i];
      const size = facts ? ` · ${formatBytes(facts.fileSize)}${facts.totalSize ? `, ${formatBytes(facts.totalSize)} of objects` : ''}` : '';
      return el('li', {}, file ? linkButton(rel(file), () => vscode.postMessage({ type: 'openSnapshot', file }), 'Open its summary') : el('span', { text: `snapshot ${i + 1}` }), el('span', { className: 'muted', text: ` · ${labels[i] ?? ''}${size}` }));
    })),
  );
  if (hunt?.files.heapProfile) root.append(el('div', { className: 'muted', text: `Sampling heap profile: ${rel(hunt.files.heapProfile)} (opens in Chrome DevTools' Memory tab too)` }));
  return { groups: report.suspects.length, sites, steps };
}

function groupSection(group: LeakSuspectGroup, index: number, rel: (file: string) => string, sampled: boolean): HTMLElement {
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
  if (!allocated.length) section.append(el('div', { className: 'muted', text: sampled ? 'Not known: the sampling heap profile saw no allocation of these objects.' : 'Not known: snapshots alone do not say where objects were allocated. Find Leak samples allocations during its load and names the lines.' }));
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
