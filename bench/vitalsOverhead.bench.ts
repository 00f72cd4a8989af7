// What watching a service's vitals costs it: VitalsStream.acquire with DEFAULT_VITALS_OPTIONS, with
// and without locating blocks (nameBlocks: the server enables the Debugger domain in its session and
// its watchdog is armed; nothing blocks here, so it should never pause), against windows with no
// lease, in a shuffled order per round, on one demo process and one CDP connection. The endpoints:
// GET /report (tens of ms of CPU per request: several in one loop turn make a stall of 100 ms or
// more, which the watchdog does pause for) and GET /health (nearly free: the worst case for the
// agent's fixed cost per second: a 10-ms tick, a beat through the binding every 30 ms, a sample once
// a second). First at a fixed arrival rate (CPU time per request from /proc/PID/stat), then
// saturating (8 connections: throughput). Each watched window acquires its lease before the load and
// releases it after, so starting and stopping are counted too. Ratios are per round against that
// round's off window of the same endpoint. On this Node.js, and again on code-server's Node 24 when
// installed. Besides: what the binding carried per second, and the fixed cost of a watch on the
// idle service (CPU from the target's own process.cpuUsage(), read through the inspector: /proc's
// 10-ms ticks are too coarse for a few seconds of an idle process).
import { existsSync } from 'node:fs';
import type { CdpConnection } from '../server/cdp/connection';
import { evaluateInTarget } from '../server/agent/agentInstall';
import { VitalsStream } from '../server/agent/vitalsStream';
import { DEFAULT_VITALS_OPTIONS, type VitalsOptions } from '../server/vitals/vitalsTypes';
import { loadOptions, measureWindow, type VitalsWindow, type WindowResult } from './lib/loadWindow';
import { startDemoUnderInspector } from './lib/demoUnderInspector';
import { NODE24 } from './lib/processes';
import { clockTicksPerSecond } from './lib/procStat';
import { writeResult, type Figure } from './lib/results';
import { fmtRatio, median, roundsFromEnv, shuffled, sleep, spread } from './lib/stats';

const DEFAULT_ROUNDS = 3;
const WINDOW_MS = 3_500;
const WARMUP_MS = 2_000;
const CAPACITY_MS = 3_000;
const RATE_SHARE = 0.55;
/** Each variant watches the idle service this long (and 'off' does not). */
const IDLE_MS = 2_000;
/** The issue's goal: ≤ 1 % CPU per request, ≥ 99 % of the throughput. */
const GOAL = 0.01;
const ENDPOINTS = [
  { name: 'GET /report', path: '/report' },
  { name: 'GET /health', path: '/health' },
];
const VARIANTS = ['off', 'vitals', 'vitals+stall capture'] as const;
type Variant = (typeof VARIANTS)[number];
type Watched = Exclude<Variant, 'off'>;
const WATCHED: readonly Watched[] = ['vitals', 'vitals+stall capture'];
/** What each variant acquires: nothing, sampling only, sampling with blocks located by pausing (the default). */
const OPTIONS: Record<Variant, VitalsOptions | undefined> = {
  off: undefined,
  vitals: { ...DEFAULT_VITALS_OPTIONS, nameBlocks: false },
  'vitals+stall capture': { ...DEFAULT_VITALS_OPTIONS, nameBlocks: true },
};

/** What the binding carried over one kind of window (fixed rate or saturating) of one variant. */
interface Carried {
  windows: number;
  samplesPerWindow: number[];
  beatsPerS: number[];
  samplesPerS: number[];
  stalls: number;
  blocks: number;
  pauses: number;
}

