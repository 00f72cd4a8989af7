import type { Protocol } from 'devtools-protocol';
import { mergeCpuProfiles } from '../analysis/mergeCpuProfiles';
import { describeClose, type CdpConnection } from '../cdp/connection';
import { runLoad } from '../load/runLoad';
import type { LoadOptions, LoadProgress, LoadSummary } from '../load/loadTypes';

export interface ProfileUnderLoadOptions {
  connection: CdpConnection;
  load: LoadOptions;
  samplingIntervalUs: number;
  /**
   * The profile is collected in chunks of this length and merged, so that a target dying mid-run
   * loses at most the chunk in progress. Each hand-over costs the target a few milliseconds.
   */
  chunkMs?: number;
  onProgress?: (progress: LoadProgress) => void;
  /** Stops the load early; the profile taken so far is still collected. */
  signal?: AbortSignal;
}

export interface ProfileUnderLoadResult {
  profile: Protocol.Profiler.Profile;
  load: LoadSummary;
}

/** The target went away mid-run. Carries what was captured before it did. */
export class TargetLostError extends Error {
  constructor(
    message: string,
    readonly load: LoadSummary | undefined,
    /** The chunks collected before the target went away, merged; undefined when none was complete. */
    readonly partialProfile: Protocol.Profiler.Profile | undefined,
  ) {
    super(message);
    this.name = 'TargetLostError';
  }
}

const DEFAULT_CHUNK_MS = 5000;

/**
 * Samples the target's CPU while load runs against it. If the target dies, the load stops at once
 * and a TargetLostError carries the load figures and the profile chunks gathered so far.
 */
export async function profileUnderLoad(options: ProfileUnderLoadOptions): Promise<ProfileUnderLoadResult> {
  const { connection } = options;
  const stopLoad = new AbortController();
  const abortLoad = () => stopLoad.abort();
  options.signal?.addEventListener('abort', abortLoad, { once: true });
  const lost: { why?: string } = {};
  connection.onClose((info) => {
    lost.why = describeClose(info);
    stopLoad.abort();
  });

  const chunks: Protocol.Profiler.Profile[] = [];
  // Rotations and the final stop run one after the other, never interleaved.
  let profilerQueue: Promise<unknown> = Promise.resolve();
  const takeChunk = (restart: boolean) =>
    (profilerQueue = profilerQueue.then(async () => {
      if (connection.isClosed) return;
      const { profile } = await connection.send('Profiler.stop');
      chunks.push(profile);
      if (restart) await connection.send('Profiler.start');
    }));

  await connection.send('Profiler.enable');
  await connection.send('Profiler.setSamplingInterval', { interval: options.samplingIntervalUs });
  await connection.send('Profiler.start');
  let rotationError: Error | undefined;
  const rotation = setInterval(() => {
    takeChunk(true).catch((err: Error) => {
      rotationError ??= err; // A closed connection is reported through `lost`; anything else after the load.
    });
  }, options.chunkMs ?? DEFAULT_CHUNK_MS);
  let load: LoadSummary | undefined;
  try {
    load = await runLoad(options.load, { onProgress: options.onProgress, signal: stopLoad.signal });
    clearInterval(rotation);
    if (!lost.why) await takeChunk(false);
    if (lost.why) {
      throw new TargetLostError(`the target went away ${(load.durationMs / 1000).toFixed(1)} s into the load (inspector connection closed: ${lost.why}); the load was stopped`, load, partial(chunks));
    }
    if (rotationError) throw rotationError;
    await connection.send('Profiler.disable');
    return { profile: mergeCpuProfiles(chunks), load };
  } catch (err) {
    if (err instanceof TargetLostError) throw err;
    if (connection.isClosed) throw new TargetLostError(`the target went away while its profile was being collected (${lost.why ?? 'connection closed'})`, load, partial(chunks));
    throw err;
  } finally {
    clearInterval(rotation);
    options.signal?.removeEventListener('abort', abortLoad);
  }
}

function partial(chunks: Protocol.Profiler.Profile[]): Protocol.Profiler.Profile | undefined {
  return chunks.length ? mergeCpuProfiles(chunks) : undefined;
}
