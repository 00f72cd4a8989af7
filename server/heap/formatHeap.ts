// Heap reports as terminal text: the summary of one snapshot (`perflens heap summary`) and the
// leak suspects of a diff (`perflens heap diff`, `perflens heap leak`), each group with its
// retainer path written out and the source lines that allocated it. Pure.
import { relativeTo } from '../analysis/formatReport';
import { textTable } from '../analysis/textTable';
import { formatBytes } from '../text/formatBytes';
import type { AllocationSite, HeapDiff, HeapSummary, LeakSuspectGroup, SnapshotFacts } from './heapTypes';
import { formatRetainerPath } from './retainerPaths';

export interface FormatHeapOptions {
  /** Rows shown per table (default 20). */
  top?: number;
  /** Paths inside this folder are shown relative to it. */
  cwd: string;
}

/** Longest string value shown in the duplicated strings table. */
const VALUE_WIDTH = 60;

/** Facts, constructors by retained size, the largest objects with their paths, duplicated strings, the unreachable part, warnings. */
export function formatHeapSummary(summary: HeapSummary, options: FormatHeapOptions): string {
  const top = options.top ?? 20;
  const out: string[] = [describeSnapshot(summary.snapshot, options.cwd)];

  out.push('', 'Constructors by retained size');
  out.push(
    textTable(
      ['retained', 'self', 'count', 'constructor'],
      summary.constructors.slice(0, top).map((c) => [formatBytes(c.retainedSize), formatBytes(c.selfSize), String(c.count), c.name]),
      'rrrl',
    ),
  );
  if (summary.constructors.length > top) out.push(`  … and ${count(summary.constructors.length - top, 'other constructor')}`);

  out.push('', 'Largest objects');
  out.push(
    textTable(
      ['retained', 'self', 'object', 'retainer path'],
      summary.largest.slice(0, top).map((o) => [formatBytes(o.retainedSize), formatBytes(o.selfSize), `${o.name} @${o.id}`, o.path ? formatRetainerPath(o.path) : '']),
      'rrll',
    ),
  );

  out.push('');
  if (summary.duplicateStrings.length === 0) out.push('No duplicated strings');
  else {
    out.push('Duplicated strings');
    out.push(
      textTable(
        ['wasted', 'total', 'copies', 'value'],
        summary.duplicateStrings.slice(0, top).map((d) => [formatBytes(d.wastedSize), formatBytes(d.totalSize), String(d.count), quote(d.value)]),
        'rrrl',
      ),
    );
  }
  if (summary.unreachable.count > 0) out.push('', `Unreachable from the root: ${count(summary.unreachable.count, 'node')}, ${formatBytes(summary.unreachable.size)}`);
  pushWarnings(out, summary.warnings);
  return out.join('\n');
}

/** The suspects table, then each group with its path and allocating lines, then warnings. */
export function formatHeapDiff(diff: HeapDiff, options: FormatHeapOptions): string {
  const top = options.top ?? 20;
  const { cwd } = options;
  const out: string[] = [];
  if (diff.snapshots.length > 0) out.push(`Snapshots: ${diff.snapshots.map((s) => describeFile(s, cwd)).join(' → ')}`);
  out.push(`New since the first snapshot: ${count(diff.allocatedCount, 'object')}; still alive in the last: ${diff.survivingCount}`);
  out.push('');
  if (diff.suspects.length === 0) out.push(diff.settled?.length ? 'No leak suspects: what stayed alive from the first load did not grow over the second' : 'No leak suspects: nothing new stayed alive outside the engine\'s own objects');
  else {
    out.push(`Leak suspects: ${count(diff.totals.count, 'object')} retaining ${formatBytes(diff.totals.retainedSize)}`);
    const perRequest = diff.suspects.some((g) => g.growthPerRequest !== undefined);
    const headers = ['#', 'retained', ...(perRequest ? ['per request'] : []), 'count', 'class', 'allocated at'];
    const rows = diff.suspects.slice(0, top).map((g, i) => [String(i + 1), formatBytes(g.retainedSize), ...(perRequest ? [g.growthPerRequest === undefined ? '' : formatBytes(g.growthPerRequest)] : []), String(g.count), g.name, firstSite(g, cwd)]);
    out.push(textTable(headers, rows, perRequest ? 'rrrrll' : 'rrrll'));
    diff.suspects.slice(0, top).forEach((g, i) => {
      out.push('', `${i + 1}. ${g.name} ×${g.count}, retaining ${formatBytes(g.retainedSize)} (self ${formatBytes(g.selfSize)}) · e.g. ${g.examples.map((id) => `@${id}`).join(' ')}`);
      out.push(`   held by: ${g.pathText}`);
      if (g.allocatedAt && g.allocatedAt.length > 0) {
        out.push(g.allocationMatch === 'load' ? '   allocated during the load (no sampled line constructs it):' : '   allocated at:');
        for (const site of g.allocatedAt.slice(0, 3)) out.push(`     ${sitePlace(site, cwd)} in ${site.functionName || '(anonymous)'} · ${formatBytes(site.liveBytes)} live (${Math.round(site.share * 100)}%)`);
      }
    });
  }
  pushWarnings(out, diff.warnings);
  return out.join('\n');
}

function describeSnapshot(s: SnapshotFacts, cwd: string): string {
  return `Heap snapshot ${describeFile(s, cwd)}: ${count(s.nodeCount, 'node')}, ${count(s.edgeCount, 'edge')}, ${formatBytes(s.totalSize)} of objects`;
}

function describeFile(s: SnapshotFacts, cwd: string): string {
  const size = formatBytes(s.fileSize);
  return s.file ? `${relativeTo(s.file, cwd)} (${size})` : `(${size})`;
}

function firstSite(group: LeakSuspectGroup, cwd: string): string {
  const site = group.allocatedAt?.[0];
  if (!site) return '';
  return group.allocationMatch === 'load' ? `during the load: ${sitePlace(site, cwd)}` : sitePlace(site, cwd);
}

function sitePlace(site: AllocationSite, cwd: string): string {
  return `${relativeTo(site.file, cwd)}:${site.line}`;
}

function quote(value: string): string {
  const flat = JSON.stringify(value);
  return flat.length > VALUE_WIDTH ? `${flat.slice(0, VALUE_WIDTH - 1)}…` : flat;
}

function pushWarnings(out: string[], warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  out.push('', 'Warnings');
  for (const warning of warnings) out.push(`  - ${warning}`);
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
