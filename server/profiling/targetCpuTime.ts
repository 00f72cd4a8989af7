import type { CdpConnection } from '../cdp/connection';

/** The target process's CPU time (user + system, all its threads), ms, read through its inspector. */
export async function targetCpuTimeMs(connection: CdpConnection): Promise<number | undefined> {
  try {
    const { result, exceptionDetails } = await connection.send('Runtime.evaluate', {
      expression: '(() => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; })()',
      returnByValue: true,
      silent: true,
    });
    return !exceptionDetails && typeof result.value === 'number' ? result.value : undefined;
  } catch {
    return undefined; // Not a Node target, or it went away: the figure is simply not known.
  }
}

/** CPU time the target used over a stretch of wall time. */
export interface CpuBusy {
  cpuMs: number;
  wallMs: number;
}
