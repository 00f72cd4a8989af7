// What every heap-benchmark runner reports, one JSON line each on stdout (a pipe: synchronous on
// Linux, so a line arrives while the runner is still busy): `{"phase":…}` when a phase ends, with
// its duration and the process's RSS then, and one `{"result":…}` at the end with its peak RSS
// (process.resourceUsage().maxRSS, and VmHWM from /proc/self/status where there is one) and its
// CPU time (user + system, all threads: GC helpers included), which a busy machine disturbs less
// than wall time.
// The parent (bench/lib/heapRunner.ts) samples the child's RSS in between and sorts by phase.
import { readFileSync } from 'node:fs';

const started = performance.now();
let lapAt = started;

function vmHwmBytes(): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function emit(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Marks the end of phase `name`. */
export function phase(name: string): void {
  const now = performance.now();
  emit({ phase: name, ms: now - lapAt, rssBytes: process.memoryUsage.rss() });
  lapAt = now;
}

/** Reports the run's outcome; `fields` are the runner's own (counts, what it computed). */
export function finish(fields: Record<string, unknown>): void {
  const usage = process.resourceUsage();
  emit({ result: { ...fields, ms: performance.now() - started, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssBytes: usage.maxRSS * 1024, vmHwmBytes: vmHwmBytes() } });
}

/** Reports a run that could not complete for a reason that is itself the figure (e.g. a string limit). */
export function failed(error: unknown): void {
  finish({ failed: true, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
}
