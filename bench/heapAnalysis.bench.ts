// Benchmark: our heap snapshot summary (readSnapshot → analyseHeap → summarizeHeap, what
// `perflens heap summary` does) against memlab's heap analysis and against JSON.parse of the file,
// on the same two snapshots in the same run: one of ≈ 360 MB (rounds) and one of ≈ 1.2 GB (once),
// both made by bench/fixtures/bigHeap.mjs and cached (bench/lib/heapSnapshots.ts).
//
// Each analyser runs alone in its own process (bench/heapRunners/*, bundled, no tsx), so its peak
// RSS is its own: the larger of its getrusage maxRSS and VmRSS sampled from outside every 50 ms.
// Throughput is file MB (10^6 bytes) ÷ the analyser's work time (from the runner's start, less
// loading its code; Node's own start-up excluded), with the file in the page cache (read once
// before). On the 1.2 GB snapshot ours runs in a memory cgroup limited to the file's size where
// the machine delegates one (cgroup v2), else its measured peak RSS is the figure. memlab runs on
// it only when the machine has memory to spare (it needs about 5× the file).
// Goals (issue G): ours ≥ 3× memlab's throughput and ≥ JSON.parse's; peak RSS ≤ 1× the file;
// the ≥ 1 GB snapshot analysed with memory held below the file's size.
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runHeapRunner, bundleRunners, type RunnerName, type RunnerResult } from './lib/heapRunner';
import { ensureSnapshot, snapshotCacheDir, type BenchSnapshot } from './lib/heapSnapshots';
import { createMemoryCgroup, type MemoryCgroup } from './lib/memoryCgroup';
import { root, runToEnd } from './lib/processes';
import { writeResult, type Figure } from './lib/results';
import { median, roundsFromEnv, spread } from './lib/stats';

const DEFAULT_ROUNDS = 3;
const SMALL = { name: 'service-350MB', target: 350e6, min: 300e6 };
const LARGE = { name: 'service-1.2GB', target: 1.15e9, min: 2 ** 30 };
const MEMLAB_HEAP_MB = 12_288;
/** memlab needed ≈ 4.8× the file here; it runs on the large snapshot only with this much to spare. */
const MEMLAB_MEMORY_FACTOR = 6;
const TIMEOUT_MS: Record<RunnerName, number> = { ours: 5 * 60_000, memlab: 8 * 60_000, jsonParse: 2 * 60_000 };
const DEPS_TIMEOUT_MS = 10 * 60_000;
const depsDir = join(root, '.cache', 'bench-deps');

interface Measured {
  runner: RunnerName;
  snapshot: BenchSnapshot;
  run: RunnerResult;
  /** Work time: the runner's own time less its setup phases. */
  workMs: number;
  mbPerS: number;
  /** File MB per second of CPU time (user + system, all threads, setup included). */
  mbPerCpuS: number;
  rssOverFile: number;
  ok: boolean;
}

const MB = (bytes: number) => bytes / 1e6;

function memAvailableBytes(): number {
  const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Reads the file once so that every analyser finds it in the page cache. */
async function warm(file: string): Promise<void> {
  for await (const _chunk of createReadStream(file, { highWaterMark: 4 << 20 })) {
    // Only the reading matters.
  }
}

async function measure(runner: RunnerName, script: string, snapshot: BenchSnapshot, extra: { cgroup?: MemoryCgroup } = {}): Promise<Measured> {
  const args = runner === 'memlab' ? [depsDir, snapshot.file] : [snapshot.file];
  const nodeArgs = runner === 'memlab' ? [`--max-old-space-size=${MEMLAB_HEAP_MB}`] : [];
  const run = await runHeapRunner(script, args, { timeoutMs: TIMEOUT_MS[runner], nodeArgs, ...extra });
  const setupMs = run.phases.filter((p) => p.name.startsWith('setup')).reduce((sum, p) => sum + p.ms, 0);
  const ok = !run.result.failed && !run.killed;
  const workMs = run.result.ms - setupMs;
  const cpuMs = run.result.cpuMs ?? NaN;
  return { runner, snapshot, run, workMs, mbPerS: ok ? MB(snapshot.bytes) / (workMs / 1000) : NaN, mbPerCpuS: ok ? MB(snapshot.bytes) / (cpuMs / 1000) : NaN, rssOverFile: run.peakRssBytes / snapshot.bytes, ok };
}

function describe(m: Measured): string {
  const head = `${m.runner.padEnd(9)} ${m.ok ? `${(m.workMs / 1000).toFixed(1)} s, ${m.mbPerS.toFixed(1)} MB/s` : `did not complete (${m.run.killed ?? m.run.result.error})`}`;
  return `${head}, peak RSS ${MB(m.run.peakRssBytes).toFixed(0)} MB (${m.rssOverFile.toFixed(2)}× the file)`;
}

function phaseText(m: Measured): string {
  return m.run.phases.map((p) => `${p.name} ${(p.ms / 1000).toFixed(1)} s ≤ ${MB(p.peakRssBytes).toFixed(0)} MB`).join('; ');
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r, i) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ') + (i === 0 ? `\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : ''));
}

