// What capturing the service's PostgreSQL queries costs it: the demo's N+1 endpoint (27 queries per
// request) and GET /report (one query per request), windows with the agent off and armed, in a
// shuffled order per round, on one demo process and one CDP connection. First at a fixed arrival rate
// (CPU time per request from /proc/PID/stat), then saturating (8 connections: throughput). Each armed
// window arms and disarms the agent inside it, as a profile run does. Ratios are per round against
// that round's off window of the same endpoint. The demo runs on this Node.js, and again on the
// Node 24 that code-server brings (when installed: AsyncLocalStorage there rests on
// AsyncContextFrame, not on async hooks, which is most of what tying queries to requests costs).
import { existsSync } from 'node:fs';
import { loadOptions, measureWindow, type WindowResult } from './lib/loadWindow';
import { startDemoUnderInspector } from './lib/demoUnderInspector';
import { NODE24 } from './lib/processes';
import { writeResult, type Figure } from './lib/results';
import type { ArmOptions } from '../server/agent/agent';
import type { CdpConnection } from '../server/cdp/connection';
import { fmtRatio, median, roundsFromEnv, shuffled, spread } from './lib/stats';

const DEFAULT_ROUNDS = 3;
const WINDOW_MS = 4_000;
const WARMUP_MS = 3_000;
const RATE_SHARE = 0.55;
const ENDPOINTS = [
  { name: 'N+1 GET /customers/7/orders', path: '/customers/7/orders', goal: 0.03 },
  { name: 'GET /report', path: '/report', goal: 0.01 },
];
const VARIANTS = ['off', 'capture', 'no-context'] as const;
type Variant = (typeof VARIANTS)[number];
/** What each variant arms: nothing, the agent as a profile run arms it, the agent without tying queries to requests. */
const ARMED: Record<Variant, Partial<ArmOptions> | undefined> = { off: undefined, capture: {}, 'no-context': { requestContext: false } };

async function main(): Promise<void> {
  const began = performance.now();
  const rounds = roundsFromEnv(DEFAULT_ROUNDS);
  const notes: string[] = [];
  const figures: Figure[] = [];
  const runtimes = [{ name: `Node ${process.version}`, node: process.execPath }, ...(existsSync(NODE24) ? [{ name: 'Node 24', node: NODE24 }] : [])];
  if (runtimes.length === 1) notes.push('Node 24 (code-server\'s) is not installed: measured on this Node only');
  console.log(`query capture overhead: ${ENDPOINTS.map((e) => e.name).join(' and ')} on ${runtimes.map((r) => r.name).join(' and ')}, ${rounds} rounds of ${VARIANTS.length} × 2 windows of ${WINDOW_MS / 1000} s each`);
  for (const runtime of runtimes) figures.push(...(await measureRuntime(runtime, rounds, notes)));
  for (const f of figures) console.log(`  ${f.what}: ${f.ratio} min/median/max ${fmtRatio(f.spread)} (${f.context})`);
  writeResult({ name: 'queryCaptureOverhead', figures, details: { windowMs: WINDOW_MS, rateShare: RATE_SHARE, runtimes: runtimes.map((r) => r.name) }, notes: [...new Set(notes)], elapsedMs: performance.now() - began });
}

async function measureRuntime(runtime: { name: string; node: string }, rounds: number, notes: string[]): Promise<Figure[]> {
  const demo = await startDemoUnderInspector(runtime.node);
  const { target, connection, base } = demo;

  const figures: Figure[] = [];
  try {
    for (const endpoint of ENDPOINTS) {
      const url = `${base}${endpoint.path}`;
      const label = `${endpoint.name}, ${runtime.name}`;
      await measureWindow(target.pid, loadOptions(url, WARMUP_MS));
      await measureWindow(target.pid, loadOptions(url, 1_500), undefined, { connection }); // the first arming of the process is nobody's window
      const capacity = await measureWindow(target.pid, loadOptions(url, WINDOW_MS));
      const rate = Math.max(1, Math.round(capacity.rps * RATE_SHARE));
      console.log(`  ${label}: capacity ${capacity.rps.toFixed(1)} req/s, ${capacity.cpuMsPerRequest.toFixed(2)} CPU ms/request; fixed rate ${rate} req/s`);
      const perRound: Array<Record<Variant, { rate: WindowResult; saturated: WindowResult }>> = [];
      for (let round = 1; round <= rounds; round++) {
        const windows = {} as Record<Variant, { rate: WindowResult; saturated: WindowResult }>;
        const rateWindows = new Map<string, WindowResult>();
        for (const variant of shuffled([...VARIANTS])) rateWindows.set(variant, await measureWindow(target.pid, loadOptions(url, WINDOW_MS, rate), undefined, armed(variant, connection)));
        for (const variant of shuffled([...VARIANTS])) windows[variant] = { rate: rateWindows.get(variant)!, saturated: await measureWindow(target.pid, loadOptions(url, WINDOW_MS), undefined, armed(variant, connection)) };
        for (const w of Object.values(windows)) if (w.rate.errors || w.saturated.errors) notes.push(`${label}: a window had failed or non-2xx requests`);
        perRound.push(windows);
        const { off, capture } = windows;
        const nc = windows['no-context'];
        console.log(`  round ${round}/${rounds}: capture CPU/req ×${(capture.rate.cpuMsPerRequest / off.rate.cpuMsPerRequest).toFixed(3)}, req/s ×${(capture.saturated.rps / off.saturated.rps).toFixed(3)} (${capture.saturated.queries} queries captured); no context CPU/req ×${(nc.rate.cpuMsPerRequest / off.rate.cpuMsPerRequest).toFixed(3)}, req/s ×${(nc.saturated.rps / off.saturated.rps).toFixed(3)}`);
      }
      const cpu = (v: Variant) => perRound.map((r) => r[v].rate.cpuMsPerRequest);
      const rps = (v: Variant) => perRound.map((r) => r[v].saturated.rps);
      for (const variant of ['capture', 'no-context'] as const) {
        const name = variant === 'capture' ? 'query capture' : 'query capture without request context';
        figures.push({
          what: `${name}: CPU time per request, ${label} at ${rate} req/s (goal ≤ ${1 + endpoint.goal})`,
          ratio: `${variant} / off`,
          rounds: perRound.length,
          spread: spread(perRound.map((r) => r[variant].rate.cpuMsPerRequest / r.off.rate.cpuMsPerRequest)),
          context: `off ${median(cpu('off')).toFixed(3)} ms/req, ${variant} ${median(cpu(variant)).toFixed(3)} ms/req`,
        });
        figures.push({
          what: `${name}: throughput, ${label}, 8 connections (goal ≥ ${1 - endpoint.goal})`,
          ratio: `${variant} / off`,
          rounds: perRound.length,
          spread: spread(perRound.map((r) => r[variant].saturated.rps / r.off.saturated.rps)),
          context: `off ${median(rps('off')).toFixed(1)} req/s, ${variant} ${median(rps(variant)).toFixed(1)} req/s`,
        });
      }
    }
  } finally {
    await demo.stop();
  }
  return figures;
}

function armed(variant: Variant, connection: CdpConnection): { connection: CdpConnection; options?: Partial<ArmOptions> } | undefined {
  const options = ARMED[variant];
  return options ? { connection, options } : undefined;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
