import { parseDuration } from '../load/parseDuration';
import { DEFAULT_VITALS_OPTIONS, MIN_BLOCK_THRESHOLD_MS, type VitalsOptions } from '../vitals/vitalsTypes';
import { UsageError } from './cliError';

/** --block-threshold and --no-pause, shared by profile, load and watch. */
export function vitalsFlags(blockThreshold: string | undefined, noPause: boolean): VitalsOptions {
  let blockThresholdMs = DEFAULT_VITALS_OPTIONS.blockThresholdMs;
  if (blockThreshold !== undefined) {
    try {
      blockThresholdMs = parseDuration(blockThreshold);
    } catch (err) {
      throw new UsageError(`--block-threshold: ${(err as Error).message}`);
    }
    if (blockThresholdMs < MIN_BLOCK_THRESHOLD_MS) throw new UsageError(`--block-threshold: at least ${MIN_BLOCK_THRESHOLD_MS}ms (a shorter stall is ordinary work), not ${blockThreshold}`);
  }
  return { ...DEFAULT_VITALS_OPTIONS, blockThresholdMs, nameBlocks: !noPause };
}
