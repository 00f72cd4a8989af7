// What the vitals say is wrong, in plain words, each with its next step. Clinic Doctor's rules
// for the event-loop delay, GC and utilisation; PerfLens's own for a heap that only grows. Pure.
import { relativeTo } from '../analysis/formatReport';
import { formatBytes } from '../text/formatBytes';
import { formatMsShort } from '../text/formatMs';
import { describeBlockGroup } from './describeBlock';
import { groupOrigin } from './groupBlocks';
import { floorGrowthPerMinute, HEAP_FLOOR_MIN_SPAN_MS, heapFloors, type HeapFloor } from './heapFloors';
import { blockingGcPerSecond } from './summarizeVitals';
import type { BlockGroup, VitalsDiagnosis, VitalsSample, VitalsSummary } from './vitalsTypes';

/** Clinic Doctor (analyse-delay.js): the median event-loop delay at or above this, ms. */
export const DELAY_MEDIAN_MS = 10;
/** Clinic Doctor (analyse-delay.js): the max event-loop delay at or above this, ms. */
export const DELAY_MAX_MS = 100;
/** Clinic Doctor (analyse-memory.js): blocking GC (minor + major) in any one second at or above this, ms. */
export const GC_BLOCKING_MS_PER_SECOND = 100;
/** Clinic Doctor (analyse-loop-utilization.js): the median event-loop utilisation at or above this. */
export const ELU_CPU_BOUND = 0.95;
/** The cpu-bound rule wants at least this many samples with ELU (one busy second at start-up is not a finding). */
export const CPU_BOUND_MIN_SAMPLES = 5;
/** memory-growing: the run must be at least this long (the heap floors' own minimum), ms. */
export const MEMORY_MIN_SPAN_MS = HEAP_FLOOR_MIN_SPAN_MS;
/** memory-growing: at least this many windows, the floor rising in two thirds of the steps between them. */
export const MEMORY_MIN_WINDOWS = 4;
/** memory-growing: the floor must rise at least this much (bytes)… */
export const MEMORY_MIN_GROWTH_BYTES = 10 * 2 ** 20;
/** …and at least this share of the first floor. */
export const MEMORY_MIN_GROWTH_SHARE = 0.1;
/** memory-growing: at least this share of the rise must come in the later half of the windows (a warm-up that levels off does not count). */
export const MEMORY_LATE_GROWTH_SHARE = 0.25;

export interface DiagnoseContext {
  /** The hottest function of the CPU profile, for the cpu-bound rule's next step. */
  hottest?: { function: string; file: string; line: number };
  /** Paths inside this folder are shown relative to it. */
  cwd?: string;
}

/**
 * The findings, in this order:
 * - 'event-loop-delay' (Clinic Doctor): the median delay ≥ DELAY_MEDIAN_MS or the max ≥
 *   DELAY_MAX_MS (the max counts the blocks: summarizeVitals). It names the first located block
 *   group in the user's or a dependency's code (groups come longest total first) and opens it;
 *   with none, it says to take a CPU profile.
 * - 'gc-blocking' (Clinic Doctor): blocking GC time (minor + major) in one second ≥
 *   GC_BLOCKING_MS_PER_SECOND → take heap snapshots.
 * - 'memory-growing': see heapOnlyGrows → find the leak.
 * - 'cpu-bound' (Clinic Doctor's ELU rule): the median ELU ≥ ELU_CPU_BOUND over at least
 *   CPU_BOUND_MIN_SAMPLES samples while the median delay stays under DELAY_MEDIAN_MS (busy but
 *   turning fast; blocks may come on top, each named by the delay finding) →
 *   open the hottest function when known, else take a CPU profile.
 */
