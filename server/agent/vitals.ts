// The agent's vitals, measured inside the user's service (bundled into dist/agent.js with agent.ts).
// One unref'd timer ticks every TICK_MS: it tells the server the loop is alive (a beat at most every
// `aliveMs`), notices when the loop did not turn for the block threshold (a stall, pushed the moment
// the loop turns again), and once a second takes a sample: event-loop delay from
// monitorEventLoopDelay (its resolution subtracted: each of its samples is the whole interval
// between its ticks), utilisation and CPU as deltas, every GC entry of every observer callback
// (OpenTelemetry's collector reads only the first), and process.memoryUsage().
//
// Why a tick of our own besides the histogram: the histogram records one long block as a single
// sample (nodejs/node#34661), and only a beat the server can miss lets it pause the thread *during*
// a block to see where it is (see server/agent/vitalsStream.ts).
import type { GcPause, GcTimes, StallEvent, VitalsSample, VitalsStatus } from '../vitals/vitalsTypes';
import { GC_MARK_MS } from '../vitals/vitalsTypes';

export interface VitalsAgentOptions {
  /** A loop that did not turn for this long is a stall (ms). */
  blockThresholdMs: number;
  /** Interval between samples (ms). */
  sampleMs: number;
  /** A beat goes to the server at most this often (ms): the server pauses after blockThresholdMs without one. */
  aliveMs: number;
}

/** What goes through the binding: a beat, a stall once the loop turns again, a sample once a second. */
export type VitalsPayload =
  | { type: 'beat' }
  | ({ type: 'stall' } & StallEvent)
  | { type: 'vitals'; sample: VitalsSample; gcPauses: GcPause[] };

export interface VitalsApi {
  /** Starts (or restarts with new options) the sampling; returns what this Node can measure. */
  start(options: VitalsAgentOptions): VitalsStatus;
  /** Stops every timer and observer; the last partial interval is dropped. */
  stop(): void;
  /** ms since the loop last turned (the tick's last run): the server reads it while the thread is paused. */
  sinceTick(): number;
}

/**
 * The tick: a block is timed within ±TICK_MS/2. Each wake-up of an otherwise idle loop costs tens
 * of µs on a small VM (bench: vitalsOverhead), so the tick and the histogram's timer share one
 * period (their timers then mostly fire in the same loop iteration).
 */
const TICK_MS = 20;
/** monitorEventLoopDelay's timer interval; each recorded delay includes it. */
const RESOLUTION_MS = TICK_MS;

type Loader = (id: string) => unknown;

interface Histogram {
  enable(): void;
  disable(): void;
  reset(): void;
  percentile(p: number): number;
  min: number;
  max: number;
  mean: number;
  count?: number;
}

interface EluReading {
  idle: number;
  active: number;
  utilization: number;
}

