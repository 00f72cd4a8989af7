import type { Protocol } from 'devtools-protocol';
import type { CdpConnection } from '../../server/cdp/connection';
import type { LoadOptions, LoadSummary } from '../../server/load/loadTypes';
import { runLoad } from '../../server/load/runLoad';
import { profileUnderLoad } from '../../server/profiling/profileUnderLoad';
import { processCpuMs } from './procStat';
import { QueryAgent } from '../../server/agent/queryAgent';
import type { ArmOptions } from '../../server/agent/agent';
import { VitalsStream } from '../../server/agent/vitalsStream';
import { AGENT_BINDING } from '../../server/queries/captureTypes';
import type { VitalsOptions } from '../../server/vitals/vitalsTypes';

export interface WindowResult {
  /** CPU time the service used over the window (user + system, all threads), ms. */
  cpuMs: number;
  requests: number;
  rps: number;
  cpuMsPerRequest: number;
  /** Failed requests and non-2xx answers. */
  errors: number;
  wallMs: number;
  profile?: Protocol.Profiler.Profile;
  /** With `queries`: the queries the agent recorded over the window. */
  queries?: number;
  /** With `vitals`: what the lease carried. */
  vitals?: VitalsWindow;
}

/** What one vitals lease carried over a window, counted on the bench's side of the connection. */
export interface VitalsWindow {
  /** Samples the stream handed to its listener. */
  samples: number;
  /** Messages the agent pushed through the binding (Runtime.bindingCalled), by type. */
  pushed: { beats: number; samples: number; stalls: number };
  /** Blocks and stall reports the stream told its listener about. */
  blocks: number;
  stallReports: number;
  /** Debugger.paused events on the connection (the watchdog's pauses, with nameBlocks). */
  pauses: number;
  /** Whether the stream located blocks by pausing (Debugger enabled). */
  pauseCapture: boolean;
  /** From just before acquire() to just after release(), ms. */
  leaseMs: number;
}

export function loadOptions(url: string, durationMs: number, rate?: number): LoadOptions {
  return { url, method: 'GET', headers: {}, connections: 8, durationMs, timeoutMs: 10_000, ...(rate ? { rate } : {}) };
}

/**
 * One measurement window on the service `pid`: CPU time from /proc around the whole window. With
 * `profiling`, the window is exactly what `perflens profile` does (profileUnderLoad: enable,
 * setSamplingInterval, start, 5-s chunk rotation, stop, disable), so its costs are all counted.
 * With `vitals`, a VitalsStream lease is acquired before the load and released after it (agent
 * sampling started and stopped, the Debugger enabled and disabled with nameBlocks), inside the window.
 */
export async function measureWindow(
  pid: number,
  load: LoadOptions,
  profiling?: { connection: CdpConnection; samplingIntervalUs: number },
  queries?: { connection: CdpConnection; options?: Partial<ArmOptions> },
  vitals?: { connection: CdpConnection; options: VitalsOptions },
): Promise<WindowResult> {
  const started = performance.now();
  const cpuBefore = processCpuMs(pid);
  // With `queries`, the agent is armed and disarmed inside the window, as a profile run does: its whole cost is counted.
  const agent = queries ? await QueryAgent.arm(queries.connection, queries.options) : undefined;
  const watch = vitals ? await watchVitals(vitals.connection, vitals.options) : undefined;
  let summary: LoadSummary;
  let profile: Protocol.Profiler.Profile | undefined;
  if (profiling) {
    const result = await profileUnderLoad({ connection: profiling.connection, load, samplingIntervalUs: profiling.samplingIntervalUs });
    summary = result.load;
    profile = result.profile;
  } else {
    summary = await runLoad(load);
  }
  const captured = agent ? (await agent.disarm()).executions.length : undefined;
  const carried = watch ? await watch.end() : undefined;
  const cpuMs = processCpuMs(pid) - cpuBefore;
  return {
    cpuMs,
    requests: summary.requests,
    rps: summary.rps,
    cpuMsPerRequest: summary.requests > 0 ? cpuMs / summary.requests : NaN,
    errors: summary.errors.total + summary.errors.non2xx,
    wallMs: performance.now() - started,
    profile,
    ...(captured !== undefined ? { queries: captured } : {}),
    ...(carried ? { vitals: carried } : {}),
  };
}

/** Acquires a vitals lease with a listener and counters on it; `end()` releases it and says what it carried. */
async function watchVitals(connection: CdpConnection, options: VitalsOptions): Promise<{ end(): Promise<VitalsWindow> }> {
  const began = performance.now();
  const counts: Omit<VitalsWindow, 'pauseCapture' | 'leaseMs'> = { samples: 0, pushed: { beats: 0, samples: 0, stalls: 0 }, blocks: 0, stallReports: 0, pauses: 0 };
  // Counted from the events themselves, before the stream sees them: what the agent pushed.
  const onBinding = connection.on('Runtime.bindingCalled', ({ name, payload }) => {
    if (name !== AGENT_BINDING) return;
    const type = /^\{"type":"(\w+)"/.exec(payload)?.[1];
    if (type === 'beat') counts.pushed.beats++;
    else if (type === 'vitals') counts.pushed.samples++;
    else if (type === 'stall') counts.pushed.stalls++;
  });
  const onPaused = connection.on('Debugger.paused', () => counts.pauses++);
  let lease;
  try {
    lease = await VitalsStream.acquire(connection, options);
  } catch (err) {
    onBinding.dispose();
    onPaused.dispose();
    throw err;
  }
  const listener = lease.stream.subscribe({ sample: () => counts.samples++, block: () => counts.blocks++, stall: () => counts.stallReports++ });
  const pauseCapture = lease.stream.status.pauseCapture;
  return {
    async end() {
      listener.dispose();
      await lease.release();
      onBinding.dispose();
      onPaused.dispose();
      return { ...counts, pauseCapture, leaseMs: performance.now() - began };
    },
  };
}
