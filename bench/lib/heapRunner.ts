// Runs one heap-benchmark runner (bench/heapRunners/*) in its own process group, so that its peak
// RSS is its own, and measures it from outside too: VmRSS from /proc/<pid>/status every 50 ms,
// sorted into the phases the runner announces (bench/heapRunners/childReport.mjs). Optionally in a
// memory cgroup (bench/lib/memoryCgroup.ts). Bounded by a timeout; the group is killed on every
// way out (bench/lib/processes.ts). The runners are bundled with esbuild first, so that no tsx
// runs in the measured processes.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MemoryCgroup } from './memoryCgroup';
import { root, startGroup } from './processes';

const SAMPLE_MS = 50;

export type RunnerName = 'ours' | 'memlab' | 'jsonParse';

/** Bundles bench/heapRunners/<name>.ts into `outDir`/<name>.js (CommonJS, Node 20) and returns their paths. */
export async function bundleRunners(outDir: string): Promise<Record<RunnerName, string>> {
  const names: RunnerName[] = ['ours', 'memlab', 'jsonParse'];
  await build({
    entryPoints: Object.fromEntries(names.map((n) => [n, join(root, 'bench', 'heapRunners', `${n}.ts`)])),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    absWorkingDir: root,
  });
  return Object.fromEntries(names.map((n) => [n, join(outDir, `${n}.js`)])) as Record<RunnerName, string>;
}

/** One phase of a run: how long it took and the most RSS seen during it. */
export interface PhaseFigure {
  name: string;
  ms: number;
  /** Max of the runner's own figure at the phase's end and the samples taken during it. */
  peakRssBytes: number;
  /** RSS when the phase ended (the runner's own figure). */
  endRssBytes: number;
}

export interface RunnerResult {
  /** The runner's `result` line: its own fields plus ms, cpuMs, maxRssBytes, vmHwmBytes. */
  result: Record<string, unknown> & { ms: number; cpuMs?: number; maxRssBytes: number; vmHwmBytes?: number; failed?: boolean; error?: string };
  phases: PhaseFigure[];
  /** The largest VmRSS sampled from outside. */
  sampledPeakRssBytes: number;
  /** Peak RSS: the runner's maxRSS (getrusage), or the sampled peak when that is larger. */
  peakRssBytes: number;
  wallMs: number;
  /** Set when the kernel or the timeout ended it: what happened. */
  killed?: string;
  cgroup?: { limitBytes: number; peakBytes?: number; oomKills: number };
}

function vmRssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Options {
  timeoutMs: number;
  /** Node flags before the script (e.g. --max-old-space-size). */
  nodeArgs?: string[];
  cgroup?: MemoryCgroup;
  /** Hears each phase as it ends (for progress lines). */
  onPhase?(phase: PhaseFigure): void;
}

/** Runs `node [nodeArgs] script args…` and gathers its figures; rejects when it fails without a result. */
export async function runHeapRunner(script: string, args: string[], options: Options): Promise<RunnerResult> {
  const nodeArgv = [...(options.nodeArgs ?? []), script, ...args];
  // In a cgroup, a shell puts itself in the group and then becomes node: nothing runs outside it.
  const group = options.cgroup
    ? startGroup('/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', options.cgroup.dir, process.execPath, ...nodeArgv])
    : startGroup(process.execPath, nodeArgv);
  const began = performance.now();
  const samples: { at: number; rss: number }[] = [];
  const marks: { at: number; name: string; ms: number; rssBytes: number }[] = [];
  let result: RunnerResult['result'] | undefined;
  let pending = '';
  group.child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let value: { phase?: string; ms?: number; rssBytes?: number; result?: RunnerResult['result'] };
      try {
        value = JSON.parse(line) as typeof value;
      } catch {
        continue; // Some other output of the runner: kept in the group's tail for errors.
      }
      if (value.result) result = value.result;
      else if (value.phase !== undefined) {
        const mark = { at: performance.now() - began, name: value.phase, ms: value.ms ?? 0, rssBytes: value.rssBytes ?? 0 };
        marks.push(mark);
        const peak = Math.max(mark.rssBytes, ...samples.filter((s) => s.at > (marks[marks.length - 2]?.at ?? -1)).map((s) => s.rss));
        options.onPhase?.({ name: mark.name, ms: mark.ms, peakRssBytes: peak, endRssBytes: mark.rssBytes });
      }
    }
  });
  const sampler = setInterval(() => {
    const rss = vmRssBytes(group.pid);
    if (rss !== undefined) samples.push({ at: performance.now() - began, rss });
  }, SAMPLE_MS);
  let killed: string | undefined;
  const timer = setTimeout(() => {
    killed = `ran over ${options.timeoutMs / 1000} s: killed`;
    void group.stop('SIGKILL', 0);
  }, options.timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => group.child.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  clearInterval(sampler);
  await group.stop('SIGKILL', 0);
  const wallMs = performance.now() - began;

  const cgroup = options.cgroup ? { limitBytes: options.cgroup.limitBytes, peakBytes: options.cgroup.peakBytes(), oomKills: options.cgroup.oomKills() } : undefined;
  if (!killed && signal === 'SIGKILL' && cgroup && cgroup.oomKills > 0) killed = `killed by the kernel's OOM killer at the cgroup's limit of ${(cgroup.limitBytes / 1e6).toFixed(0)} MB`;
  else if (!killed && signal) killed = `ended by ${signal}`;
  const sampledPeakRssBytes = Math.max(0, ...samples.map((s) => s.rss));
  const phases: PhaseFigure[] = marks.map((mark, i) => {
    const from = i ? marks[i - 1].at : -1;
    const during = samples.filter((s) => s.at > from && s.at <= mark.at).map((s) => s.rss);
    return { name: mark.name, ms: mark.ms, peakRssBytes: Math.max(mark.rssBytes, ...during), endRssBytes: mark.rssBytes };
  });
  if (!result) {
    if (killed) {
      return { result: { failed: true, error: killed, ms: wallMs, maxRssBytes: sampledPeakRssBytes }, phases, sampledPeakRssBytes, peakRssBytes: sampledPeakRssBytes, wallMs, killed, cgroup };
    }
    throw new Error(`${script} ${args.join(' ')} gave no result (exit code ${code}, signal ${signal}):\n${group.tail.join('\n')}`);
  }
  return { result, phases, sampledPeakRssBytes, peakRssBytes: Math.max(result.maxRssBytes, sampledPeakRssBytes), wallMs, killed, cgroup };
}
