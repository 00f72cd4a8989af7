// The service's vitals, from the agent in the target to the report and the live panel. Pure types:
// the agent (server/agent/vitals.ts), the server's stream (server/agent/vitalsStream.ts), the pure
// analysis (server/vitals/), the CLI, the extension and the live panel all use them.
import type { StackFrame } from '../queries/captureTypes';
import type { CallingLine } from '../queries/queryReportTypes';

/** GC pause time of one interval by kind (Node's `entry.detail.kind`), ms. */
export interface GcTimes {
  /** Scavenges (young generation). */
  minor: number;
  /** Mark-sweep-compact (old generation). */
  major: number;
  incremental: number;
  /** Weak callbacks (run inside major GCs: Node reports them apart). */
  weakcb: number;
  /** How many GC entries the interval had, all kinds. */
  count: number;
  /** The longest single pause, ms. */
  maxMs: number;
}

/** Event-loop delay over one interval, ms, the histogram's resolution subtracted (never below 0). */
export interface DelayStats {
  min: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Bytes, at the end of the interval (process.memoryUsage()). */
export interface MemoryStats {
  heapUsed: number;
  heapTotal: number;
  rss: number;
  external: number;
  arrayBuffers: number;
}

/** One interval (about a second) of the service's vitals, as the agent measured it. */
export interface VitalsSample {
  /** End of the interval on the target's clock (performance.now(), ms). */
  atMs: number;
  /** The same moment as epoch ms on the target's wall clock: the charts' time axis. */
  wallMs: number;
  /** Length of the interval, ms (about 1000; longer when the loop was blocked past a tick). */
  intervalMs: number;
  delay: DelayStats;
  /** Event-loop utilisation over the interval, 0…1 (a delta of eventLoopUtilization; absent where Node lacks it). */
  elu?: number;
  /** CPU time (user + system, all the process's threads) ÷ the interval: 1 = one core busy. */
  cpu: number;
  gc: GcTimes;
  memory: MemoryStats;
}

/** One GC pause long enough to mark on a chart (at least GC_MARK_MS). */
export interface GcPause {
  /** Start on the target's clock, ms. */
  atMs: number;
  wallMs: number;
  ms: number;
  kind: 'minor' | 'major' | 'incremental' | 'weakcb' | 'other';
}

/** GC pauses shorter than this are counted in their second but not marked one by one. */
export const GC_MARK_MS = 10;

/**
 * A time the event loop did not turn for at least the block threshold, as the agent saw it once the
 * loop turned again (its tick's gap: the block's length, give or take one tick).
 */
export interface StallEvent {
  /** When the loop turned again: the target's clock (ms) and its wall clock (epoch ms). */
  endMs: number;
  endWallMs: number;
  /** The same moment on the monotonic clock CPU profiles use (µs), to find the profile's samples in it. */
  endUs: number;
  /** How long the loop did not turn, ms. */
  ms: number;
}

/** Where the main thread was during a block, and how PerfLens knows. */
export interface BlockLocation {
  /**
   * 'pause': paused through the inspector mid-block and read the call frames; 'profile': the CPU
   * profile's samples in the block's window; 'none': neither (the block ended before the pause
   * landed, or capture was off).
   */
  source: 'pause' | 'profile' | 'none';
  /** Top first, as V8 gave them (not yet source-mapped). Empty for 'none'. */
  frames: StackFrame[];
  /**
   * For 'pause': how long the pause took to reach the thread, ms. A thread running JavaScript is
   * reached within a few ms; one in native code only once that returns (see NATIVE_LANDING_MS).
   */
  pauseLatencyMs?: number;
}

/** A pause that took this long to land found the thread coming back from native code. */
export const NATIVE_LANDING_MS = 20;

/** One block: a stall, joined with where the thread was. */
export interface ObservedBlock extends StallEvent {
  location: BlockLocation;
}

/** Blocks with the same function and line, for the report, the editor and the panel. */
export interface BlockGroup {
  /** Typical (median) length, ms. */
  ms: number;
  maxMs: number;
  totalMs: number;
  count: number;
  /** The user's function the thread was in (`busyWait`), or the route's name for an anonymous handler; '(unknown)' when not located. */
  function: string;
  /** Absolute path, the original TypeScript when a source map has it; '' when not located. */
  file: string;
  /** 1-based; 0 when not located. */
  line: number;
  column: number;
  /** False when no block of the group was caught in the act (see BlockLocation 'none'). */
  located: boolean;
  /** How it was located: 'pause', 'profile' or both (the most frequent first). */
  sources: Array<'pause' | 'profile'>;
  /** The endpoint whose handler is on the stack (`GET /block`), when one is. */
  endpoint?: string;
  /**
   * When the thread was inside Node's own or native code at the time (`pbkdf2Sync`, `readFileSync`):
   * that function. `function`/`file`/`line` then name the user's frame that called it.
   */
  inside?: string;
  /** The whole stack of the most recent block of the group, mapped, top first. */
  stack: CallingLine[];
  /** End times (wall clock, epoch ms) of each block of the group, oldest first, for markers. */
  atWallMs: number[];
}

/** A finding in plain words, with the next step. */
export interface VitalsDiagnosis {
  rule: 'event-loop-delay' | 'gc-blocking' | 'memory-growing' | 'cpu-bound';
  /** One sentence: what is wrong, with the figure that says so. */
  title: string;
  /** The rule and the threshold it crossed, for the curious. */
  detail: string;
  /** What to do next; the editor turns it into a button. */
  action: VitalsAction;
}

export type VitalsAction =
  | { kind: 'open-block'; label: string; file: string; line: number }
  | { kind: 'profile-cpu'; label: string }
  | { kind: 'heap-snapshot'; label: string }
  | { kind: 'find-leak'; label: string }
  | { kind: 'open-hottest'; label: string; file?: string; line?: number };

/** Over the whole run. Delay figures are ms with the resolution subtracted. */
export interface VitalsSummary {
  seconds: number;
  delay: { p50: number; p99: number; max: number };
  elu?: { mean: number; p50: number; max: number };
  cpu: { mean: number; max: number };
  gc: { totalMs: number; count: number; maxPerSecondMs: number; longestMs: number };
  memory: {
    heapUsedStart: number;
    heapUsedEnd: number;
    heapUsedMax: number;
    rssStart: number;
    rssEnd: number;
    rssMax: number;
    /** Growth of the heap's floor (its lowest point between GCs), bytes per minute; absent on a short run. */
    heapFloorGrowthPerMinute?: number;
  };
  blocks: { count: number; totalMs: number; longestMs: number };
}

/** What the agent could measure in this Node version. */
export interface VitalsStatus {
  node: string;
  /** Missing features, each with the Node version that has it (`event-loop utilisation: Node ≥ 14.10`). */
  missing: string[];
  /** Whether blocks are located by pausing the thread (see VitalsOptions.nameBlocks). */
  pauseCapture: boolean;
}

/** The `vitals` section of a profile or load-test report. */
export interface VitalsSection {
  status: VitalsStatus;
  /** Blocks at least this long are reported. */
  blockThresholdMs: number;
  series: VitalsSample[];
  gcPauses: GcPause[];
  summary: VitalsSummary;
  /** Longest total first. */
  blocks: BlockGroup[];
  diagnosis: VitalsDiagnosis[];
  warnings: string[];
}

/** How vitals are watched. */
export interface VitalsOptions {
  /** A stall at least this long is a block (default 100 ms). */
  blockThresholdMs: number;
  /** Locate blocks by pausing the thread through the inspector (default true). */
  nameBlocks: boolean;
  /** Interval between samples, ms (default 1000). */
  sampleMs: number;
}

/** Blocks shorter than this are ordinary work, and a pause would cost more than it tells. */
export const MIN_BLOCK_THRESHOLD_MS = 20;

export const DEFAULT_VITALS_OPTIONS: VitalsOptions = { blockThresholdMs: 100, nameBlocks: true, sampleMs: 1000 };

/** What a stream of vitals gathered over a run or a watch, as the server received it. */
export interface VitalsCapture {
  status: VitalsStatus;
  options: VitalsOptions;
  samples: VitalsSample[];
  gcPauses: GcPause[];
  /** Every block seen, located by pausing where that happened ('none' until a profile locates it). */
  blocks: ObservedBlock[];
  /** Things the user should know: a debugger held the thread, the target went away, a feature missing. */
  warnings: string[];
}

/** A block as the live panel and the status line show it: located and mapped to the source. */
export interface LiveBlock {
  endWallMs: number;
  ms: number;
  /** See BlockGroup: function, file, line, located, endpoint, inside. */
  function: string;
  file: string;
  line: number;
  column: number;
  located: boolean;
  source: BlockLocation['source'];
  endpoint?: string;
  inside?: string;
}

/** Once a second while vitals are watched (the `vitals` event). */
export interface LiveVitals {
  sample: VitalsSample;
  /** Pauses of this interval long enough to mark. */
  gcPauses: GcPause[];
  /** Over the samples kept (the last five minutes at most). */
  summary: VitalsSummary;
  diagnosis: VitalsDiagnosis[];
}

/** The service has not turned its event loop for a while (the `vitalsStall` event). */
export interface LiveStall {
  /** When its loop last turned (epoch ms, the server's clock). */
  sinceWallMs: number;
  /** For how long so far, ms. */
  ms: number;
  /** Where the thread is, when the pause reached it. */
  where?: LiveBlock;
  /** True on the last event: the loop turns again. */
  over: boolean;
}
