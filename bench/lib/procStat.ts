import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc/PID/stat times (`getconf CLK_TCK`, normally 100). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    let n = NaN;
    try {
      n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      // getconf missing: Linux's USER_HZ is 100 on every common configuration.
    }
    ticksPerSecond = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** CPU time (user + system, all threads) a process has used so far, in ms, from /proc/PID/stat. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces and parentheses): state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  return ((utime + stime) * 1000) / clockTicksPerSecond();
}

/** PIDs of the direct children of a process (all its threads' children). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const line of execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n')) {
      const n = Number(line.trim());
      if (n > 0) out.push(n);
    }
  } catch {
    // pgrep exits 1 when there is none.
  }
  return out;
}

export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
