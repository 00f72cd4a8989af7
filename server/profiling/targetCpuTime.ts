import { readFile } from 'node:fs/promises';
import type { CpuBusy } from '../analysis/reportTypes';
import type { CdpConnection } from '../cdp/connection';


/** One reading of the target's clocks. */
export interface CpuReading {
  cpuMs: number;
  runQueueMs?: number;
}

/**
 * The target's CPU time through its inspector, and (for a process on this machine) how long its main
 * thread has waited on the run queue. Undefined when the target cannot say (not Node, gone).
 */
export async function readTargetCpu(connection: CdpConnection): Promise<CpuReading | undefined> {
  let value: unknown;
  try {
    const { result, exceptionDetails } = await connection.send('Runtime.evaluate', {
      expression: '(() => { const u = process.cpuUsage(); return { cpuMs: (u.user + u.system) / 1000, pid: process.pid }; })()',
      returnByValue: true,
      silent: true,
    });
    if (exceptionDetails) return undefined;
    value = result.value;
  } catch {
    return undefined; // Not a Node target, or it went away: the figure is simply not known.
  }
  const { cpuMs, pid } = (value ?? {}) as { cpuMs?: unknown; pid?: unknown };
  if (typeof cpuMs !== 'number') return undefined;
  const runQueueMs = typeof pid === 'number' ? await runQueueWaitMs(pid) : undefined;
  return { cpuMs, ...(runQueueMs !== undefined ? { runQueueMs } : {}) };
}

/** /proc/PID/schedstat: "time on CPU, time waiting on a run queue (ns), timeslices" of the main thread. */
async function runQueueWaitMs(pid: number): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/schedstat`, 'utf8').catch(() => undefined);
  const wait = text ? Number(text.trim().split(/\s+/)[1]) : NaN;
  return Number.isFinite(wait) ? wait / 1e6 : undefined;
}

/** The figures between two readings. */
export function cpuBetween(before: CpuReading | undefined, after: CpuReading | undefined, wallMs: number): CpuBusy | undefined {
  if (!before || !after) return undefined;
  const runQueueMs = before.runQueueMs !== undefined && after.runQueueMs !== undefined ? after.runQueueMs - before.runQueueMs : undefined;
  return { cpuMs: after.cpuMs - before.cpuMs, wallMs, ...(runQueueMs !== undefined ? { runQueueMs } : {}) };
}
