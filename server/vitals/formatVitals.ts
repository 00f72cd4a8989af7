// The vitals as text: one line a second for `perflens watch` (and one per block and stall), the
// block `perflens profile` and `perflens load` print after their tables, and the sentence the
// report's headline gains. Pure.
import { relativeTo } from '../analysis/formatReport';
import { textTable } from '../analysis/textTable';
import { formatBytes, formatMegabytes } from '../text/formatBytes';
import { formatMsShort } from '../text/formatMs';
import { describeBlockGroup, describePlace } from './describeBlock';
import { groupOrigin } from './groupBlocks';
import type { BlockGroup, LiveBlock, LiveStall, VitalsAction, VitalsSample, VitalsSection } from './vitalsTypes';

export interface LiveLineOptions {
  /** The time of day shown first (default: local HH:MM:SS). */
  clock?: (wallMs: number) => string;
  /** Paths inside this folder are shown relative to it. */
  cwd?: string;
}

/** `13:02:07  loop p50 0.1 · p99 2.3 · max 4 ms · ELU 34% · CPU 41% · GC 3 ms · heap 45/64 MB · RSS 120 MB · ext 2 MB` (ELU left out when not measured; GC is every kind's time in the interval). */
export function formatVitalsLine(sample: VitalsSample, options: LiveLineOptions = {}): string {
  const clock = options.clock ?? localClock;
  const { delay, memory, gc } = sample;
  const parts = [`loop p50 ${loopMs(delay.p50)} · p99 ${loopMs(delay.p99)} · max ${loopMs(delay.max)} ms`];
  if (sample.elu !== undefined) parts.push(`ELU ${percent(sample.elu)}`);
  parts.push(`CPU ${percent(sample.cpu)}`);
  parts.push(`GC ${loopMs(gc.minor + gc.major + gc.incremental + gc.weakcb)} ms`);
  parts.push(`heap ${formatMegabytes(memory.heapUsed)}/${formatMegabytes(memory.heapTotal)} MB`);
  parts.push(`RSS ${formatMegabytes(memory.rss)} MB`);
  parts.push(`ext ${formatMegabytes(memory.external)} MB`);
  return `${clock(sample.wallMs)}  ${parts.join(' · ')}`;
}

/** `13:02:09  blocked 212 ms in busyWait (src/routes/block.ts:12) · GET /block`; `… blocked 212 ms, not located`. */
export function formatLiveBlockLine(block: LiveBlock, options: LiveLineOptions = {}): string {
  const clock = options.clock ?? localClock;
  const cwd = options.cwd ?? '';
  let text = `blocked ${formatMsShort(block.ms)}`;
  if (!block.located) text += ', not located';
  else {
    text += ` in ${describePlace(block, cwd)}`;
    if (block.endpoint && block.endpoint !== block.function) text += ` · ${block.endpoint}`;
  }
  return `${clock(block.endWallMs)}  ${text}`;
}

/** `not answering for 12 s — in spin (src/x.ts:5)`; once it is over, `answering again after 12 s — it was in spin (…)`. */
export function formatLiveStallLine(stall: LiveStall, options: Pick<LiveLineOptions, 'cwd'> = {}): string {
  const where = stall.where?.located ? describePlace(stall.where, options.cwd ?? '') : undefined;
  if (stall.over) return `answering again after ${formatMsShort(stall.ms)}${where ? ` — it was in ${where}` : ''}`;
  return `not answering for ${formatMsShort(stall.ms)}${where ? ` — in ${where}` : ''}`;
}

export interface FormatVitalsOptions {
  /** Paths inside this folder are shown relative to it. */
  cwd: string;
  /** Block groups shown (default 10). */
  top?: number;
}

