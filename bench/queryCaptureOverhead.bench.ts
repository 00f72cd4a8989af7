// What capturing the service's PostgreSQL queries costs it: the demo's N+1 endpoint (27 queries per
// request) and GET /report (one query per request), windows with the agent off and armed, in a
// shuffled order per round, on one demo process and one CDP connection. First at a fixed arrival rate
// (CPU time per request from /proc/PID/stat), then saturating (8 connections: throughput). Each armed
// window arms and disarms the agent inside it, as a profile run does. Ratios are per round against
// that round's off window of the same endpoint.
import { connectCdp } from '../server/cdp/connection';
import { LaunchedTarget } from '../server/target/launchTarget';
import { loadOptions, measureWindow, type WindowResult } from './lib/loadWindow';
import { databaseUrl, demoServer, freePort, registerGroup, root, waitUntilAnswering } from './lib/processes';
import { writeResult, type Figure } from './lib/results';
import { fmtRatio, median, roundsFromEnv, shuffled, spread } from './lib/stats';

const DEFAULT_ROUNDS = 4;
const WINDOW_MS = 4_000;
const WARMUP_MS = 3_000;
const RATE_SHARE = 0.55;
const ENDPOINTS = [
  { name: 'N+1 GET /customers/7/orders', path: '/customers/7/orders', goal: 0.03 },
  { name: 'GET /report', path: '/report', goal: 0.01 },
];
const VARIANTS = ['off', 'capture'] as const;

async function main(): Promise<void> {
  const began = performance.now();
  const rounds = roundsFromEnv(DEFAULT_ROUNDS);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const notes: string[] = [];
  console.log(`query capture overhead: ${ENDPOINTS.map((e) => e.name).join(' and ')}, ${rounds} rounds of ${VARIANTS.length} × 2 windows of ${WINDOW_MS / 1000} s each`);

  const target = await LaunchedTarget.start([process.execPath, demoServer], { cwd: root, env: { DATABASE_URL: databaseUrl(), PORT: String(port) } });
  const unregister = registerGroup(target.pid);
  const connection = await (async () => {
    await waitUntilAnswering(`${base}/health`, 60_000, () => target.hasExited, () => target.formatTail());
    return connectCdp(await target.inspectorUrl());
  })().catch(async (err) => {
    await target.stop();
    throw err;
  });

  const figures: Figure[] = [];
  try {
    for (const endpoint of ENDPOINTS) {
      const url = `${base}${endpoint.path}`;
      await measureWindow(target.pid, loadOptions(url, WARMUP_MS));
      await measureWindow(target.pid, loadOptions(url, 1_500), undefined, connection); // the first arming of the process is nobody's window
      const capacity = await measureWindow(target.pid, loadOptions(url, WINDOW_MS));
      const rate = Math.max(1, Math.round(capacity.rps * RATE_SHARE));
      console.log(`  ${endpoint.name}: capacity ${capacity.rps.toFixed(1)} req/s, ${capacity.cpuMsPerRequest.toFixed(2)} CPU ms/request; fixed rate ${rate} req/s`);
      const perRound: Array<Record<(typeof VARIANTS)[number], { rate: WindowResult; saturated: WindowResult }>> = [];
      for (let round = 1; round <= rounds; round++) {
        const windows = {} as Record<(typeof VARIANTS)[number], { rate: WindowResult; saturated: WindowResult }>;
        const rateWindows = new Map<string, WindowResult>();
        for (const variant of shuffled([...VARIANTS])) rateWindows.set(variant, await measureWindow(target.pid, loadOptions(url, WINDOW_MS, rate), undefined, variant === 'capture' ? connection : undefined));
        for (const variant of shuffled([...VARIANTS])) windows[variant] = { rate: rateWindows.get(variant)!, saturated: await measureWindow(target.pid, loadOptions(url, WINDOW_MS), undefined, variant === 'capture' ? connection : undefined) };
        for (const w of Object.values(windows)) if (w.rate.errors || w.saturated.errors) notes.push(`${endpoint.name}: a window had failed or non-2xx requests`);
        perRound.push(windows);
        const { off, capture } = windows;
        console.log(`  round ${round}/${rounds}: CPU/req ×${(capture.rate.cpuMsPerRequest / off.rate.cpuMsPerRequest).toFixed(3)}, req/s ×${(capture.saturated.rps / off.saturated.rps).toFixed(3)} (${capture.saturated.queries} queries captured)`);
      }
      const cpu = (v: (typeof VARIANTS)[number]) => perRound.map((r) => r[v].rate.cpuMsPerRequest);
      const rps = (v: (typeof VARIANTS)[number]) => perRound.map((r) => r[v].saturated.rps);
      figures.push({
        what: `query capture: CPU time per request, ${endpoint.name} at ${rate} req/s (goal ≤ ${1 + endpoint.goal})`,
        ratio: 'capture / off',
        rounds: perRound.length,
        spread: spread(perRound.map((r) => r.capture.rate.cpuMsPerRequest / r.off.rate.cpuMsPerRequest)),
        context: `off ${median(cpu('off')).toFixed(3)} ms/req, capture ${median(cpu('capture')).toFixed(3)} ms/req`,
      });
      figures.push({
        what: `query capture: throughput, ${endpoint.name}, 8 connections (goal ≥ ${1 - endpoint.goal})`,
        ratio: 'capture / off',
        rounds: perRound.length,
        spread: spread(perRound.map((r) => r.capture.saturated.rps / r.off.saturated.rps)),
        context: `off ${median(rps('off')).toFixed(1)} req/s, capture ${median(rps('capture')).toFixed(1)} req/s`,
      });
    }
  } finally {
    await connection.close().catch(() => undefined);
    await target.stop();
    unregister();
  }
  for (const f of figures) console.log(`  ${f.what}: ${f.ratio} min/median/max ${fmtRatio(f.spread)} (${f.context})`);
  writeResult({ name: 'queryCaptureOverhead', figures, details: { windowMs: WINDOW_MS, rateShare: RATE_SHARE }, notes: [...new Set(notes)], elapsedMs: performance.now() - began });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
