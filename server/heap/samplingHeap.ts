// The sampling heap profiler (HeapProfiler.startSampling / stopSampling): which functions allocated
// what is still alive when the profile is read. Cheap enough to run under load; see allocationSites.ts
// for what PerfLens makes of it.
import type { Protocol } from 'devtools-protocol';
import type { CdpConnection } from '../cdp/connection';

/** Bytes between samples, on average: V8's default is 32 KB; half that sees a 20 KB-per-request leak well. */
export const DEFAULT_HEAP_SAMPLING_INTERVAL = 16_384;

export type SamplingHeapProfile = Protocol.HeapProfiler.SamplingHeapProfile;

/** A running sampling heap profile. */
export interface HeapSampling {
  /**
   * Stops sampling and returns the profile. Only objects still alive count (V8 drops the samples of
   * collected objects): read it after a GC, e.g. right after a heap snapshot, to see what stayed.
   */
  stop(): Promise<SamplingHeapProfile>;
}

/** Starts the sampling heap profiler on the target (one at a time per target: V8 has one). */
export async function startHeapSampling(connection: CdpConnection, samplingInterval = DEFAULT_HEAP_SAMPLING_INTERVAL): Promise<HeapSampling> {
  await connection.send('HeapProfiler.startSampling', { samplingInterval });
  let stopped: Promise<SamplingHeapProfile> | undefined;
  return {
    stop: () => (stopped ??= connection.send('HeapProfiler.stopSampling').then((r) => r.profile)),
  };
}