/** The summary lines, the block groups, the diagnosis with each next step, and the warnings. */
export function formatVitalsTable(section: VitalsSection, options: FormatVitalsOptions): string {
  const { cwd } = options;
  const top = options.top ?? 10;
  const { summary } = section;
  const out: string[] = [];
  out.push(`Vitals over ${formatMsShort(summary.seconds * 1000)} (Node ${section.status.node})`);
  let loop = `delay p50 ${formatMsShort(summary.delay.p50)} · p99 ${formatMsShort(summary.delay.p99)} · max ${formatMsShort(summary.delay.max)}`;
  if (summary.elu) loop += ` · ELU mean ${percent(summary.elu.mean)}, p50 ${percent(summary.elu.p50)}, max ${percent(summary.elu.max)}`;
  const gc = summary.gc;
  let heap = `${formatBytes(summary.memory.heapUsedStart)} → ${formatBytes(summary.memory.heapUsedEnd)} · max ${formatBytes(summary.memory.heapUsedMax)}`;
  const growth = summary.memory.heapFloorGrowthPerMinute;
  if (growth !== undefined) heap += ` · floor ${growth >= 0 ? '+' : ''}${formatBytes(growth)} a minute`;
  const rows: Array<[string, string]> = [
    ['event loop', loop],
    ['CPU', `mean ${percent(summary.cpu.mean)} · max ${percent(summary.cpu.max)}`],
    ['GC', `${formatMsShort(gc.totalMs)} in ${count(gc.count, 'collection')} · blocking up to ${formatMsShort(gc.maxPerSecondMs)} in one second · longest ${formatMsShort(gc.longestMs)}`],
    ['heap used', heap],
    ['RSS', `${formatBytes(summary.memory.rssStart)} → ${formatBytes(summary.memory.rssEnd)} · max ${formatBytes(summary.memory.rssMax)}`],
  ];
  if (section.status.missing.length > 0) rows.push(['not measured', section.status.missing.join('; ')]);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, text] of rows) out.push(`  ${label.padEnd(width)}  ${text}`);

  out.push('');
  const threshold = formatMsShort(section.blockThresholdMs);
  if (section.blocks.length === 0) out.push(`No block of ${threshold} or more`);
  else {
    out.push(`Blocks of ${threshold} or more: ${summary.blocks.count}, ${formatMsShort(summary.blocks.totalMs)} in all, longest ${formatMsShort(summary.blocks.longestMs)}`);
    out.push(
      textTable(
        ['total ms', 'blocks', 'median ms', 'max ms', 'function', 'location', 'endpoint', 'located by'],
        section.blocks.slice(0, top).map((g) => [ms(g.totalMs), String(g.count), ms(g.ms), ms(g.maxMs), functionCell(g), g.file ? `${relativeTo(g.file, cwd)}:${g.line}` : '', g.endpoint ?? '', g.located ? g.sources.join(', ') : 'not located']),
        'rrrrllll',
      ),
    );
    if (section.blocks.length > top) out.push(`  … and ${count(section.blocks.length - top, 'other place')}`);
  }

  out.push('');
  if (section.diagnosis.length === 0) out.push('Diagnosis: nothing crosses Clinic Doctor\'s thresholds, and the heap does not only grow');
  else {
    out.push('Diagnosis');
    for (const finding of section.diagnosis) {
      out.push(`  - ${finding.title}`);
      out.push(`    next step: ${actionText(finding.action, cwd)}`);
    }
  }

  if (section.warnings.length > 0) {
    out.push('', 'Warnings');
    for (const warning of section.warnings) out.push(`  - ${warning}`);
  }
  return out.join('\n');
}

/**
 * The sentence the report's headline gains when a block group is located in the user's or a
 * dependency's code: the first such group (longest total first), e.g. `GET /block blocked the
 * event loop for 212 ms in busyWait (src/routes/block.ts:12), 14 times.` Undefined otherwise.
 */
export function vitalsHeadline(section: VitalsSection, cwd: string): string | undefined {
  // A block in a dependency once or twice is most often its first call compiling or warming up:
  // listed in the section, not worth the headline.
  const worst = section.blocks.find((g) => {
    const origin = groupOrigin(g);
    return origin === 'own' || (origin === 'dependency' && g.count >= HEADLINE_DEPENDENCY_MIN_COUNT);
  });
  return worst ? describeBlockGroup(worst, cwd) : undefined;
}

/** A dependency's block makes the headline from this many on. */
export const HEADLINE_DEPENDENCY_MIN_COUNT = 3;

function functionCell(group: BlockGroup): string {
  return group.inside ? `${group.function} (in ${group.inside})` : group.function;
}

function actionText(action: VitalsAction, cwd: string): string {
  if ((action.kind === 'open-block' || action.kind === 'open-hottest') && action.file) return `${action.label} (${relativeTo(action.file, cwd)}:${action.line})`;
  return action.label;
}

/** Event-loop delays as the live line shows them: 0.1, 2.3, 4, 212. */
function loopMs(value: number): string {
  if (value >= 10) return String(Math.round(value));
  return String(Math.round(value * 10) / 10);
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function ms(value: number): string {
  return value.toFixed(1);
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function localClock(wallMs: number): string {
  const at = new Date(wallMs);
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
