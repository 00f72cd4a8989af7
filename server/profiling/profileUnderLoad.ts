import type { Protocol } from 'devtools-protocol';
import { mergeCpuProfiles } from '../analysis/mergeCpuProfiles';
import { describeClose, type CdpConnection } from '../cdp/connection';
import { runLoad } from '../load/runLoad';
import type { LoadOptions, LoadProgress, LoadSummary } from '../load/loadTypes';
import { performance } from 'node:perf_hooks';
import type { CpuBusy } from '../analysis/reportTypes';
import { cpuBetween, readTargetCpu } from './targetCpuTime';

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
  /** The target's CPU time over the run (absent when it could not be read). */
  cpu?: CpuBusy;
}

/** The target went away mid-run. Carries what was captured before it did. */
export class TargetLostError<T = LoadSummary> extends Error {
  constructor(
    message: string,
    /** What the run measured before the target went away (the load summary for profileUnderLoad). */
    readonly load: T | undefined,
    /** The chunks collected before the target went away, merged; undefined when none was complete. */
    readonly partialProfile: Protocol.Profiler.Profile | undefined,
  ) {
    super(message);
    this.name = 'TargetLostError';
  }
}

const DEFAULT_CHUNK_MS = 5000;

export interface ProfileWhileOptions {
  connection: CdpConnection;
  samplingIntervalUs: number;
  /** See ProfileUnderLoadOptions.chunkMs. */
  chunkMs?: number;
  /** Passed on to `drive` (combined with the target going away). */
  signal?: AbortSignal;
}

/**
 * Samples the target's CPU while `drive` runs (a load, a load-test plan). `drive` gets a signal
 * that aborts when the caller's does or the target goes away; it should then stop and resolve with
 * what it measured. The profile is taken in chunks so a dying target loses at most the last one.
 */
export async function profileWhile<T>(options: ProfileWhileOptions, drive: (signal: AbortSignal) => Promise<T>, elapsedMs: (value: T) => number): Promise<{ profile: Protocol.Profiler.Profile; value: T; cpu?: CpuBusy }> {
  const { connection } = options;
  const stop = new AbortController();
  const abort = () => stop.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  const lost: { why?: string } = {};
  connection.onClose((info) => {
    lost.why = describeClose(info);
    stop.abort();
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
  const cpuBefore = await readTargetCpu(connection);
  const wallBefore = performance.now();
  let rotationError: Error | undefined;
  const rotation = setInterval(() => {
    takeChunk(true).catch((err: Error) => {
      rotationError ??= err; // A closed connection is reported through `lost`; anything else after the run.
    });
  }, options.chunkMs ?? DEFAULT_CHUNK_MS);
  let value: T | undefined;
  try {
    value = await drive(stop.signal);
    const wallMs = performance.now() - wallBefore;
    const cpuAfter = lost.why || cpuBefore === undefined ? undefined : await readTargetCpu(connection);
    clearInterval(rotation);
    if (!lost.why) await takeChunk(false);
    if (lost.why) {
      throw new TargetLostError(`the target went away ${(elapsedMs(value) / 1000).toFixed(1)} s into the load (inspector connection closed: ${lost.why}); the load was stopped`, value, partial(chunks));
    }
    if (rotationError) throw rotationError;
    await connection.send('Profiler.disable');
    const cpu = cpuBetween(cpuBefore, cpuAfter, wallMs);
    return { profile: mergeCpuProfiles(chunks), value, ...(cpu ? { cpu } : {}) };
  } catch (err) {
    if (err instanceof TargetLostError) throw err;
    if (connection.isClosed) throw new TargetLostError(`the target went away while its profile was being collected (${lost.why ?? 'connection closed'})`, value, partial(chunks));
    throw err;
  } finally {
    clearInterval(rotation);
    options.signal?.removeEventListener('abort', abort);
  }
}

/**
 * Samples the target's CPU while load runs against it. If the target dies, the load stops at once
 * and a TargetLostError carries the load figures and the profile chunks gathered so far.
 */
export async function profileUnderLoad(options: ProfileUnderLoadOptions): Promise<ProfileUnderLoadResult> {
  const { profile, value: load, cpu } = await profileWhile(
    options,
    (signal) => runLoad(options.load, { onProgress: options.onProgress, signal }),
    (load) => load.durationMs,
  );
  return { profile, load, ...(cpu ? { cpu } : {}) };
}

function partial(chunks: Protocol.Profiler.Profile[]): Protocol.Profiler.Profile | undefined {
  return chunks.length ? mergeCpuProfiles(chunks) : undefined;
}
