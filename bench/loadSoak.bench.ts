// Benchmark: does the load-test runner's memory stay flat over a long run? RSS of `perflens load`
// (the built CLI, `node dist/server.js load FILE`, as a child process) at the end of a soak ÷ at
// minute 1 (goal ≤ 1.1). autocannon runs in worker threads inside that process, so its RSS covers
// them. The soak is one sustained scenario at a fixed arrival rate (SOAK_RATE, default 500 req/s)
// against a tiny node:http server in another child process, for SOAK_MINUTES (default 10; more
// than 1). RSS is read from /proc/PID/status (VmRSS) every 10 s and once more 1 s before the
// planned end; VmHWM there is the kernel's peak.
//
// Long: scripts/bench.mjs runs it only with BENCH_SOAK=1 or when named (`npm run bench -- loadSoak`).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeOnExit, root, startGroup } from './lib/processes';
import { writeResult, type Figure } from './lib/results';
import { sleep } from './lib/stats';
import { startTinyServer } from './lib/tinyServer';

const SAMPLE_EVERY_MS = 10_000;
const MINUTE_MS = 60_000;

function numberFromEnv(name: string, fallback: number, ok: (n: number) => boolean, what: string): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || !ok(n)) throw new Error(`${name} must be ${what}, not ${JSON.stringify(text)}`);
  return n;
}

/** VmRSS and VmHWM of a process, in KiB, from /proc/PID/status (undefined once it has gone). */
function memoryOf(pid: number): { rssKiB: number; hwmKiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
  } catch {
    return undefined;
  }
}

const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const began = performance.now();
  const minutes = numberFromEnv('SOAK_MINUTES', 10, (n) => n > 1.05, 'a number of minutes > 1 (minute 1 is the baseline)');
  const rate = numberFromEnv('SOAK_RATE', 500, (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1 of requests per second');
  const durationMs = Math.round(minutes * MINUTE_MS);
  const notes: string[] = [];
  console.log(`load soak: RSS of \`perflens load\` (node dist/server.js load, a child process; autocannon workers included) at the end ÷ at minute 1; sustained ${rate} req/s for ${minutes} min (SOAK_MINUTES), sampled every ${SAMPLE_EVERY_MS / 1000} s`);
  console.log('  (long: `npm run bench` skips it unless BENCH_SOAK=1 or it is named, `npm run bench -- loadSoak`)');

  const dir = mkdtempSync(join(tmpdir(), 'perflens-soak-'));
  const cleanup = removeOnExit(dir);
  const server = await startTinyServer();
  const file = join(dir, 'soak.load.json');
  const summaryFile = join(dir, 'summary.json');
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        target: { baseUrl: server.url.replace(/\/$/, '') },
        requests: [{ name: 'ok', method: 'GET', path: '/' }],
        scenarios: [{ name: 'soak', type: 'sustained', rate, duration: `${durationMs / 1000}s` }],
        thresholds: { http_req_failed: ['rate<0.01'] },
      },
      null,
      2,
    )}\n`,
  );
  console.log(`  target: tiny node:http server, PID ${server.pid}, ${server.url}`);

  const samples: Array<{ atMs: number; rssKiB: number; hwmKiB: number }> = [];
  let exitCode: number | null | undefined;
  try {
    const cli = startGroup(process.execPath, [join(root, 'dist', 'server.js'), 'load', file, '--quiet', '--summary-export', summaryFile], { cwd: root });
    const started = performance.now();
    console.log(`  runner: PID ${cli.pid} (node dist/server.js load ${file} --quiet)`);
    let exited = false;
    void cli.exited.then(() => (exited = true));
    const times: number[] = [];
    for (let t = SAMPLE_EVERY_MS; t < durationMs - 1_000; t += SAMPLE_EVERY_MS) times.push(t);
    times.push(durationMs - 1_000);
    for (const t of times) {
      const wait = t - (performance.now() - started);
      if (wait > 0) await Promise.race([sleep(wait), cli.exited]);
      if (exited) break;
      const m = memoryOf(cli.pid);
      if (!m) break;
      samples.push({ atMs: Math.round(performance.now() - started), ...m });
      console.log(`  ${(samples.at(-1)!.atMs / 1000).toFixed(0).padStart(4)} s  RSS ${mib(m.rssKiB)}`);
    }
    await Promise.race([cli.exited, sleep(30_000)]);
    exitCode = cli.child.exitCode;
    if (!exited) notes.push('the runner had not exited 30 s after the planned end: stopped');
    await cli.stop();
    if (exitCode !== 0) {
      notes.push(`the runner exited with code ${exitCode}${exitCode === 99 ? ' (a threshold breached: http_req_failed ≥ 1 %)' : ''}`);
      if (exitCode !== 99) console.log(cli.tail.slice(-10).join('\n'));
    }
  } finally {
    await server.stop();
  }

  let report: { durationMs?: number; totals?: { requests: number; rps: number; failed: number } } = {};
  try {
    report = JSON.parse(readFileSync(summaryFile, 'utf8'));
  } catch {
    notes.push('no summary from the runner');
  }
  cleanup();

  const atMinute1 = samples.find((s) => s.atMs >= MINUTE_MS - 1_000);
  const end = samples.at(-1);
  if (!atMinute1 || !end || end === atMinute1) throw new Error(`too few RSS samples (${samples.length}) to compare minute 1 with the end`);
  const peak = samples.reduce((a, s) => (s.rssKiB > a.rssKiB ? s : a));
  const ratio = end.rssKiB / atMinute1.rssKiB;
  const endMin = (end.atMs / MINUTE_MS).toFixed(2);
  const figures: Figure[] = [
    {
      what: `perflens load RSS, ${rate} req/s sustained, end (${endMin} min) vs minute 1`,
      ratio: `end / minute 1`,
      rounds: 1,
      spread: { n: 1, min: ratio, median: ratio, max: ratio },
      context: `minute 1 ${mib(atMinute1.rssKiB)}, end ${mib(end.rssKiB)}, peak sampled ${mib(peak.rssKiB)} at ${(peak.atMs / 1000).toFixed(0)} s, VmHWM ${mib(end.hwmKiB)}`,
    },
  ];
  if (minutes < 10) notes.push(`SOAK_MINUTES=${minutes}: the ratio is end (${endMin} min) ÷ minute 1, not minute 10 ÷ minute 1`);
  const totals = report.totals;
  if (totals) console.log(`  runner's summary: ${totals.requests} requests, ${totals.rps.toFixed(1)} req/s achieved (${rate} asked), ${totals.failed} failed, exit code ${exitCode}`);
  console.log(`  RSS at minute 1 (${(atMinute1.atMs / 1000).toFixed(0)} s): ${mib(atMinute1.rssKiB)}; at the end (${(end.atMs / 1000).toFixed(0)} s): ${mib(end.rssKiB)}; ratio end / minute 1 ${ratio.toFixed(3)} (goal ≤ 1.1)`);
  console.log(`  peak: ${mib(peak.rssKiB)} sampled at ${(peak.atMs / 1000).toFixed(0)} s; VmHWM (kernel's peak RSS) ${mib(end.hwmKiB)}`);
  writeResult({
    name: 'loadSoak',
    figures,
    details: { minutes, rate, sampleEveryMs: SAMPLE_EVERY_MS, samples, runnerExitCode: exitCode, totals },
    notes: [...new Set(notes)],
    elapsedMs: performance.now() - began,
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
