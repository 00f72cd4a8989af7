// What a watch keeps of a service's vitals: the last few minutes of samples, marked GC pauses and
// blocks, in time order, older ones dropped as new ones come. Pure (no timers: time is the
// samples' own clock).
import type { GcPause, ObservedBlock, VitalsSample } from './vitalsTypes';

/** How much a watch keeps by default: five minutes. */
export const DEFAULT_KEEP_SECONDS = 300;

/**
 * A bounded store on the target's clock (`atMs` of samples and GC pauses, `endMs` of blocks): it
 * keeps what happened within `keepSeconds` of the newest thing added, whatever kind it is, and
 * drops the rest. Items are kept in time order even when they arrive slightly out of order.
 * Start a new store (or `clear()`) for a new target: its clock starts again.
 */
export class VitalsSeries {
  private readonly keepMs: number;
  private readonly sampleList: VitalsSample[] = [];
  private readonly pauseList: GcPause[] = [];
  private readonly blockList: ObservedBlock[] = [];
  private newestMs = -Infinity;

  constructor(keepSeconds: number = DEFAULT_KEEP_SECONDS) {
    if (!(keepSeconds > 0)) throw new RangeError(`VitalsSeries: keepSeconds must be positive, not ${keepSeconds}`);
    this.keepMs = keepSeconds * 1000;
  }

  addSample(sample: VitalsSample): void {
    insertByTime(this.sampleList, sample, sampleTime);
    this.advance(sample.atMs);
  }

  addGcPauses(pauses: readonly GcPause[]): void {
    for (const pause of pauses) {
      insertByTime(this.pauseList, pause, pauseTime);
      this.advance(pause.atMs);
    }
  }

  addBlock(block: ObservedBlock): void {
    insertByTime(this.blockList, block, blockTime);
    this.advance(block.endMs);
  }

  /** Oldest first (copies: the store goes on changing). */
  samples(): VitalsSample[] {
    return [...this.sampleList];
  }

  gcPauses(): GcPause[] {
    return [...this.pauseList];
  }

  blocks(): ObservedBlock[] {
    return [...this.blockList];
  }

  /** The newest sample, if any. */
  latest(): VitalsSample | undefined {
    return this.sampleList[this.sampleList.length - 1];
  }

  clear(): void {
    this.sampleList.length = 0;
    this.pauseList.length = 0;
    this.blockList.length = 0;
    this.newestMs = -Infinity;
  }

  private advance(atMs: number): void {
    if (!(atMs > this.newestMs)) {
      // Something older than the newest: it may itself be out of the window already.
      this.trim();
      return;
    }
    this.newestMs = atMs;
    this.trim();
  }

  private trim(): void {
    const cutoff = this.newestMs - this.keepMs;
    dropBefore(this.sampleList, cutoff, sampleTime);
    dropBefore(this.pauseList, cutoff, pauseTime);
    dropBefore(this.blockList, cutoff, blockTime);
  }
}

const sampleTime = (s: VitalsSample) => s.atMs;
const pauseTime = (p: GcPause) => p.atMs;
const blockTime = (b: ObservedBlock) => b.endMs;

/** Appends, or walks back to its place when it is older than the last item (rare: a few steps). */
function insertByTime<T>(list: T[], item: T, time: (item: T) => number): void {
  let at = list.length;
  while (at > 0 && time(list[at - 1]) > time(item)) at--;
  if (at === list.length) list.push(item);
  else list.splice(at, 0, item);
}

function dropBefore<T>(list: T[], cutoff: number, time: (item: T) => number): void {
  let n = 0;
  while (n < list.length && time(list[n]) < cutoff) n++;
  if (n > 0) list.splice(0, n);
}
