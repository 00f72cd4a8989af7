// Benchmark 1 (PerfLens) and 2: what profiling costs GET /report of the demo, and what a profile holds.
//
// One demo process started the way `perflens profile` starts it (LaunchedTarget: --inspect on
// 127.0.0.1:0), one CDP connection. Each round runs windows with the profiler off, at 1 ms (the
// default) and at 100 µs, in a shuffled order: first at a fixed arrival rate (CPU time per request
// from /proc/PID/stat), then saturating (8 connections, no rate: throughput). Each profiled window
// is profileUnderLoad itself, 5-s chunk rotation included (windows are longer than one chunk).
// Ratios are per round against that round's off window.
//
// Benchmark 2 comes from the same saturating profiles: samples and hot lines (≥ 50 samples, in the
// TypeScript sources) scaled to a 30-s run, at each interval.
import { buildReport } from '../server/analysis/buildReport';
import { FrameKind } from '../server/analysis/functionTable';
import { buildProfileModel } from '../server/analysis/profileModel';
import { createFileSourceMapResolver } from '../server/sourcemaps/fileSourceMapLoader';
import { loadOptions, measureWindow, type WindowResult } from './lib/loadWindow';
import { startDemoUnderInspector } from './lib/demoUnderInspector';
import { root } from './lib/processes';
import { clockTicksPerSecond } from './lib/procStat';
import { writeResult, type Figure } from './lib/results';
import { median, roundsFromEnv, shuffled, spread, fmtRatio } from './lib/stats';
import type { Protocol } from 'devtools-protocol';

const DEFAULT_ROUNDS = 4;
/** Longer than profileUnderLoad's 5-s chunk, so every profiled window pays one rotation. */
const WINDOW_MS = 5_500;
const WARMUP_MS = 3_000;
const CAPACITY_MS = 4_000;
const RATE_SHARE = 0.55;
const HOT_LINE_SAMPLES = 50;
const EQUIVALENT_RUN_MS = 30_000;

interface Variant {
  name: string;
  samplingIntervalUs?: number;
}
const OFF: Variant = { name: 'off' };
const VARIANTS: Variant[] = [OFF, { name: '1 ms', samplingIntervalUs: 1000 }, { name: '100 µs', samplingIntervalUs: 100 }];

interface Density {
  durationMs: number;
  samples: number;
  busySamples: number;
  lines: Map<string, number>;
}