async function main(): Promise<void> {
  const began = performance.now();
  const rounds = roundsFromEnv(DEFAULT_ROUNDS);
  const notes: string[] = [];
  const figures: Figure[] = [];
  const details: Record<string, unknown> = { windowMs: WINDOW_MS, rateShare: RATE_SHARE, idleMs: IDLE_MS, options: OPTIONS };
  const runtimes = [{ name: `Node ${process.version}`, node: process.execPath }, ...(existsSync(NODE24) ? [{ name: 'Node 24', node: NODE24 }] : [])];
  if (runtimes.length === 1) notes.push("Node 24 (code-server's) is not installed: measured on this Node only");
  details.runtimes = runtimes.map((r) => r.name);
  console.log(`vitals overhead: ${ENDPOINTS.map((e) => e.name).join(' and ')} on ${runtimes.map((r) => r.name).join(' and ')}, ${rounds} rounds of ${VARIANTS.length} × 2 windows of ${WINDOW_MS / 1000} s each (CLK_TCK ${clockTicksPerSecond()})`);
  for (const runtime of runtimes) figures.push(...(await measureRuntime(runtime, rounds, notes, details)));
  for (const f of figures) console.log(`  ${f.what}: ${f.ratio} min/median/max ${fmtRatio(f.spread)} (${f.context})`);
  // Read, not enforced: a figure, never a pass/fail criterion.
  const missed = figures.filter((f) => (f.what.includes('throughput') ? f.spread.median < 1 - GOAL : f.spread.median > 1 + GOAL));
  notes.push(`goal (CPU per request ≤ ${1 + GOAL}, throughput ≥ ${1 - GOAL}; medians over rounds): ${missed.length ? `missed by ${missed.length} of ${figures.length} figures` : 'met by every figure'}`);
  writeResult({ name: 'vitalsOverhead', figures, details, notes: [...new Set(notes)], elapsedMs: performance.now() - began });
}

