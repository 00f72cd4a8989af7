// Pure: the perflens.vitals.* settings, read through a `get` (a WorkspaceConfiguration's), and the
// params they make for watchVitals and profileEndpoint. No vscode here.
import type { VitalsRunParams } from '../../server/protocol/protocol';

/** The server refuses less (server/rpc/validateParams.ts, MIN_BLOCK_THRESHOLD_MS). */
export const MIN_BLOCK_THRESHOLD_MS = 20;
export const DEFAULT_BLOCK_THRESHOLD_MS = 100;

export interface VitalsSettings {
  capture: boolean;
  blockThresholdMs: number;
  nameBlocks: boolean;
}

type Get = <T>(key: string) => T | undefined;

export function vitalsSettings(get: Get): VitalsSettings {
  const threshold = get<number>('vitals.blockThresholdMs');
  return {
    capture: get<boolean>('vitals.capture') !== false,
    blockThresholdMs: typeof threshold === 'number' && Number.isFinite(threshold) ? Math.max(MIN_BLOCK_THRESHOLD_MS, threshold) : DEFAULT_BLOCK_THRESHOLD_MS,
    nameBlocks: get<boolean>('vitals.nameBlocks') !== false,
  };
}

/** profileEndpoint's `vitals`: off, or the threshold and whether blocks are named. */
export function profileVitalsParams(settings: VitalsSettings): VitalsRunParams {
  return settings.capture ? { blockThresholdMs: settings.blockThresholdMs, nameBlocks: settings.nameBlocks } : { capture: false };
}
