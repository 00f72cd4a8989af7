// The benchmarks: builds, starts one embedded PostgreSQL for all of them, runs each (TypeScript
// under bench/, with tsx) in its own process, then prints a summary of ratios against baselines
// measured in the same run and writes it to bench/results/latest.json.
// Usage: npm run bench [-- NAME…]   (names: profilingOverhead, queryCaptureOverhead, vitalsOverhead, zeroXOverhead, analysisSpeed,
//        heapAnalysis, showLatency, loadAccuracy, loadSoak — loadSoak only when named or with BENCH_SOAK=1)
//        BENCH_ROUNDS=N npm run bench
// Timings vary a lot on shared machines: read them as figures, never as pass/fail criteria.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, 'bench', 'results');
const BENCHES = [
  { name: 'profilingOverhead', file: 'bench/profilingOverhead.bench.ts', database: true, timeoutMs: 8 * 60_000 },
  { name: 'queryCaptureOverhead', file: 'bench/queryCaptureOverhead.bench.ts', database: true, timeoutMs: 8 * 60_000 },
  { name: 'vitalsOverhead', file: 'bench/vitalsOverhead.bench.ts', database: true, timeoutMs: 8 * 60_000 },
  { name: 'zeroXOverhead', file: 'bench/zeroXOverhead.bench.ts', database: true, timeoutMs: 8 * 60_000 },
  { name: 'analysisSpeed', file: 'bench/analysisSpeed.bench.ts', database: false, timeoutMs: 6 * 60_000 },
  // The first run also makes its snapshots (≈ 1.6 GB in .cache/bench-heap/, about 2 min) and installs memlab.
  { name: 'heapAnalysis', file: 'bench/heapAnalysis.bench.ts', database: false, timeoutMs: 25 * 60_000 },
  { name: 'showLatency', file: 'bench/showLatency.bench.ts', database: true, timeoutMs: 10 * 60_000 },
  { name: 'loadAccuracy', file: 'bench/loadAccuracy.bench.ts', database: false, timeoutMs: 10 * 60_000 },
  // Long (SOAK_MINUTES, default 10): only with BENCH_SOAK=1 or when named (`npm run bench -- loadSoak`).
  { name: 'loadSoak', file: 'bench/loadSoak.bench.ts', database: false, optIn: 'BENCH_SOAK', timeoutMs: ((Number(process.env.SOAK_MINUTES) || 10) + 3) * 60_000 },
];

const began = performance.now();
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !BENCHES.some((b) => b.name === name));
if (unknown.length) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
if (process.env.BENCH_ROUNDS !== undefined && !/^[1-9]\d*$/.test(process.env.BENCH_ROUNDS)) {
  console.error(`bench: BENCH_ROUNDS must be a whole number ≥ 1, not ${JSON.stringify(process.env.BENCH_ROUNDS)}`);
  process.exit(2);
}
const selected = requested.length ? BENCHES.filter((b) => requested.includes(b.name)) : BENCHES.filter((b) => !b.optIn || process.env[b.optIn] === '1');
for (const b of BENCHES.filter((b) => !selected.includes(b) && b.optIn && !requested.length)) {
  console.log(`bench: skipping ${b.name} (long; ${b.optIn}=1 or \`npm run bench -- ${b.name}\` runs it)`);
}