function medianOf(ms: Measured[], pick: (m: Measured) => number): number {
  return median(ms.filter((m) => m.ok || pick === rssPick).map(pick));
}
const rssPick = (m: Measured) => m.run.peakRssBytes;

async function main(): Promise<void> {
  const began = performance.now();
  const rounds = roundsFromEnv(DEFAULT_ROUNDS);
  const log = (line: string) => console.log(line);

  for (const line of await runToEnd(process.execPath, [join(root, 'scripts', 'benchDeps.mjs')], DEPS_TIMEOUT_MS)) log(line);
  const small = await ensureSnapshot(SMALL.name, SMALL.target, SMALL.min, log);
  const large = await ensureSnapshot(LARGE.name, LARGE.target, LARGE.min, log);
  const scripts = await bundleRunners(join(snapshotCacheDir(), '..', 'runners'));
  for (const s of [small, large]) {
    log(`heap analysis: ${s.file.slice(root.length + 1)}: ${MB(s.bytes).toFixed(0)} MB, ${s.nodeCount.toLocaleString('en-US')} nodes, ${s.edgeCount.toLocaleString('en-US')} edges${s.made ? ' (made now)' : ''}`);
    await warm(s.file);
  }

  // The ≈ 360 MB snapshot: every analyser, in rounds, in an order that rotates.
  const order: RunnerName[] = ['ours', 'memlab', 'jsonParse'];
  const bySmall: Record<RunnerName, Measured[]> = { ours: [], memlab: [], jsonParse: [] };
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round}/${rounds} on ${MB(small.bytes).toFixed(0)} MB:`);
    for (let k = 0; k < order.length; k++) {
      const runner = order[(k + round - 1) % order.length];
      const m = await measure(runner, scripts[runner], small);
      bySmall[runner].push(m);
      log(`  ${describe(m)}`);
    }
  }

  // The ≈ 1.2 GB snapshot, once each: ours under a memory limit of the file's size where allowed.
  log(`${MB(large.bytes).toFixed(0)} MB snapshot:`);
  const attempt = createMemoryCgroup(`perflens-bench-heap-${process.pid}`, large.bytes);
  const cgroupNote = attempt.ok ? `ours ran in a cgroup v2 group with memory.max = the file's size (${large.bytes} bytes), swap off` : `no memory cgroup (${attempt.reason}): the figure is ours' measured peak RSS`;
  log(`  ${cgroupNote}`);
  let oursLarge: Measured;
  try {
    oursLarge = await measure('ours', scripts.ours, large, attempt.ok ? { cgroup: attempt.group } : {});
  } finally {
    if (attempt.ok) attempt.group.remove();
  }
  log(`  ${describe(oursLarge)}`);
  log(`    phases: ${phaseText(oursLarge)}`);
  const jsonLarge = await measure('jsonParse', scripts.jsonParse, large);
  log(`  ${describe(jsonLarge)}`);
  const available = memAvailableBytes();
  let memlabLarge: Measured | undefined;
  let memlabLargeNote: string;
  if (available >= MEMLAB_MEMORY_FACTOR * large.bytes) {
    memlabLarge = await measure('memlab', scripts.memlab, large);
    log(`  ${describe(memlabLarge)}`);
    memlabLargeNote = memlabLarge.ok ? `memlab completed with ${MB(memlabLarge.run.peakRssBytes).toFixed(0)} MB peak RSS (${memlabLarge.rssOverFile.toFixed(2)}× the file)` : `memlab did not complete: ${memlabLarge.run.killed ?? memlabLarge.run.result.error}`;
  } else {
    memlabLargeNote = `memlab not run: ${MB(available).toFixed(0)} MB available, under the ${MEMLAB_MEMORY_FACTOR}× the file it would want`;
    log(`  ${memlabLargeNote}`);
  }

  // The table.
  const rows: string[][] = [['snapshot / analyser', 'file MB', 'nodes', 'edges', 'work s', 'MB/s', 'MB/CPU-s', 'peak RSS MB', 'RSS ÷ file']];
  const addRow = (label: string, s: BenchSnapshot, ms: Measured[]) => {
    const done = ms.filter((m) => m.ok);
    const rss = median(ms.map(rssPick));
    rows.push([
      `${s.name} / ${label}${ms.length > 1 ? ` (median of ${ms.length})` : ''}`,
      MB(s.bytes).toFixed(0),
      s.nodeCount.toLocaleString('en-US'),
      s.edgeCount.toLocaleString('en-US'),
      done.length ? (median(done.map((m) => m.workMs)) / 1000).toFixed(1) : 'failed',
      done.length ? median(done.map((m) => m.mbPerS)).toFixed(1) : '—',
      done.length ? median(done.map((m) => m.mbPerCpuS)).toFixed(1) : '—',
      MB(rss).toFixed(0),
      (rss / s.bytes).toFixed(2),
    ]);
  };
  for (const r of order) addRow(r, small, bySmall[r]);
  addRow(attempt.ok ? 'ours (cgroup)' : 'ours', large, [oursLarge]);
  if (memlabLarge) addRow('memlab', large, [memlabLarge]);
  addRow('jsonParse', large, [jsonLarge]);

  const perRound = (f: (i: number) => number) => spread(Array.from({ length: rounds }, (_, i) => f(i)));
  const oursMbs = medianOf(bySmall.ours, (m) => m.mbPerS);
  const memlabMbs = medianOf(bySmall.memlab, (m) => m.mbPerS);
  const jsonMbs = medianOf(bySmall.jsonParse, (m) => m.mbPerS);
  const oursRss = median(bySmall.ours.map(rssPick)) / small.bytes;
  const vsMemlab = perRound((i) => bySmall.ours[i].mbPerS / bySmall.memlab[i].mbPerS);
  const vsJson = perRound((i) => bySmall.ours[i].mbPerS / bySmall.jsonParse[i].mbPerS);
  const vsMemlabCpu = perRound((i) => bySmall.ours[i].mbPerCpuS / bySmall.memlab[i].mbPerCpuS);
  const vsJsonCpu = perRound((i) => bySmall.ours[i].mbPerCpuS / bySmall.jsonParse[i].mbPerCpuS);
  const largeHeld = oursLarge.ok && oursLarge.run.peakRssBytes < large.bytes;
  // Every analyser that completed must have read the graph the header announces.
  const all = [...order.flatMap((r) => bySmall[r]), oursLarge, jsonLarge, ...(memlabLarge ? [memlabLarge] : [])];
  const disagreements = all
    .filter((m) => m.ok && (m.run.result.nodes !== m.snapshot.nodeCount || m.run.result.edges !== m.snapshot.edgeCount))
    .map((m) => `${m.runner} read ${String(m.run.result.nodes)} nodes and ${String(m.run.result.edges)} edges of ${m.snapshot.name}, whose header says ${m.snapshot.nodeCount} and ${m.snapshot.edgeCount}`);
  for (const d of disagreements) console.error(`heap analysis: ${d}`);
  const goals = [
    `ours ≥ 3× memlab's throughput: ${vsMemlab.median.toFixed(2)}× → ${vsMemlab.median >= 3 ? 'met' : 'NOT met'}`,
    `ours ≥ JSON.parse's throughput: ${vsJson.median.toFixed(2)}× → ${vsJson.median >= 1 ? 'met' : 'NOT met'}`,
    `ours' peak RSS ≤ 1× the file (${MB(small.bytes).toFixed(0)} MB): ${oursRss.toFixed(2)}× → ${oursRss <= 1 ? 'met' : 'NOT met'}`,
    `${MB(large.bytes).toFixed(0)} MB snapshot analysed below the file's size: ${oursLarge.ok ? `peak RSS ${oursLarge.rssOverFile.toFixed(2)}×${attempt.ok ? ', under memory.max = file size' : ' (measured, no cgroup)'}` : `did not complete (${oursLarge.run.killed ?? oursLarge.run.result.error})`} → ${largeHeld ? 'met' : 'NOT met'}`,
  ];
  console.log(`\nHeap analysis (${rounds} round${rounds === 1 ? '' : 's'} on ${MB(small.bytes).toFixed(0)} MB, 1 on ${MB(large.bytes).toFixed(0)} MB; work time excludes Node's start; file in page cache)`);
  for (const line of table(rows)) console.log(line);
  console.log(`ratios (${MB(small.bytes).toFixed(0)} MB, median over rounds): ours ÷ memlab ${vsMemlab.median.toFixed(2)}× MB/s (${vsMemlabCpu.median.toFixed(2)}× by CPU time), ours ÷ JSON.parse ${vsJson.median.toFixed(2)}× MB/s (${vsJsonCpu.median.toFixed(2)}× by CPU time)`);
  console.log('goals:');
  for (const g of goals) console.log(`  ${g}`);
  console.log(`ours' phases (${MB(small.bytes).toFixed(0)} MB, round 1): ${phaseText(bySmall.ours[0])}`);
  const arrays = (bySmall.ours[0].run.result.typedArrays ?? {}) as Record<string, number>;
  const arrayTotal = Object.values(arrays).reduce((a, b) => a + b, 0);
  console.log(`ours' typed arrays (${MB(small.bytes).toFixed(0)} MB): ${MB(arrayTotal).toFixed(0)} MB in all: ${Object.entries(arrays).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${MB(v).toFixed(0)}`).join(', ')}`);

  const memlabName = 'memlab 2.0.5 getFullHeapFromFile + by-constructor totals + ObjectSizeAnalysis largest';
  const figures: Figure[] = [
    { what: `Heap summary throughput, ${MB(small.bytes).toFixed(0)} MB snapshot: ours vs memlab (goal ≥ 3×)`, ratio: 'ours / memlab (MB/s)', rounds, spread: vsMemlab, context: `ours ${oursMbs.toFixed(1)} MB/s, ${memlabName} ${memlabMbs.toFixed(1)} MB/s; by CPU time ${vsMemlabCpu.median.toFixed(2)}×` },
    { what: `Heap summary throughput, ${MB(small.bytes).toFixed(0)} MB snapshot: ours vs JSON.parse (goal ≥ 1×)`, ratio: 'ours / JSON.parse (MB/s)', rounds, spread: vsJson, context: `ours ${oursMbs.toFixed(1)} MB/s, readFileSync+JSON.parse ${jsonMbs.toFixed(1)} MB/s; by CPU time ${vsJsonCpu.median.toFixed(2)}×` },
    {
      what: `Peak RSS ÷ file size, ${MB(small.bytes).toFixed(0)} MB snapshot (goal ≤ 1×)`,
      ratio: 'ours peak RSS / file',
      rounds,
      spread: spread(bySmall.ours.map((m) => m.rssOverFile)),
      context: `memlab ${(median(bySmall.memlab.map(rssPick)) / small.bytes).toFixed(2)}×, JSON.parse ${(median(bySmall.jsonParse.map(rssPick)) / small.bytes).toFixed(2)}×`,
    },
    {
      what: `Peak RSS ÷ file size, ${MB(large.bytes).toFixed(0)} MB snapshot (goal < 1×)`,
      ratio: attempt.ok ? 'ours peak RSS / file, in a cgroup' : 'ours peak RSS / file (measured)',
      rounds: 1,
      spread: spread([oursLarge.ok ? oursLarge.rssOverFile : NaN]),
      context: `ours ${oursLarge.ok ? `${oursLarge.mbPerS.toFixed(1)} MB/s` : 'did not complete'}; ${memlabLargeNote}; JSON.parse: ${jsonLarge.ok ? 'completed' : jsonLarge.run.result.error}`,
    },
  ];
  if (memlabLarge?.ok && oursLarge.ok) {
    figures.push({ what: `Heap summary throughput, ${MB(large.bytes).toFixed(0)} MB snapshot: ours vs memlab`, ratio: 'ours / memlab (MB/s)', rounds: 1, spread: spread([oursLarge.mbPerS / memlabLarge.mbPerS]), context: `ours ${oursLarge.mbPerS.toFixed(1)} MB/s, memlab ${memlabLarge.mbPerS.toFixed(1)} MB/s` });
  }
  const summarise = (m: Measured) => ({ ok: m.ok, workMs: Math.round(m.workMs), cpuMs: m.run.result.cpuMs, wallMs: Math.round(m.run.wallMs), mbPerS: m.mbPerS, peakRssBytes: m.run.peakRssBytes, maxRssBytes: m.run.result.maxRssBytes, sampledPeakRssBytes: m.run.sampledPeakRssBytes, error: m.run.killed ?? m.run.result.error, phases: m.run.phases, cgroup: m.run.cgroup });
  writeResult({
    name: 'heapAnalysis',
    figures,
    details: {
      snapshots: [small, large].map((s) => ({ name: s.name, bytes: s.bytes, nodes: s.nodeCount, edges: s.edgeCount, units: s.units })),
      memlab: memlabName,
      small: Object.fromEntries(order.map((r) => [r, bySmall[r].map(summarise)])),
      large: { ours: summarise(oursLarge), jsonParse: summarise(jsonLarge), memlab: memlabLarge ? summarise(memlabLarge) : memlabLargeNote },
      oursTypedArrays: arrays,
      goals,
    },
    notes: [cgroupNote, ...goals, ...disagreements],
    elapsedMs: performance.now() - began,
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