async function main(): Promise<void> {
  const began = performance.now();
  const rounds = roundsFromEnv(DEFAULT_ROUNDS);
  const notes: string[] = [];
  console.log(`profiling overhead: GET /report, ${rounds} rounds of ${VARIANTS.length} × 2 windows of ${WINDOW_MS / 1000} s (CLK_TCK ${clockTicksPerSecond()})`);

  const demo = await startDemoUnderInspector();
  const { target, connection } = demo;
  const url = `${demo.base}/report`;

  const resolver = createFileSourceMapResolver({ cwd: root }).resolver;
  const density = new Map<string, Density>();
  const perRound: Array<Record<string, { rate: WindowResult; saturated: WindowResult }>> = [];
  let rate: number;
  let capacityRps: number;
  try {
    // Warm-up (JIT), discarded: saturating with the profiler off, then a short profiled window so
    // that the first Profiler.enable of the process is not charged to one variant.
    await measureWindow(target.pid, loadOptions(url, WARMUP_MS));
    await measureWindow(target.pid, loadOptions(url, 1_500), { connection, samplingIntervalUs: 1000 });
    const capacity = await measureWindow(target.pid, loadOptions(url, CAPACITY_MS));
    capacityRps = capacity.rps;
    rate = Math.max(1, Math.round(capacity.rps * RATE_SHARE));
    console.log(`  capacity unprofiled: ${capacity.rps.toFixed(1)} req/s, ${capacity.cpuMsPerRequest.toFixed(2)} CPU ms/request; fixed rate for CPU/request: ${rate} req/s (${Math.round(RATE_SHARE * 100)} %)`);

    const run = async (variant: Variant, rateOrNone: number | undefined) => {
      const window = await measureWindow(
        target.pid,
        loadOptions(url, WINDOW_MS, rateOrNone),
        variant.samplingIntervalUs ? { connection, samplingIntervalUs: variant.samplingIntervalUs } : undefined,
      );
      if (window.errors > 0) notes.push(`${variant.name} ${rateOrNone ? 'fixed-rate' : 'saturating'} window had ${window.errors} failed or non-2xx requests`);
      return window;
    };

    for (let round = 1; round <= rounds; round++) {
      const results: Record<string, { rate: WindowResult; saturated: WindowResult }> = {};
      const rateWindows = new Map<string, WindowResult>();
      const order1 = shuffled(VARIANTS);
      for (const variant of order1) rateWindows.set(variant.name, await run(variant, rate));
      const order2 = shuffled(VARIANTS);
      for (const variant of order2) {
        const saturated = await run(variant, undefined);
        results[variant.name] = { rate: rateWindows.get(variant.name)!, saturated };
        if (saturated.profile) addDensity(density, variant.name, saturated.profile, resolver);
        delete saturated.profile;
        delete rateWindows.get(variant.name)!.profile;
      }
      perRound.push(results);
      const off = results[OFF.name];
      const parts = VARIANTS.filter((v) => v !== OFF).map((v) => {
        const r = results[v.name];
        return `${v.name}: CPU/req ×${(r.rate.cpuMsPerRequest / off.rate.cpuMsPerRequest).toFixed(3)}, req/s ×${(r.saturated.rps / off.saturated.rps).toFixed(3)}`;
      });
      console.log(`  round ${round}/${rounds} [${order1.map((v) => v.name).join(', ')} | ${order2.map((v) => v.name).join(', ')}]: off ${off.rate.cpuMsPerRequest.toFixed(2)} CPU ms/req, ${off.saturated.rps.toFixed(1)} req/s; ${parts.join('; ')}`);
    }
  } finally {
    await demo.stop();
  }

  const figures: Figure[] = [];
  const offCpu = perRound.map((r) => r[OFF.name].rate.cpuMsPerRequest);
  const offRps = perRound.map((r) => r[OFF.name].saturated.rps);
  for (const variant of VARIANTS.filter((v) => v !== OFF)) {
    const cpu = perRound.map((r) => r[variant.name].rate.cpuMsPerRequest);
    const rps = perRound.map((r) => r[variant.name].saturated.rps);
    figures.push({
      what: `PerfLens ${variant.name}: CPU time per request, GET /report at ${rate} req/s`,
      ratio: `${variant.name} / off`,
      rounds: perRound.length,
      spread: spread(perRound.map((r, i) => r[variant.name].rate.cpuMsPerRequest / offCpu[i])),
      context: `off ${median(offCpu).toFixed(2)} ms/req, ${variant.name} ${median(cpu).toFixed(2)} ms/req`,
    });
    figures.push({
      what: `PerfLens ${variant.name}: throughput, GET /report, 8 connections`,
      ratio: `${variant.name} / off`,
      rounds: perRound.length,
      spread: spread(perRound.map((r, i) => r[variant.name].saturated.rps / offRps[i])),
      context: `off ${median(offRps).toFixed(1)} req/s, ${variant.name} ${median(rps).toFixed(1)} req/s`,
    });
  }

  // Benchmark 2: what a 30-s run at each interval holds (from the saturating profiled windows).
  const sampling: Record<string, unknown> = {};
  for (const [name, d] of density) {
    const scale = EQUIVALENT_RUN_MS / d.durationMs;
    const hotLines = [...d.lines.values()].filter((n) => n * scale >= HOT_LINE_SAMPLES).length;
    sampling[name] = {
      profiledMs: Math.round(d.durationMs),
      meanIntervalUs: Math.round((d.durationMs * 1000) / d.samples),
      samplesPer30s: Math.round(d.samples * scale),
      busySamplesPer30s: Math.round(d.busySamples * scale),
      linesWithSamples: d.lines.size,
      hotLinesPer30s: hotLines,
    };
  }

  for (const f of figures) console.log(`  ${f.what}: ${f.ratio} min/median/max ${fmtRatio(f.spread)} (${f.context})`);
  for (const [name, s] of Object.entries(sampling)) console.log(`  sampling at ${name}, 30-s equivalent (saturating): ${JSON.stringify(s)}`);
  writeResult({
    name: 'profilingOverhead',
    figures,
    details: { rate, capacityRps, rateShare: RATE_SHARE, windowMs: WINDOW_MS, sampling, hotLineSamples: HOT_LINE_SAMPLES },
    notes: [...new Set(notes)],
    elapsedMs: performance.now() - began,
  });
}

function addDensity(all: Map<string, Density>, name: string, profile: Protocol.Profiler.Profile, resolver: ReturnType<typeof createFileSourceMapResolver>['resolver']): void {
  let d = all.get(name);
  if (!d) all.set(name, (d = { durationMs: 0, samples: 0, busySamples: 0, lines: new Map() }));
  const model = buildProfileModel(profile);
  d.durationMs += model.durationMs;
  d.samples += model.sampleCount;
  for (let i = 0; i < model.sampleCount; i++) {
    const kind = model.kind[model.sampleNode[i]];
    if (kind !== FrameKind.idle) d.busySamples++;
  }
  const report = buildReport({ model, resolver, target: 'bench', top: Number.MAX_SAFE_INTEGER });
  for (const line of report.lines) {
    const key = `${line.file}:${line.line}`;
    d.lines.set(key, (d.lines.get(key) ?? 0) + line.samples);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