export function diagnoseVitals(summary: VitalsSummary, samples: readonly VitalsSample[], blockGroups: readonly BlockGroup[], context: DiagnoseContext = {}): VitalsDiagnosis[] {
  const cwd = context.cwd ?? '';
  const found: VitalsDiagnosis[] = [];

  const delayed = summary.delay.p50 >= DELAY_MEDIAN_MS || summary.delay.max >= DELAY_MAX_MS;
  if (delayed) found.push(delayDiagnosis(summary, blockGroups, cwd));

  if (summary.gc.maxPerSecondMs >= GC_BLOCKING_MS_PER_SECOND) found.push(gcDiagnosis(summary, samples));

  const floors = heapFloors(samples);
  if (heapOnlyGrows(floors)) found.push(memoryDiagnosis(floors));

  const eluSamples = samples.filter((s) => s.elu !== undefined).length;
  // "Little delay" is the typical turn: a few long blocks (named by the delay finding) do not
  // make a loop that otherwise turns fast any less CPU-bound.
  if (summary.delay.p50 < DELAY_MEDIAN_MS && summary.elu && summary.elu.p50 >= ELU_CPU_BOUND && eluSamples >= CPU_BOUND_MIN_SAMPLES) {
    found.push(cpuBoundDiagnosis(summary.elu.p50, context.hottest, cwd));
  }
  return found;
}

/**
 * The memory-growing rule, on the heap floors as what stays: each window's floor is lowered to the
 * lowest floor after it (old-space garbage lifts a window's floor until a major GC comes; what
 * a later window goes below was never retained). Then at least MEMORY_MIN_WINDOWS windows (so a
 * run of at least MEMORY_MIN_SPAN_MS); the floor rising in at least two thirds of the steps from
 * one window to the next; a rise from the first to the last of at least MEMORY_MIN_GROWTH_BYTES
 * and MEMORY_MIN_GROWTH_SHARE of the first; and at least MEMORY_LATE_GROWTH_SHARE of that rise
 * between the run's middle (the middle window's floor, or halfway between the two middle ones
 * when there is an even number) and the last window. A saw-tooth heap (collections bring it back to the same
 * floor) fails the rise, a warm-up that levels off the last test.
 */
export function heapOnlyGrows(floors: readonly HeapFloor[]): boolean {
  if (floors.length < MEMORY_MIN_WINDOWS) return false;
  const kept = floors.map((f) => f.bytes);
  for (let k = kept.length - 2; k >= 0; k--) kept[k] = Math.min(kept[k]!, kept[k + 1]!);
  let rises = 0;
  for (let k = 1; k < kept.length; k++) if (kept[k]! > kept[k - 1]!) rises++;
  if (rises * 3 < (kept.length - 1) * 2) return false;
  const first = kept[0]!;
  const last = kept[kept.length - 1]!;
  const growth = last - first;
  if (growth < Math.max(MEMORY_MIN_GROWTH_BYTES, MEMORY_MIN_GROWTH_SHARE * first)) return false;
  // The run's middle: the middle window's floor, or halfway between the two middle ones.
  const half = (kept.length - 1) / 2;
  const middle = (kept[Math.floor(half)]! + kept[Math.ceil(half)]!) / 2;
  return last - middle >= MEMORY_LATE_GROWTH_SHARE * growth;
}

function delayDiagnosis(summary: VitalsSummary, groups: readonly BlockGroup[], cwd: string): VitalsDiagnosis {
  const { p50, max } = summary.delay;
  let detail = `Clinic Doctor's rule: a median event-loop delay of ${DELAY_MEDIAN_MS} ms or more, or a max of ${DELAY_MAX_MS} ms or more; here the median is ${formatMsShort(p50)} and the max ${formatMsShort(max)}.`;
  if (summary.blocks.count > 0) {
    const unlocated = groups.filter((g) => !g.located).reduce((n, g) => n + g.count, 0);
    detail += ` ${summary.blocks.count === 1 ? '1 block' : `${summary.blocks.count} blocks`}, ${formatMsShort(summary.blocks.totalMs)} in all`;
    detail += unlocated > 0 ? `, ${unlocated} of them not located.` : '.';
  }
  const worst = groups.find((g) => {
    const origin = groupOrigin(g);
    return origin === 'own' || origin === 'dependency';
  });
  if (worst) {
    return { rule: 'event-loop-delay', title: describeBlockGroup(worst, cwd), detail, action: { kind: 'open-block', label: `Open ${worst.function}`, file: worst.file, line: worst.line } };
  }
  return {
    rule: 'event-loop-delay',
    title: `The event loop was delayed up to ${formatMsShort(max)} (median ${formatMsShort(p50)}): take a CPU profile to see what runs.`,
    detail,
    action: { kind: 'profile-cpu', label: 'Take a CPU profile' },
  };
}

