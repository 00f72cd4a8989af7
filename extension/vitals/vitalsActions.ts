// Pure: what a diagnosis's button does, and the status bar's words while watching. No vscode here.
import { formatMsShort } from '../../server/text/formatMs';
import type { VitalsAction } from '../../server/vitals/vitalsTypes';
import { formatStallMs } from '../../webview/vitals/vitalsText';

export const PROFILE_COMMAND = 'perflens.profileEndpoint';

export type ActionPlan =
  | { kind: 'open'; file: string; line: number }
  | { kind: 'command'; command: typeof PROFILE_COMMAND }
  /** Nothing to run in PerfLens yet: a sentence saying how to do it today, shown under the diagnosis. */
  | { kind: 'notice'; text: string };

/** How to reach the service's inspector from Chrome's DevTools today. */
function devtoolsSteps(inspector: string | undefined): string {
  return `open chrome://inspect in Chrome or Edge, add ${inspector ?? "the service's inspector (host:port)"} under "Discover network targets" → Configure…, then click "inspect" under your service`;
}

/** `inspector`: host:port of the service's inspector, when known. */
export function planAction(action: VitalsAction, inspector?: string): ActionPlan {
  switch (action.kind) {
    case 'open-block':
      return { kind: 'open', file: action.file, line: action.line };
    case 'open-hottest':
      return action.file && action.line ? { kind: 'open', file: action.file, line: action.line } : { kind: 'command', command: PROFILE_COMMAND };
    case 'profile-cpu':
      return { kind: 'command', command: PROFILE_COMMAND };
    case 'heap-snapshot':
      return {
        kind: 'notice',
        text: `PerfLens does not take heap snapshots yet. To take one today, ${devtoolsSteps(inspector)}; in its Memory tab pick "Heap snapshot" and Take snapshot. The service stops while the snapshot is written (seconds on a large heap).`,
      };
    case 'find-leak':
      return {
        kind: 'notice',
        text: `PerfLens does not compare heap snapshots yet. To find what grows today, ${devtoolsSteps(inspector)}; in its Memory tab take a heap snapshot, let the service work (under load) for a minute or two, take a second one, and view it as "Comparison": what was allocated between the two and kept, largest size delta first, with its retainers. Each snapshot stops the service while it is written.`,
      };
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
