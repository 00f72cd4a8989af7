// The one sentence a profile opens with, and the verdict behind it. It must not mislead: when most
// answers were errors it says so first; when the service mostly waited it says the endpoint is not
// CPU-bound; otherwise it names the costliest function of the user's own code, with framework and
// Node.js time shown as groups rather than as the culprit. Pure.
import { describeFailures, failedShare } from '../load/describeFailures';
import type { LoadSummary } from '../load/loadTypes';
import { originLabel, type CodeOrigin } from './codeOrigin';
import type { FunctionCost, LineCost } from './reportTypes';

export type Verdict = 'mostly-errors' | 'not-cpu-bound' | 'fast' | 'own-code' | 'no-own-code' | 'empty';

export interface OriginGroup {
  origin: CodeOrigin;
  /** 'your code', 'express', 'Node.js internals', 'V8 (GC and native work)'. */
  name: string;
  selfMs: number;
  selfShare: number;
}

export interface ProfileSummary {
  verdict: Verdict;
  headline: string;
  /** The costliest function of the user's own code, by self time. */
  hottestOwnFunction?: FunctionCost;
  /** The costliest line of the user's own code: where "Go to Hot Line" goes. */
  hottestOwnLine?: LineCost;
  /** Self time by origin, biggest first (dependencies by package). */
  groups: OriginGroup[];
  /** The target's CPU time per completed request during the load, ms, when measured. */
  cpuPerRequestMs?: number;
}

export interface HeadlineInput {
  functions: readonly FunctionCost[];
  lines: readonly LineCost[];
  durationMs: number;
  load?: LoadSummary;
  /** Share of the profile the event loop sat idle (waiting for I/O or timers). */
  idleShare: number;
  /** The target's CPU time over the load, when known. */
  cpu?: { cpuMs: number; wallMs: number };
}

/** Node's native socket writes: time sampled in them is time spent handing bytes to the kernel (and waiting for it). */
const SOCKET_WRITES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeUcs2String']);

/** Share of the profile in socket writes (natives, no script). */
function socketShare(functions: readonly FunctionCost[]): number {
  return functions.reduce((sum, f) => (f.origin === 'node' && f.file === '' && SOCKET_WRITES.has(f.name) ? sum + f.selfShare : sum), 0);
}

/**
 * Under load that keeps every connection busy, a service whose event loop still sat idle this share
 * of the time (or whose CPU was busy less than NOT_CPU_BOUND_BUSY of the wall time) is waiting on
 * something else. Both are read because on a shared machine a CPU-bound process is also descheduled:
 * that lowers its busy share but never makes its event loop idle. On such a machine a service that
 * waits on its database shows its waiting in socket writes instead (the kernel runs the database
 * and the load generator on the cores it shares), so idle plus socket writes at or above
 * NOT_CPU_BOUND_IO counts too.
 */
export const NOT_CPU_BOUND_IDLE = 0.2;
export const NOT_CPU_BOUND_IO = 0.5;
export const NOT_CPU_BOUND_BUSY = 0.4;
/**
 * A service answering in less than this (mean, ms) whose loop still idles under saturating load is
 * not waiting on anything: the load generator, on the same machine, could not keep it busy.
 */
export const FAST_ENDPOINT_MS = 2;
/** Below this share of the CPU the user's own code is cheap: the headline says where the rest goes. */
export const CHEAP_OWN_CODE = 0.05;
/** At a fixed arrival rate: requests whose CPU time is below this share of their mean latency mostly wait. */
export const NOT_CPU_BOUND_CPU_PER_LATENCY = 0.3;
/** At or above this share of failed requests, the profile is the error path's. */
export const MOSTLY_ERRORS_FROM = 0.5;

const pct = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;