export function createVitals(load: Loader, push: (payload: VitalsPayload) => void): VitalsApi {
  const perf = load('perf_hooks') as typeof import('perf_hooks');
  const { performance } = perf;
  const now = () => performance.now();
  const hrUs = () => Number(process.hrtime.bigint() / 1000n);
  const elu = typeof performance.eventLoopUtilization === 'function' ? performance.eventLoopUtilization.bind(performance) : undefined;
  const monitor = typeof perf.monitorEventLoopDelay === 'function' ? perf.monitorEventLoopDelay : undefined;
  const kinds = perf.constants as Record<string, number | undefined>;
  const kindName = new Map<number, GcPause['kind']>([
    [kinds.NODE_PERFORMANCE_GC_MINOR ?? 1, 'minor'],
    [kinds.NODE_PERFORMANCE_GC_MAJOR ?? 4, 'major'],
    [kinds.NODE_PERFORMANCE_GC_INCREMENTAL ?? 8, 'incremental'],
    [kinds.NODE_PERFORMANCE_GC_WEAKCB ?? 16, 'weakcb'],
  ]);

  let options: VitalsAgentOptions | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let histogram: Histogram | undefined;
  let observer: { disconnect(): void } | undefined;
  let lastTick = 0;
  let lastBeat = 0;
  let intervalStart = 0;
  let lastElu: EluReading | undefined;
  let lastCpu: NodeJS.CpuUsage | undefined;
  let gc: GcTimes = emptyGc();
  let pauses: GcPause[] = [];

  function emptyGc(): GcTimes {
    return { minor: 0, major: 0, incremental: 0, weakcb: 0, count: 0, maxMs: 0 };
  }

  function onGc(list: { getEntries(): Array<{ duration: number; startTime: number; detail?: unknown; kind?: number }> }): void {
    for (const entry of list.getEntries()) {
      const kind = kindName.get((entry.detail as { kind?: number } | undefined)?.kind ?? entry.kind ?? -1) ?? 'other';
      const ms = entry.duration;
      if (kind !== 'other') gc[kind] += ms;
      gc.count++;
      if (ms > gc.maxMs) gc.maxMs = ms;
      if (ms >= GC_MARK_MS) pauses.push({ atMs: round(entry.startTime), wallMs: Math.round(performance.timeOrigin + entry.startTime), ms: round(ms), kind });
    }
  }

  function tick(): void {
    if (!options) return;
    const at = now();
    const gap = at - lastTick;
    lastTick = at;
    // The timer was due TICK_MS after the last run; a block started somewhere in that interval.
    const stalledMs = gap - TICK_MS / 2;
    if (gap - TICK_MS >= options.blockThresholdMs) {
      push({ type: 'stall', endMs: round(at), endWallMs: Date.now(), endUs: hrUs(), ms: round(stalledMs) });
      lastBeat = at;
    } else if (at - lastBeat >= options.aliveMs) {
      push({ type: 'beat' });
      lastBeat = at;
    }
    if (at - intervalStart >= options.sampleMs) sample(at);
  }

  function sample(at: number): void {
    const intervalMs = at - intervalStart;
    intervalStart = at;
    const h = histogram;
    const ms = (ns: number) => Math.max(0, round(ns / 1e6 - RESOLUTION_MS));
    const counted = h && (h.count === undefined || h.count > 0) && Number.isFinite(h.min);
    const delay = counted ? { min: ms(h.min), mean: ms(h.mean), p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) } : { min: 0, mean: 0, p50: 0, p99: 0, max: 0 };
    h?.reset();
    let utilisation: number | undefined;
    if (elu) {
      const reading = elu() as EluReading;
      if (lastElu) utilisation = round((elu(reading, lastElu) as EluReading).utilization, 4);
      lastElu = reading;
    }
    const cpu = process.cpuUsage(lastCpu);
    lastCpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const out: VitalsSample = {
      atMs: round(at),
      wallMs: Date.now(),
      intervalMs: round(intervalMs),
      delay,
      cpu: round((cpu.user + cpu.system) / 1000 / intervalMs, 4),
      gc: { minor: round(gc.minor), major: round(gc.major), incremental: round(gc.incremental), weakcb: round(gc.weakcb), count: gc.count, maxMs: round(gc.maxMs) },
      memory: { heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, rss: memory.rss, external: memory.external, arrayBuffers: memory.arrayBuffers ?? 0 },
    };
    if (utilisation !== undefined) out.elu = utilisation;
    const marked = pauses;
    gc = emptyGc();
    pauses = [];
    push({ type: 'vitals', sample: out, gcPauses: marked });
  }

  function stop(): void {
    options = undefined;
    if (timer) clearInterval(timer);
    timer = undefined;
    histogram?.disable();
    histogram = undefined;
    observer?.disconnect();
    observer = undefined;
  }

  return {
    start(next) {
      stop();
      const missing: string[] = [];
      if (monitor) {
        histogram = monitor({ resolution: RESOLUTION_MS }) as unknown as Histogram;
        histogram.enable();
      } else {
        missing.push('event-loop delay (perf_hooks.monitorEventLoopDelay: Node ≥ 11.10)');
      }
      if (!elu) missing.push('event-loop utilisation (performance.eventLoopUtilization: Node ≥ 14.10)');
      try {
        const o = new perf.PerformanceObserver(onGc as never);
        o.observe({ entryTypes: ['gc'] });
        observer = o;
      } catch {
        missing.push('GC pauses (a PerformanceObserver on gc entries)');
      }
      options = next;
      const at = now();
      lastTick = lastBeat = intervalStart = at;
      lastElu = elu ? (elu() as EluReading) : undefined;
      lastCpu = process.cpuUsage();
      gc = emptyGc();
      pauses = [];
      timer = setInterval(tick, TICK_MS);
      timer.unref();
      return { node: process.version, missing, pauseCapture: false };
    },
    stop,
    sinceTick: () => now() - lastTick,
  };
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
