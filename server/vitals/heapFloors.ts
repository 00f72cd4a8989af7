// The heap's floor over a run: heapUsed climbs between collections and drops at each one, so its
// lowest point in a stretch of time is what survived the collections (live data). A floor that
// keeps rising is memory that is never given back. Pure.
import type { VitalsSample } from './vitalsTypes';

/** Runs shorter than this have no floor to speak of (too few collections): 20 s. */
export const HEAP_FLOOR_MIN_SPAN_MS = 20_000;
/** A window is at least this long, so that it holds a collection or two: 5 s. */
export const HEAP_FLOOR_MIN_WINDOW_MS = 5_000;
/** The run is cut in at most this many windows (a long run gets long windows, which always hold a full GC cycle). */
export const HEAP_FLOOR_MAX_WINDOWS = 8;

export interface HeapFloor {
  /** The window, on the target's clock (ms). */
  startMs: number;
  endMs: number;
  /** The lowest heapUsed of the window's samples, bytes. */
  bytes: number;
  /** When that lowest sample was taken. */
  atMs: number;
}

/**
 * The run (first to last sample's `atMs`) cut in equal windows, as many as fit
 * HEAP_FLOOR_MIN_WINDOW_MS each (at least 4 since the run is at least 20 s, at most
 * HEAP_FLOOR_MAX_WINDOWS), each with its lowest heapUsed. Empty for a run shorter than
 * HEAP_FLOOR_MIN_SPAN_MS; a window without samples (the agent did not answer) is left out.
 */
export function heapFloors(samples: readonly VitalsSample[]): HeapFloor[] {
  if (samples.length < 2) return [];
  const sorted = [...samples].sort((a, b) => a.atMs - b.atMs);
  const first = sorted[0].atMs;
  const span = sorted[sorted.length - 1].atMs - first;
  if (!(span >= HEAP_FLOOR_MIN_SPAN_MS)) return [];
  const count = Math.min(HEAP_FLOOR_MAX_WINDOWS, Math.floor(span / HEAP_FLOOR_MIN_WINDOW_MS));
  const length = span / count;
  const floors: Array<HeapFloor | undefined> = new Array(count).fill(undefined);
  for (const sample of sorted) {
    const k = Math.min(count - 1, Math.floor((sample.atMs - first) / length));
    const floor = floors[k];
    if (!floor || sample.memory.heapUsed < floor.bytes) {
      floors[k] = { startMs: first + k * length, endMs: first + (k + 1) * length, bytes: sample.memory.heapUsed, atMs: sample.atMs };
    }
  }
  return floors.filter((f): f is HeapFloor => f !== undefined);
}

/**
 * How fast the floor rises, bytes per minute: the least-squares slope of the floors against their
 * windows' middles. Undefined with fewer than two floors (a run under HEAP_FLOOR_MIN_SPAN_MS).
 */
export function floorGrowthPerMinute(floors: readonly HeapFloor[]): number | undefined {
  if (floors.length < 2) return undefined;
  const xs = floors.map((f) => (f.startMs + f.endMs) / 2);
  const ys = floors.map((f) => f.bytes);
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanY = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - meanX) * (ys[i] - meanY);
    den += (xs[i] - meanX) ** 2;
  }
  if (den === 0) return undefined;
  return (num / den) * 60_000;
}
