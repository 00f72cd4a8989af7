// Pure: the live panel's chart series from what the store keeps, in uPlot's column layout
// (x first: seconds since the epoch, one time axis for every chart). No DOM here.
import type { VitalsSnapshot } from './vitalsStore';
import { WINDOW_MS } from './vitalsStore';

const MB = 1024 * 1024;
/** The axis never spans less than this, so the first seconds do not fill the whole width. */
export const MIN_SPAN_MS = 30_000;

export type Column = Array<number | null>;

export interface ChartData {
  /** The x range every chart shows, seconds since the epoch. */
  range: [number, number];
  /** x, p50, p99, max (ms). */
  delay: [number[], Column, Column, Column];
  /** x, ELU (%), CPU (% of one core). */
  util: [number[], Column, Column];
  /** x, minor, major, incremental, weakcb (ms of pause per second). */
  gc: [number[], Column, Column, Column, Column];
  /** x, heapUsed, heapTotal, RSS, external (MB). */
  memory: [number[], Column, Column, Column, Column];
  /** x, p99 so far, then p50 when any event had one (ms). */
  latency: [number[], Column] | [number[], Column, Column];
  /** x, requests/s, failed/s. */
  throughput: [number[], Column, Column];
  /** Whether any event carried a p50. */
  hasP50: boolean;
}

/** The x range: the last five minutes at most, at least MIN_SPAN_MS, ending at the newest thing kept (or `nowMs`). */
export function chartRange(snapshot: Pick<VitalsSnapshot, 'samples' | 'load' | 'blocks' | 'marks'>, nowMs?: number): [number, number] {
  const times = [
    snapshot.samples[0]?.wallMs,
    snapshot.samples[snapshot.samples.length - 1]?.wallMs,
    snapshot.load[0]?.wallMs,
    snapshot.load[snapshot.load.length - 1]?.wallMs,
    snapshot.blocks[snapshot.blocks.length - 1]?.endWallMs,
    snapshot.marks[snapshot.marks.length - 1]?.wallMs,
  ].filter((t): t is number => typeof t === 'number');
  const end = times.length ? Math.max(...times) : (nowMs ?? 0);
  const first = times.length ? Math.min(...times) : end;
  const span = Math.min(WINDOW_MS, Math.max(MIN_SPAN_MS, end - first));
  return [(end - span) / 1000, end / 1000];
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** Progress events more than this apart belong to different runs: the lines break between them. */
export const LOAD_GAP_MS = 5_000;

interface LoadRow {
  wallMs: number;
  p99: number | null;
  p50?: number | null;
  rps: number | null;
  failedPerSecond: number | null;
}

/** The load points with an empty row between runs, so that uPlot does not join them. */
function withGaps(points: VitalsSnapshot['load']): LoadRow[] {
  const rows: LoadRow[] = [];
  points.forEach((p, i) => {
    const previous = points[i - 1];
    if (previous && p.wallMs - previous.wallMs > LOAD_GAP_MS) rows.push({ wallMs: previous.wallMs + 1000, p99: null, p50: null, rps: null, failedPerSecond: null });
    rows.push(p);
  });
  return rows;
}

export function chartData(snapshot: VitalsSnapshot): ChartData {
  const s = snapshot.samples;
  const x = s.map((v) => v.wallMs / 1000);
  const load = withGaps(snapshot.load);
  const lx = load.map((p) => p.wallMs / 1000);
  const hasP50 = snapshot.load.some((p) => p.p50 !== undefined);
  const p99: Column = load.map((p) => p.p99);
  return {
    range: chartRange(snapshot),
    delay: [x, s.map((v) => v.delay.p50), s.map((v) => v.delay.p99), s.map((v) => v.delay.max)],
    util: [x, s.map((v) => (v.elu === undefined ? null : round(v.elu * 100, 1))), s.map((v) => round(v.cpu * 100, 1))],
    gc: [x, s.map((v) => v.gc.minor), s.map((v) => v.gc.major), s.map((v) => v.gc.incremental), s.map((v) => v.gc.weakcb)],
    memory: [x, s.map((v) => round(v.memory.heapUsed / MB)), s.map((v) => round(v.memory.heapTotal / MB)), s.map((v) => round(v.memory.rss / MB)), s.map((v) => round(v.memory.external / MB))],
    latency: hasP50 ? [lx, p99, load.map((p) => p.p50 ?? null)] : [lx, p99],
    throughput: [lx, load.map((p) => p.rps), load.map((p) => (p.failedPerSecond === null ? null : round(p.failedPerSecond, 1)))],
    hasP50,
  };
}
