import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from './loadTypes';

/**
 * Response times of one run in an HDR histogram of microseconds (1 µs to 1 h, 3 significant
 * digits), so every percentile, p95 included, is exact to 3 digits. autocannon's own result has
 * whole-millisecond percentiles and no p95.
 */
export class LatencyHistogram {
  private readonly histogram: Histogram = newHistogram();
  private sumUs = 0;
  private maxUs = 0;

  /** Several runs' histograms (see `encode`) as one, for percentiles over all of them. */
  static merge(parts: ReadonlyArray<{ histogram: string; latency: { max: number; mean: number }; requests: number }>): LatencyHistogram {
    const merged = new LatencyHistogram();
    for (const part of parts) {
      if (!part.requests) continue;
      const decoded = decodeFromCompressedBase64(part.histogram, 32, false);
      merged.histogram.add(decoded);
      decoded.destroy();
      merged.sumUs += part.latency.mean * 1000 * part.requests;
      merged.maxUs = Math.max(merged.maxUs, Math.round(part.latency.max * 1000));
    }
    return merged;
  }

  /** The histogram, compressed and base64-encoded (HdrHistogram's own format), for merging later. */
  encode(): string {
    return encodeIntoCompressedBase64(this.histogram);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** Records one response time given in milliseconds (fractional, as autocannon reports it). */
  record(ms: number): void {
    const us = Math.min(3_600_000_000, Math.max(1, Math.round(ms * 1000)));
    this.histogram.recordValue(us);
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
  }

  /**
   * The value at `percentile` (0–100) in milliseconds; 0 when nothing was recorded. The histogram
   * answers with the top of a bucket, which can lie above the largest value recorded: never
   * report more than that value.
   */
  percentileMs(percentile: number): number {
    return this.count ? Math.min(this.histogram.getValueAtPercentile(percentile), this.maxUs) / 1000 : 0;
  }

  /** Mean in ms, 0 when empty. */
  meanMs(): number {
    return this.count ? Math.round(this.sumUs / this.count) / 1000 : 0;
  }

  /** Smallest value recorded, ms. */
  minMs(): number {
    return this.count ? this.histogram.minNonZeroValue / 1000 : 0;
  }

  summary(): LatencySummary {
    if (!this.count) return { p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 };
    return {
      p50: this.percentileMs(50),
      p90: this.percentileMs(90),
      p95: this.percentileMs(95),
      p99: this.percentileMs(99),
      max: this.maxUs / 1000,
      mean: this.meanMs(),
    };
  }
}

function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}
