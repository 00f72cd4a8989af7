// Small statistics and round helpers shared by the benchmarks. Timings here are figures to read,
// never pass/fail criteria.

export interface Spread {
  n: number;
  min: number;
  median: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { n: 0, min: NaN, median: NaN, max: NaN };
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n: sorted.length, min: sorted[0], median, max: sorted[sorted.length - 1] };
}

export function median(values: readonly number[]): number {
  return spread(values).median;
}

/** A copy of `items` in random order (Fisher–Yates). */
export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Rounds from BENCH_ROUNDS (a whole number ≥ 1), else the benchmark's default. */
export function roundsFromEnv(fallback: number): number {
  const text = process.env.BENCH_ROUNDS;
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_ROUNDS must be a whole number ≥ 1, not ${JSON.stringify(text)}`);
  return n;
}

export function fmtRatio(s: Spread): string {
  return s.n ? `${s.min.toFixed(3)} / ${s.median.toFixed(3)} / ${s.max.toFixed(3)}` : 'n/a';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