export function summarizeProfile(input: HeadlineInput): ProfileSummary {
  const { functions, lines, load } = input;
  const groups = originGroups(functions, input.durationMs);
  const hottestOwnFunction = functions.find((f) => f.origin === 'own' && f.samples > 0);
  const hottestOwnLine = lines.find((l) => l.origin === 'own' && l.samples > 0);
  const cpuPerRequestMs = load && input.cpu && load.requests > 0 ? input.cpu.cpuMs / load.requests : undefined;
  const base = { groups, ...(hottestOwnFunction ? { hottestOwnFunction } : {}), ...(hottestOwnLine ? { hottestOwnLine } : {}), ...(cpuPerRequestMs !== undefined ? { cpuPerRequestMs } : {}) };
  const own = hottestOwnFunction ? `${hottestOwnFunction.name} (${shortFile(hottestOwnFunction.file)}:${hottestOwnFunction.line}) ${pct(hottestOwnFunction.selfShare)}` : undefined;

  if (load && failedShare(load) >= MOSTLY_ERRORS_FROM) {
    const attempted = load.requests + load.errors.total;
    return {
      ...base,
      verdict: 'mostly-errors',
      headline: `${load.errors.failed} of ${attempted} requests failed (${describeFailures(load.errors)}): this profile shows how the service answers errors, not what the endpoint costs. Fix the request and profile again.`,
    };
  }
  if (functions.length === 0 || functions.every((f) => f.samples === 0)) return { ...base, verdict: 'empty', headline: 'The profile has no samples of running code.' };
  if (load && notCpuBound(input, load, cpuPerRequestMs)) {
    const where = groups.filter((g) => g.origin !== 'own').slice(0, 2).map((g) => `${g.name} ${pct(g.selfShare)}`).join(', ');
    const usedCpu = `Of the CPU it used: ${own ? `your hottest function ${own}` : 'none in your own code'}${where ? `; ${where}` : ''}.`;
    if (load.rate === undefined && load.latency.mean < FAST_ENDPOINT_MS) {
      return {
        ...base,
        verdict: 'fast',
        headline: `Fast: ${load.rps.toFixed(0)} req/s at a mean latency of ${load.latency.mean.toFixed(2)} ms, and its event loop still sat idle ${pct(input.idleShare)}: the load generator on this machine was the limit, not the service. ${usedCpu}`,
      };
    }
    const busy = input.cpu && input.cpu.wallMs > 0 ? `its CPU was busy ${pct(input.cpu.cpuMs / input.cpu.wallMs)} of the load, ` : '';
    const io = socketShare(functions);
    const writes = io >= 0.05 ? ` and ${pct(io)} went to socket writes (answers to its clients, calls to its database and other services)` : '';
    const perRequest = cpuPerRequestMs !== undefined ? ` Each request took about ${cpuPerRequestMs.toFixed(1)} ms of CPU against a mean latency of ${load.latency.mean.toFixed(1)} ms.` : '';
    return {
      ...base,
      verdict: 'not-cpu-bound',
      headline: `Not CPU-bound: ${busy}its event loop sat idle ${pct(input.idleShare)} of it${writes}: the endpoint's time goes to I/O (the database, the network, timers), not to computation, and a CPU profile does not show that wait.${perRequest} ${usedCpu}`,
    };
  }
  if (!hottestOwnFunction) {
    const where = groups.slice(0, 3).map((g) => `${g.name} ${pct(g.selfShare)}`).join(', ');
    return { ...base, verdict: 'no-own-code', headline: `None of your own code shows up in this profile; the CPU went to ${where}.` };
  }
  const others = groups.filter((g) => g.origin !== 'own' && g.selfShare >= 0.05).slice(0, 2).map((g) => `${g.name} ${pct(g.selfShare)}`);
  if (hottestOwnFunction.selfShare < CHEAP_OWN_CODE && others.length) {
    return { ...base, verdict: 'own-code', headline: `Your own code is cheap here: its hottest function ${own} of the CPU (self time); the CPU goes to ${others.join(', ')}.` };
  }
  return {
    ...base,
    verdict: 'own-code',
    headline: `${hottestOwnFunction.name} (${shortFile(hottestOwnFunction.file)}:${hottestOwnFunction.line}) takes ${pct(hottestOwnFunction.selfShare)} of the CPU (self time)${others.length ? `; also ${others.join(', ')}` : ''}.`,
  };
}

function notCpuBound(input: HeadlineInput, load: LoadSummary, cpuPerRequestMs: number | undefined): boolean {
  if (load.rate === undefined) {
    const busy = input.cpu && input.cpu.wallMs > 0 ? input.cpu.cpuMs / input.cpu.wallMs : undefined;
    return input.idleShare >= NOT_CPU_BOUND_IDLE || input.idleShare + socketShare(input.functions) >= NOT_CPU_BOUND_IO || (busy !== undefined && busy < NOT_CPU_BOUND_BUSY);
  }
  // A fixed rate leaves the loop idle between requests whatever they cost: judge each request.
  return cpuPerRequestMs !== undefined && load.latency.mean > 0 && cpuPerRequestMs < NOT_CPU_BOUND_CPU_PER_LATENCY * load.latency.mean;
}

function originGroups(functions: readonly FunctionCost[], durationMs: number): OriginGroup[] {
  const byName = new Map<string, OriginGroup>();
  for (const f of functions) {
    const name = originLabel(f);
    const group = byName.get(name) ?? { origin: f.origin, name, selfMs: 0, selfShare: 0 };
    group.selfMs += f.selfMs;
    byName.set(name, group);
  }
  const groups = [...byName.values()];
  for (const g of groups) g.selfShare = durationMs > 0 ? g.selfMs / durationMs : 0;
  return groups.filter((g) => g.selfMs > 0).sort((a, b) => b.selfMs - a.selfMs || (a.name < b.name ? -1 : 1));
}

/** The last two parts of a path: 'report/scoreOrders.ts'. */
function shortFile(file: string): string {
  return file.split(/[\\/]/).slice(-2).join('/');
}
