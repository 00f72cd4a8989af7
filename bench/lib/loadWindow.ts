import type { Protocol } from 'devtools-protocol';
import type { CdpConnection } from '../../server/cdp/connection';
import type { LoadOptions, LoadSummary } from '../../server/load/loadTypes';
import { runLoad } from '../../server/load/runLoad';
import { profileUnderLoad } from '../../server/profiling/profileUnderLoad';
import { processCpuMs } from './procStat';
import { QueryAgent } from '../../server/agent/queryAgent';
import type { ArmOptions } from '../../server/agent/agent';

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
}

export function loadOptions(url: string, durationMs: number, rate?: number): LoadOptions {
  return { url, method: 'GET', headers: {}, connections: 8, durationMs, timeoutMs: 10_000, ...(rate ? { rate } : {}) };
}

/**
 * One measurement window on the service `pid`: CPU time from /proc around the whole window. With
 * `profiling`, the window is exactly what `perflens profile` does (profileUnderLoad: enable,
 * setSamplingInterval, start, 5-s chunk rotation, stop, disable), so its costs are all counted.
 */
export async function measureWindow(pid: number, load: LoadOptions, profiling?: { connection: CdpConnection; samplingIntervalUs: number }, queries?: { connection: CdpConnection; options?: Partial<ArmOptions> }): Promise<WindowResult> {
  const started = performance.now();
  const cpuBefore = processCpuMs(pid);
  // With `queries`, the agent is armed and disarmed inside the window, as a profile run does: its whole cost is counted.
  const agent = queries ? await QueryAgent.arm(queries.connection, queries.options) : undefined;
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
  };
}