async function measureRuntime(runtime: { name: string; node: string }, rounds: number, notes: string[], details: Record<string, unknown>): Promise<Figure[]> {
  const demo = await startDemoUnderInspector(runtime.node);
  const { target, connection, base } = demo;
  const figures: Figure[] = [];
  const perRuntime: Record<string, unknown> = {};
  details[runtime.name] = perRuntime;
  try {
    // The first lease installs the agent and enables the Debugger for the first time: nobody's window.
    for (const variant of WATCHED) await (await VitalsStream.acquire(connection, OPTIONS[variant]!)).release();
    perRuntime.idle = await measureIdle(connection, runtime.name);

    for (const endpoint of ENDPOINTS) {
      const url = `${base}${endpoint.path}`;
      const label = `${endpoint.name}, ${runtime.name}`;
      await measureWindow(target.pid, loadOptions(url, WARMUP_MS));
      await measureWindow(target.pid, loadOptions(url, 1_500), undefined, undefined, watching('vitals+stall capture', connection));
      const capacity = await measureWindow(target.pid, loadOptions(url, CAPACITY_MS));
      const rate = Math.max(1, Math.round(capacity.rps * RATE_SHARE));
      console.log(`  ${label}: capacity ${capacity.rps.toFixed(1)} req/s, ${capacity.cpuMsPerRequest.toFixed(3)} CPU ms/request; fixed rate ${rate} req/s`);
      const perRound: Array<Record<Variant, { rate: WindowResult; saturated: WindowResult }>> = [];
      for (let round = 1; round <= rounds; round++) {
        const rateWindows = new Map<Variant, WindowResult>();
        for (const variant of shuffled(VARIANTS)) rateWindows.set(variant, await measureWindow(target.pid, loadOptions(url, WINDOW_MS, rate), undefined, undefined, watching(variant, connection)));
        const windows = {} as Record<Variant, { rate: WindowResult; saturated: WindowResult }>;
        for (const variant of shuffled(VARIANTS)) windows[variant] = { rate: rateWindows.get(variant)!, saturated: await measureWindow(target.pid, loadOptions(url, WINDOW_MS), undefined, undefined, watching(variant, connection)) };
        for (const [variant, w] of Object.entries(windows)) {
          if (w.rate.errors || w.saturated.errors) notes.push(`${label}: a window had failed or non-2xx requests`);
          for (const v of [w.rate.vitals, w.saturated.vitals]) {
            if (!v) continue;
            // A broken agent (or binding) must not pass as "no cost".
            if (v.samples === 0) throw new Error(`${label}, ${variant}: no vitals sample reached the listener in a ${WINDOW_MS / 1000}-s window (the binding carried ${v.pushed.beats} beats, ${v.pushed.samples} samples)`);
            if (variant === 'vitals+stall capture' && !v.pauseCapture) notes.push(`${label}: Debugger.enable failed: the stall capture variant ran without pauses armed`);
          }
        }
        perRound.push(windows);
        const ratio = (v: Watched) => `CPU/req ×${(windows[v].rate.cpuMsPerRequest / windows.off.rate.cpuMsPerRequest).toFixed(3)}, req/s ×${(windows[v].saturated.rps / windows.off.saturated.rps).toFixed(3)}`;
        const sc = windows['vitals+stall capture'];
        const says = (v: VitalsWindow) => `${v.samples} samples, ${v.pushed.beats} beats, ${v.pushed.stalls} stalls, ${v.pauses} pauses`;
        console.log(`  round ${round}/${rounds}: vitals ${ratio('vitals')}; +stall capture ${ratio('vitals+stall capture')} (its windows: at the rate ${says(sc.rate.vitals!)}; saturating ${says(sc.saturated.vitals!)})`);
      }

      const cpu = (v: Variant) => perRound.map((r) => r[v].rate.cpuMsPerRequest);
      const rps = (v: Variant) => perRound.map((r) => r[v].saturated.rps);
      const carried = {} as Record<Watched, { rate: Carried; saturated: Carried }>;
      for (const variant of WATCHED) {
        carried[variant] = { rate: summarise(perRound.map((r) => r[variant].rate.vitals!)), saturated: summarise(perRound.map((r) => r[variant].saturated.vitals!)) };
        const c = carried[variant];
        const pausing = (k: Carried) => (variant === 'vitals+stall capture' ? `; ${k.pauses} pauses in ${k.windows} windows` : '');
        const name = variant === 'vitals' ? 'vitals (sampling only)' : 'vitals + stall capture (Debugger on, watchdog armed)';
        figures.push({
          what: `${name}: CPU time per request, ${label} at ${rate} req/s (goal ≤ ${1 + GOAL})`,
          ratio: `${variant} / off`,
          rounds: perRound.length,
          spread: spread(perRound.map((r) => r[variant].rate.cpuMsPerRequest / r.off.rate.cpuMsPerRequest)),
          context: `off ${median(cpu('off')).toFixed(3)} ms/req, ${variant} ${median(cpu(variant)).toFixed(3)} ms/req; ${c.rate.stalls} stalls${pausing(c.rate)}`,
        });
        figures.push({
          what: `${name}: throughput, ${label}, 8 connections (goal ≥ ${1 - GOAL})`,
          ratio: `${variant} / off`,
          rounds: perRound.length,
          spread: spread(perRound.map((r) => r[variant].saturated.rps / r.off.saturated.rps)),
          context: `off ${median(rps('off')).toFixed(1)} req/s, ${variant} ${median(rps(variant)).toFixed(1)} req/s; ${c.saturated.stalls} stalls${pausing(c.saturated)}`,
        });
        for (const kind of ['rate', 'saturated'] as const) {
          const k = c[kind];
          console.log(`  ${label}, ${variant}, ${kind === 'rate' ? `at ${rate} req/s` : 'saturating'}: the binding carried ${median(k.beatsPerS).toFixed(1)} beats/s and ${median(k.samplesPerS).toFixed(2)} samples/s (medians); ${median(k.samplesPerWindow)} samples per window reached the listener; ${k.stalls} stalls, ${k.blocks} blocks, ${k.pauses} pauses in ${k.windows} windows`);
        }
      }
      // Stalls: the loop did not turn for blockThresholdMs (nothing calls /block: several requests in
      // one loop turn, or the machine). With nameBlocks the watchdog then pauses the thread, and it
      // pauses too when beats are merely late: those pauses are part of the cost measured.
      const stalled = WATCHED.flatMap((v) => (['rate', 'saturated'] as const).map((kind) => ({ v, kind, k: carried[v][kind] }))).filter(({ k }) => k.stalls || k.pauses);
      if (stalled.length) notes.push(`${label}: stalls ≥ ${DEFAULT_VITALS_OPTIONS.blockThresholdMs} ms / watchdog pauses over ${rounds} windows each: ${stalled.map(({ v, kind, k }) => `${v} ${kind === 'rate' ? 'at the rate' : 'saturating'} ${k.stalls}/${k.pauses}`).join(', ')} (nothing calls /block: several requests in one loop turn, or the machine)`);
      perRuntime[endpoint.name] = { capacityRps: round2(capacity.rps), capacityCpuMsPerRequest: round2(capacity.cpuMsPerRequest, 4), rate, carried };
    }
  } finally {
    await demo.stop();
  }
  return figures;
}

