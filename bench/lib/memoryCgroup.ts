// A memory limit the kernel enforces on one benchmark child: a cgroup v2 child group of this
// process's own group with memory.max set (swap off), where the machine delegates one. Elsewhere
// (cgroup v1, no memory controller, not writable) it says why not, and the benchmark reports the
// measured peak RSS instead. It never touches a group it did not create.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CGROUP2_ROOT = '/sys/fs/cgroup';

export interface MemoryCgroup {
  /** The group's folder; a process is put in it by writing its pid to cgroup.procs. */
  dir: string;
  limitBytes: number;
  /** Peak memory charged to the group (memory.peak, kernel ≥ 5.19), if the kernel has it. */
  peakBytes(): number | undefined;
  /** Times the kernel's OOM killer acted in the group (memory.events oom_kill). */
  oomKills(): number;
  /** Removes the group (its processes must have exited). */
  remove(): void;
}

export type CgroupAttempt = { ok: true; group: MemoryCgroup } | { ok: false; reason: string };

function readNumber(file: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** This process's cgroup v2 path (the `0::/…` line of /proc/self/cgroup), if it has one. */
function ownCgroup2Path(): string | undefined {
  try {
    const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'));
    return line?.slice(3);
  } catch {
    return undefined;
  }
}

/** Makes a child group limited to `limitBytes`, or says why this machine does not allow one. */
export function createMemoryCgroup(name: string, limitBytes: number): CgroupAttempt {
  const controllersFile = join(CGROUP2_ROOT, 'cgroup.controllers');
  if (!existsSync(controllersFile)) {
    const v1 = existsSync(join(CGROUP2_ROOT, 'memory', 'memory.limit_in_bytes'));
    return { ok: false, reason: v1 ? 'the machine has cgroup v1 (its memory hierarchy is the host’s, not delegated to us): no cgroup v2 at /sys/fs/cgroup' : 'no cgroup v2 at /sys/fs/cgroup' };
  }
  if (!readFileSync(controllersFile, 'utf8').split(/\s+/).includes('memory')) return { ok: false, reason: 'cgroup v2 has no memory controller here' };
  const own = ownCgroup2Path();
  if (own === undefined) return { ok: false, reason: 'this process is in no cgroup v2 group' };
  const parent = join(CGROUP2_ROOT, own);
  const subtree = join(parent, 'cgroup.subtree_control');
  try {
    if (!readFileSync(subtree, 'utf8').split(/\s+/).includes('memory')) writeFileSync(subtree, '+memory');
  } catch (err) {
    return { ok: false, reason: `cannot enable the memory controller for ${parent}'s children (${(err as Error).message}): not delegated` };
  }
  const dir = join(parent, name);
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, 'memory.max'), String(limitBytes));
    if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
  } catch (err) {
    try {
      rmdirSync(dir);
    } catch {
      // Never made.
    }
    return { ok: false, reason: `cannot make a limited group under ${parent} (${(err as Error).message})` };
  }
  return {
    ok: true,
    group: {
      dir,
      limitBytes,
      peakBytes: () => readNumber(join(dir, 'memory.peak')),
      oomKills() {
        try {
          const match = /^oom_kill (\d+)$/m.exec(readFileSync(join(dir, 'memory.events'), 'utf8'));
          return match ? Number(match[1]) : 0;
        } catch {
          return 0;
        }
      },
      remove() {
        try {
          rmdirSync(dir);
        } catch {
          // Still busy or already gone: nothing more to do from here.
        }
      },
    },
  };
}