function gcDiagnosis(summary: VitalsSummary, samples: readonly VitalsSample[]): VitalsDiagnosis {
  let worst: VitalsSample | undefined;
  for (const sample of samples) if (!worst || blockingGcPerSecond(sample) > blockingGcPerSecond(worst)) worst = sample;
  let split = '';
  let kind = '';
  if (worst) {
    const scale = 1000 / Math.max(1000, worst.intervalMs);
    const major = worst.gc.major * scale;
    const minor = worst.gc.minor * scale;
    split = ` (${formatMsShort(major)} major, ${formatMsShort(minor)} minor)`;
    kind =
      major >= minor
        ? ' Most of it was old-space (major) collection: a large heap of long-lived objects, or one that keeps growing.'
        : ' Most of it was new-space (minor) collection: many short-lived allocations.';
  }
  return {
    rule: 'gc-blocking',
    title: `Garbage collection stopped the service for ${formatMsShort(summary.gc.maxPerSecondMs)} in one second${split}: take heap snapshots to see what fills the heap.`,
    detail: `Clinic Doctor's rule: ${GC_BLOCKING_MS_PER_SECOND} ms or more of blocking GC (scavenges and mark-compacts) in any one second.${kind}`,
    action: { kind: 'heap-snapshot', label: 'Take heap snapshots' },
  };
}

function memoryDiagnosis(floors: readonly HeapFloor[]): VitalsDiagnosis {
  const first = floors[0];
  const last = floors[floors.length - 1];
  const spanMs = last.atMs - first.atMs;
  const perMinute = floorGrowthPerMinute(floors) ?? 0;
  return {
    rule: 'memory-growing',
    title: `The heap only grows: its floor rose from ${formatBytes(first.bytes)} to ${formatBytes(last.bytes)} in ${formatSpan(spanMs)} (${formatBytes(perMinute)} a minute): a leak is suspected.`,
    detail:
      `The heap's floor (its lowest heapUsed, what survives the collections) kept rising over the run's ${floors.length} windows. ` +
      `The rule: at least ${MEMORY_MIN_WINDOWS} windows, the floor (lowered to the lowest one after it) rising in two thirds of the steps, a rise of at least ${formatBytes(MEMORY_MIN_GROWTH_BYTES)} and ${Math.round(MEMORY_MIN_GROWTH_SHARE * 100)}% of the first floor, ` +
      `and at least ${Math.round(MEMORY_LATE_GROWTH_SHARE * 100)}% of it in the later half (a warm-up that levels off does not count).`,
    action: { kind: 'find-leak', label: 'Find the leak' },
  };
}

function cpuBoundDiagnosis(elu: number, hottest: DiagnoseContext['hottest'], cwd: string): VitalsDiagnosis {
  const fn = hottest ? `, ${hottest.function} (${relativeTo(hottest.file, cwd)}:${hottest.line})` : '';
  return {
    rule: 'cpu-bound',
    title: `CPU-bound: the event loop was busy ${Math.round(elu * 100)}% of the time (median) with little delay: scale out or optimise the hottest function${fn}.`,
    detail: `Clinic Doctor's rule: a median event-loop utilisation of ${Math.round(ELU_CPU_BOUND * 100)}% or more. The delay stayed under its thresholds, so the service answers but its thread has no time to spare.`,
    action: hottest ? { kind: 'open-hottest', label: `Open ${hottest.function}`, file: hottest.file, line: hottest.line } : { kind: 'profile-cpu', label: 'Take a CPU profile' },
  };
}

/** 45 s, 4.5 min, 1.2 h. */
function formatSpan(ms: number): string {
  const s = ms / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Number((s / 60).toPrecision(2))} min`;
  return `${Number((s / 3600).toPrecision(2))} h`;
}
