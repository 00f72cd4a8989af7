// Hand-made vitals for the vitals tests: samples a second apart, blocks with frames.
import type { StackFrame } from '../../server/queries/captureTypes';
import type { ObservedBlock, VitalsSample } from '../../server/vitals/vitalsTypes';

export const MB = 2 ** 20;
/** The wall clock of the target's clock 0 in these fixtures. */
export const WALL0 = Date.UTC(2026, 11, 1, 13, 2, 0);

export interface SampleInput {
  /** End of the interval, target clock ms (default: index-based by the caller). */
  atMs: number;
  intervalMs?: number;
  delay?: Partial<VitalsSample['delay']>;
  elu?: number;
  cpu?: number;
  gc?: Partial<VitalsSample['gc']>;
  memory?: Partial<VitalsSample['memory']>;
}

export function sample(input: SampleInput): VitalsSample {
  const s: VitalsSample = {
    atMs: input.atMs,
    wallMs: WALL0 + input.atMs,
    intervalMs: input.intervalMs ?? 1000,
    delay: { min: 0, mean: 0.5, p50: 0.4, p99: 1, max: 2, ...input.delay },
    cpu: input.cpu ?? 0.2,
    gc: { minor: 0, major: 0, incremental: 0, weakcb: 0, count: 0, maxMs: 0, ...input.gc },
    memory: { heapUsed: 40 * MB, heapTotal: 64 * MB, rss: 120 * MB, external: 2 * MB, arrayBuffers: MB, ...input.memory },
  };
  if (input.elu !== undefined) s.elu = input.elu;
  return s;
}

/** One sample a second for `seconds` seconds (atMs 1000, 2000, …), each shaped by `shape(i)`. */
export function seconds(count: number, shape: (i: number) => Omit<SampleInput, 'atMs'> = () => ({})): VitalsSample[] {
  return Array.from({ length: count }, (_, i) => sample({ atMs: (i + 1) * 1000, ...shape(i) }));
}

export const frame = (url: string, line: number, column: number, functionName: string): StackFrame => ({ url, line, column, functionName });

export function block(endMs: number, ms: number, frames: StackFrame[] = [], source: 'pause' | 'profile' | 'none' = frames.length ? 'pause' : 'none'): ObservedBlock {
  return { endMs, endWallMs: WALL0 + endMs, endUs: endMs * 1000, ms, location: { source, frames } };
}
