// Small statistics over lists of numbers, for the vitals. Pure.
import { nearestRank } from '../queries/buildQueriesSection';

/** The middle value; the mean of the two middle ones for an even count; 0 when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (the smallest value with at least `percentile` % of the values at or below it); 0 when empty. */
export function percentile(values: readonly number[], percentile: number): number {
  return nearestRank([...values].sort((a, b) => a - b), percentile);
}

/** The largest value; 0 when empty. */
export function maxOf(values: readonly number[]): number {
  let max = 0;
  for (const value of values) if (value > max) max = value;
  return max;
}

/** Mean of `values` weighted by `weights` (same length); the plain mean when the weights add up to 0; 0 when empty. */
export function weightedMean(values: readonly number[], weights: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i] * weights[i];
    total += weights[i];
  }
  if (total > 0) return sum / total;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Rounded to 3 decimals (the report's ms figures). */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
