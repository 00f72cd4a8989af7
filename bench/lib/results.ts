import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Spread } from './stats';

/** One figure of the final summary: a ratio against a baseline of the same run, over rounds. */
export interface Figure {
  /** What was measured, in words. */
  what: string;
  /** Numerator / denominator, e.g. "1 ms / off". */
  ratio: string;
  rounds: number;
  spread: Spread;
  /** Absolute figures for context, e.g. "off 60.1 req/s, 1 ms 59.8 req/s". */
  context: string;
}

export interface BenchResult {
  name: string;
  figures: Figure[];
  /** Other figures (not ratios) worth keeping: sample counts, sizes, settings. */
  details: Record<string, unknown>;
  notes: string[];
  elapsedMs: number;
}

/** Writes the result where scripts/bench.mjs asked (BENCH_RESULT_FILE), if it asked. */
export function writeResult(result: BenchResult): void {
  const file = process.env.BENCH_RESULT_FILE;
  if (!file) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}
