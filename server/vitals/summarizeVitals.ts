// A run's vitals in a few figures: event-loop delay, utilisation, CPU, GC, memory and blocks over
// all its samples. Pure.
import { floorGrowthPerMinute, heapFloors } from './heapFloors';
import { maxOf, median, percentile, round3, weightedMean } from './stats';
import type { GcPause, StallEvent, VitalsSample, VitalsSummary } from './vitalsTypes';

/**
 * - `seconds`: from the start of the first interval (its `atMs − intervalMs`) to the end of the last.
 * - `delay.p50`: the median of the per-interval p50s (Clinic Doctor takes the median of its delay
 *   samples). `delay.p99`: the nearest-rank 99th percentile of the per-interval p99s, so one bad
 *   second in a hundred does not show (under a hundred samples it is their largest p99).
 *   `delay.max`: the largest per-interval max, or the longest block when that is longer (the
 *   histogram has no sample inside a long block: nodejs/node#34661).
 * - `elu` and `cpu` means are weighted by the intervals' lengths (a 5 s blocked interval counts
 *   five times); `elu.p50` is the median of the per-interval values (Clinic's rule reads it);
 *   `elu` is absent when no sample has it.
 * - `gc.totalMs` and `gc.count`: every GC entry Node reported, all kinds (minor, major,
 *   incremental, weakcb). Weak callbacks nested in a major GC do not count twice: Node's timing
 *   then cuts the major short instead (nodejs/node#44046). `gc.maxPerSecondMs` counts the blocking
 *   kinds only, minor + major, as Clinic Doctor does (see blockingGcPerSecond). `gc.longestMs`: the
 *   longest single pause, from the intervals' maxMs and the marked pauses.
 * - `memory`: heapUsed and rss of the first and last samples and their maxima;
 *   `heapFloorGrowthPerMinute` from heapFloors (absent under HEAP_FLOOR_MIN_SPAN_MS).
 * - `blocks`: count, total and longest.
 * Samples may come in any order. Figures in ms are rounded to 3 decimals.
 */
export function summarizeVitals(samples: readonly VitalsSample[], gcPauses: readonly GcPause[], blocks: readonly StallEvent[]): VitalsSummary {
  const sorted = [...samples].sort((a, b) => a.atMs - b.atMs);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const weights = sorted.map((s) => s.intervalMs);
  const blockMs = blocks.map((b) => b.ms);

  const summary: VitalsSummary = {
    seconds: first ? round3((last.atMs - (first.atMs - first.intervalMs)) / 1000) : 0,
    delay: {
      p50: round3(median(sorted.map((s) => s.delay.p50))),
      p99: round3(percentile(sorted.map((s) => s.delay.p99), 99)),
      max: round3(Math.max(maxOf(sorted.map((s) => s.delay.max)), maxOf(blockMs))),
    },
    cpu: { mean: round4(weightedMean(sorted.map((s) => s.cpu), weights)), max: round4(maxOf(sorted.map((s) => s.cpu))) },
    gc: {
      totalMs: round3(sorted.reduce((sum, s) => sum + s.gc.minor + s.gc.major + s.gc.incremental + s.gc.weakcb, 0)),
      count: sorted.reduce((sum, s) => sum + s.gc.count, 0),
      maxPerSecondMs: round3(maxOf(sorted.map(blockingGcPerSecond))),
      longestMs: round3(Math.max(maxOf(sorted.map((s) => s.gc.maxMs)), maxOf(gcPauses.map((p) => p.ms)))),
    },
    memory: {
      heapUsedStart: first?.memory.heapUsed ?? 0,
      heapUsedEnd: last?.memory.heapUsed ?? 0,
      heapUsedMax: maxOf(sorted.map((s) => s.memory.heapUsed)),
      rssStart: first?.memory.rss ?? 0,
      rssEnd: last?.memory.rss ?? 0,
      rssMax: maxOf(sorted.map((s) => s.memory.rss)),
    },
    blocks: { count: blocks.length, totalMs: round3(blockMs.reduce((a, b) => a + b, 0)), longestMs: round3(maxOf(blockMs)) },
  };

  const withElu = sorted.filter((s) => s.elu !== undefined);
  if (withElu.length > 0) {
    const elu = withElu.map((s) => s.elu!);
    summary.elu = { mean: round4(weightedMean(elu, withElu.map((s) => s.intervalMs))), p50: round4(median(elu)), max: round4(maxOf(elu)) };
  }
  const growth = floorGrowthPerMinute(heapFloors(sorted));
  if (growth !== undefined) summary.memory.heapFloorGrowthPerMinute = Math.round(growth);
  return summary;
}

/**
 * GC time of the blocking kinds (minor + major: the scavenges and mark-compacts that stop the
 * thread) in an interval, per second: an interval longer than a second (the loop was blocked
 * past a tick) is scaled down to one, so a long block's GC is not read as one bad second.
 */
export function blockingGcPerSecond(sample: VitalsSample): number {
  return ((sample.gc.minor + sample.gc.major) * 1000) / Math.max(1000, sample.intervalMs);
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
