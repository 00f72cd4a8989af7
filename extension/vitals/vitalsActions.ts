// Pure: what a diagnosis's button does, and the status bar's words while watching. No vscode here.
import { formatMsShort } from '../../server/text/formatMs';
import type { VitalsAction } from '../../server/vitals/vitalsTypes';
import { formatStallMs } from '../../webview/vitals/vitalsText';

export const PROFILE_COMMAND = 'perflens.profileEndpoint';
export const FIND_LEAK_COMMAND = 'perflens.findLeak';
export const TAKE_HEAP_SNAPSHOT_COMMAND = 'perflens.takeHeapSnapshot';

export type ActionPlan =
  | { kind: 'open'; file: string; line: number }
  | { kind: 'command'; command: typeof PROFILE_COMMAND | typeof FIND_LEAK_COMMAND | typeof TAKE_HEAP_SNAPSHOT_COMMAND };

/** What a diagnosis's button does: a line to open, or a PerfLens command (the memory rules: Find Leak, Take Heap Snapshot). */
export function planAction(action: VitalsAction): ActionPlan {
  switch (action.kind) {
    case 'open-block':
      return { kind: 'open', file: action.file, line: action.line };
    case 'open-hottest':
      return action.file && action.line ? { kind: 'open', file: action.file, line: action.line } : { kind: 'command', command: PROFILE_COMMAND };
    case 'profile-cpu':
      return { kind: 'command', command: PROFILE_COMMAND };
    case 'heap-snapshot':
      return { kind: 'command', command: TAKE_HEAP_SNAPSHOT_COMMAND };
    case 'find-leak':
      return { kind: 'command', command: FIND_LEAK_COMMAND };
  }
}

/** host:port from an inspector URL (ws://127.0.0.1:9229/uuid), or undefined. */
export function inspectorAddress(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

/** The status bar while watching: "$(pulse) loop p99 12 ms", a warning past the block threshold. */
export function loopStatus(p99Ms: number, blockThresholdMs: number): { text: string; warn: boolean } {
  return { text: `$(pulse) loop p99 ${formatMsShort(p99Ms)}`, warn: p99Ms > blockThresholdMs };
}

/** The status bar while the loop does not turn: "$(warning) loop blocked 12 s". */
export function stallStatus(ms: number): string {
  return `$(warning) loop blocked ${formatStallMs(ms)}`;
}