let current; // the child running now
let database;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\nbench: ${signal}: stopping`);
    // The bench process stops what it started; PostgreSQL is stopped below once it has.
    if (current) signalChild(current, 'SIGTERM');
    else void shutdown(130);
  });
}

async function shutdown(code) {
  try {
    await database?.stop();
  } catch (err) {
    console.error(`bench: stopping PostgreSQL failed: ${err.message}`);
  }
  process.exit(code);
}

function signalChild(child, signal) {
  try {
    child.kill(signal);
  } catch {
    // Already gone.
  }
}

function run(args, { env = process.env, timeoutMs } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    current = child;
    let timer;
    if (timeoutMs) {
      timer = setTimeout(() => {
        console.error(`bench: ${args.join(' ')} ran over ${timeoutMs / 1000} s: stopping it`);
        signalChild(child, 'SIGTERM');
        setTimeout(() => signalChild(child, 'SIGKILL'), 15_000).unref();
      }, timeoutMs);
    }
    child.on('error', (err) => {
      clearTimeout(timer);
      current = undefined;
      console.error(`bench: could not run ${args.join(' ')}: ${err.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

let exitCode = 0;
const results = [];
const failed = [];
try {
  if ((await run([join(root, 'scripts/build.mjs')])) !== 0) throw new Error('the build failed');
  if (interrupted) await shutdown(130);
  if (selected.some((b) => b.database)) {
    const { startEmbeddedPostgres } = await import(join(root, 'demo/dist/embeddedPostgres.js'));
    console.log('bench: starting an embedded PostgreSQL for the benchmarks…');
    database = await startEmbeddedPostgres();
    if (interrupted) await shutdown(130);
  }
  mkdirSync(resultsDir, { recursive: true });
  let reportRate;
  for (const bench of selected) {
    const resultFile = join(resultsDir, `${bench.name}.json`);
    rmSync(resultFile, { force: true });
    console.log(`\n=== ${bench.name} ===`);
    const env = { ...process.env, BENCH_RESULT_FILE: resultFile };
    if (database) env.PERFLENS_BENCH_DATABASE_URL = database.url;
    if (reportRate) env.BENCH_REPORT_RATE = String(reportRate);
    const code = await run(['--import', 'tsx', join(root, bench.file)], { env, timeoutMs: bench.timeoutMs });
    if (interrupted) await shutdown(130);
    let result;
    try {
      result = JSON.parse(readFileSync(resultFile, 'utf8'));
    } catch {
      result = undefined;
    }
    if (code !== 0 || !result) {
      failed.push(bench.name);
      console.error(`bench: ${bench.name} failed (exit code ${code})`);
      continue;
    }
    results.push(result);
    if (bench.name === 'profilingOverhead') reportRate = result.details?.rate;
  }
} catch (err) {
  console.error(`bench: ${err.message}`);
  exitCode = 1;
} finally {
  await database?.stop().catch((err) => console.error(`bench: stopping PostgreSQL failed: ${err.message}`));
  database = undefined;
}

const elapsedS = (performance.now() - began) / 1000;
if (results.length) {
  const summary = formatSummary(results, elapsedS);
  console.log(`\n${summary}`);
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rounds: process.env.BENCH_ROUNDS ? Number(process.env.BENCH_ROUNDS) : 'default', elapsedSeconds: Math.round(elapsedS), failed, results }, null, 2)}\n`);
  console.log('Wrote bench/results/latest.json');
}
if (failed.length) {
  console.error(`bench: failed: ${failed.join(', ')}`);
  exitCode = 1;
}
process.exit(exitCode);

function formatSummary(all, seconds) {
  const fix = (n, d = 3) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const rows = [['figure', 'ratio', 'rounds', 'min', 'median', 'max', 'context']];
  for (const result of all) {
    for (const f of result.figures) rows.push([f.what, f.ratio, String(f.rounds), fix(f.spread.min), fix(f.spread.median), fix(f.spread.max), f.context]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => (c >= 2 && c <= 5 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const out = [`Summary (ratios per round against a baseline of the same run; min / median / max over rounds; ${Math.round(seconds)} s in all)`, line(rows[0]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)];

  const sampling = all.find((r) => r.name === 'profilingOverhead')?.details?.sampling;
  if (sampling && Object.keys(sampling).length) {
    const hot = all.find((r) => r.name === 'profilingOverhead').details.hotLineSamples;
    out.push('', `Sampling density, GET /report saturating, scaled to a 30-s run (hot line: ≥ ${hot} samples, TypeScript lines)`);
    for (const [name, s] of Object.entries(sampling)) {
      out.push(`  ${name.padEnd(7)} mean interval ${s.meanIntervalUs} µs; ${s.samplesPer30s} samples (${s.busySamplesPer30s} not idle); ${s.hotLinesPer30s} hot lines of ${s.linesWithSamples} lines sampled (${(s.profiledMs / 1000).toFixed(1)} s profiled)`);
    }
  }
  const notes = all.flatMap((r) => r.notes.map((n) => `${r.name}: ${n}`));
  if (notes.length) out.push('', 'Notes:', ...notes.map((n) => `  - ${n}`));
  return out.join('\n');
}