interface IdleCost {
  /** CPU ms per second of the idle service while the lease is held (after acquire, before release). */
  steadyMsPerS: number;
  /** CPU ms of acquire() and release() together, beyond the idle service's own ('off': 0). */
  leaseMs: number;
}

/**
 * The fixed cost of a watch on the idle service, per variant (shuffled): CPU per second while the
 * lease is held (IDLE_MS), and what acquiring and releasing it cost. 'off' reads the clock the same
 * way with no lease: the idle service's own CPU.
 */
async function measureIdle(connection: CdpConnection, label: string): Promise<Record<Variant, IdleCost>> {
  const reading = async () => {
    const u = await evaluateInTarget<{ user: number; system: number }>(connection, 'process.cpuUsage()');
    return { cpuMs: (u.user + u.system) / 1000, at: performance.now() };
  };
  const raw = {} as Record<Variant, { steadyMsPerS: number; edgesMs: number; edgesWallMs: number }>;
  for (const variant of shuffled(VARIANTS)) {
    const options = OPTIONS[variant];
    const r0 = await reading();
    const lease = options ? await VitalsStream.acquire(connection, options) : undefined;
    const r1 = await reading();
    await sleep(IDLE_MS);
    const r2 = await reading();
    await lease?.release();
    const r3 = await reading();
    raw[variant] = { steadyMsPerS: ((r2.cpuMs - r1.cpuMs) * 1000) / (r2.at - r1.at), edgesMs: r1.cpuMs - r0.cpuMs + (r3.cpuMs - r2.cpuMs), edgesWallMs: r1.at - r0.at + (r3.at - r2.at) };
  }
  const out = {} as Record<Variant, IdleCost>;
  for (const variant of VARIANTS) {
    // Beyond 'off's edges (the clock reads themselves) and the idle service's own CPU over the extra time.
    const extraWallMs = raw[variant].edgesWallMs - raw.off.edgesWallMs;
    out[variant] = { steadyMsPerS: round2(raw[variant].steadyMsPerS, 3), leaseMs: round2(raw[variant].edgesMs - raw.off.edgesMs - (raw.off.steadyMsPerS * extraWallMs) / 1000, 3) };
  }
  console.log(`  idle service, ${label}: CPU ms per second held ${VARIANTS.map((v) => `${v} ${out[v].steadyMsPerS.toFixed(2)}`).join(', ')}; acquire + release ${WATCHED.map((v) => `${v} ${out[v].leaseMs.toFixed(1)} ms`).join(', ')} (${IDLE_MS / 1000}-s leases, the target's process.cpuUsage())`);
  return out;
}

function watching(variant: Variant, connection: CdpConnection): { connection: CdpConnection; options: VitalsOptions } | undefined {
  const options = OPTIONS[variant];
  return options ? { connection, options } : undefined;
}

function summarise(windows: VitalsWindow[]): Carried {
  return {
    windows: windows.length,
    samplesPerWindow: windows.map((w) => w.samples),
    beatsPerS: windows.map((w) => round2((w.pushed.beats * 1000) / w.leaseMs)),
    samplesPerS: windows.map((w) => round2((w.pushed.samples * 1000) / w.leaseMs, 3)),
    stalls: windows.reduce((n, w) => n + w.pushed.stalls, 0),
    blocks: windows.reduce((n, w) => n + w.blocks, 0),
    pauses: windows.reduce((n, w) => n + w.pauses, 0),
  };
}

function round2(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
