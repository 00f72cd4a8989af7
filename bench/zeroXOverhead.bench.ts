// Benchmark 1 (0x): what 0x 6 costs GET /report of the demo, against the same service unprofiled.
//
// 0x needs its own process, so each round runs one plain process and one under 0x (same env, same
// DATABASE_URL; which goes first alternates by round), each: warm-up (discarded), a fixed-rate
// window (CPU time per request from /proc/PID/stat of the service itself, 0x's child), a saturating
// window (throughput). Each 0x window is compared with the plain window of the same round. 0x is
// stopped by signalling its process group (SIGINT to 0x alone hangs); the time it then takes to
// finish (post-processing the V8 log) is reported as context.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOptions, measureWindow, type WindowResult } from './lib/loadWindow';
import { databaseUrl, demoServer, freePort, removeOnExit, root, startGroup, waitUntilAnswering, type Group } from './lib/processes';
import { childPids, commandLineOf } from './lib/procStat';
import { writeResult, type Figure } from './lib/results';
import { fmtRatio, median, roundsFromEnv, sleep, spread } from './lib/stats';

const DEFAULT_ROUNDS = 4;
const WINDOW_MS = 4_000;
const WARMUP_MS = 3_000;
const CAPACITY_MS = 4_000;
const RATE_SHARE = 0.55;
const ZERO_X = join(root, 'node_modules', '0x', 'cmd.js');
/** 0x post-processes the log after the target exits; bounded. */
const ZERO_X_FINISH_MS = 90_000;

type Kind = 'plain' | '0x';
interface ProcessRun {
  rate: WindowResult;
  saturated: WindowResult;
  /** 0x only: from the group signal to 0x's exit. */
  finishMs?: number;
  logBytes?: number;
}

function zeroXFlags(notes: string[]): string[] {
  const help = spawnSync(process.execPath, [ZERO_X, '--help'], { encoding: 'utf8', timeout: 20_000 });
  const text = `${help.stdout ?? ''}${help.stderr ?? ''}`;
  if (text.includes('--collect-only')) return ['--collect-only'];
  notes.push('0x has no --collect-only: its whole post-processing (flame graph) ran after each 0x process');
  return [];
}

function findService(group: Group): number | undefined {
  return childPids(group.pid).find((pid) => commandLineOf(pid).includes(demoServer));
}

function sizeOf(dir: string, pattern: RegExp): number {
  let total = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && pattern.test(entry.name)) total += statSync(join(entry.parentPath ?? dir, entry.name)).size;
  }
  return total;
}

async function main(): Promise<void> {
  const began = performance.now();
  const rounds = roundsFromEnv(DEFAULT_ROUNDS);
  const notes: string[] = [];
  const flags = zeroXFlags(notes);
  let rate = Number(process.env.BENCH_REPORT_RATE) || 0;
  let capacityRps: number | undefined;
  console.log(`0x overhead: GET /report, ${rounds} rounds of a plain and a 0x process (0x flags: ${flags.join(' ') || 'none'}), windows of ${WINDOW_MS / 1000} s`);

  const runProcess = async (kind: Kind): Promise<ProcessRun> => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const work = mkdtempSync(join(tmpdir(), 'perflens-bench-0x-'));
    const removeWork = removeOnExit(work);
    const env = { ...process.env, DATABASE_URL: databaseUrl(), PORT: String(port) };
    const outDir = join(work, 'out');
    const group =
      kind === 'plain'
        ? startGroup(process.execPath, [demoServer], { cwd: work, env })
        : startGroup(process.execPath, [ZERO_X, ...flags, '--output-dir', outDir, '--', process.execPath, demoServer], { cwd: work, env });
    const describe = () => `${kind} process output:\n${group.tail.join('\n')}`;
    const hasExited = () => group.child.exitCode !== null || group.child.signalCode !== null;
    try {
      await waitUntilAnswering(`${base}/health`, 60_000, hasExited, describe);
      let pid = kind === 'plain' ? group.pid : undefined;
      for (let i = 0; pid === undefined && i < 50; i++) {
        pid = findService(group);
        if (pid === undefined) await sleep(100);
      }
      if (pid === undefined) throw new Error(`could not find the service process under 0x (pid ${group.pid}).\n${describe()}`);
      const url = `${base}/report`;
      await measureWindow(pid, loadOptions(url, WARMUP_MS));
      if (!rate) {
        const capacity = await measureWindow(pid, loadOptions(url, CAPACITY_MS));
        capacityRps = capacity.rps;
        rate = Math.max(1, Math.round(capacity.rps * RATE_SHARE));
        console.log(`  capacity unprofiled: ${capacity.rps.toFixed(1)} req/s; fixed rate ${rate} req/s`);
      }
      const rateWindow = await measureWindow(pid, loadOptions(url, WINDOW_MS, rate));
      const saturated = await measureWindow(pid, loadOptions(url, WINDOW_MS));
      for (const [what, w] of [['fixed-rate', rateWindow], ['saturating', saturated]] as const) {
        if (w.errors > 0) notes.push(`${kind} ${what} window had ${w.errors} failed or non-2xx requests`);
      }
      const run: ProcessRun = { rate: rateWindow, saturated };
      if (kind === '0x') {
        const stopping = performance.now();
        await group.stop('SIGINT', ZERO_X_FINISH_MS);
        run.finishMs = performance.now() - stopping;
        if (group.child.exitCode !== 0) notes.push(`0x exited with ${group.child.exitCode ?? group.child.signalCode} after being stopped: ${group.tail.slice(-3).join(' | ')}`);
        run.logBytes = sizeOf(outDir, /v8\.log$/);
        if (!run.logBytes) notes.push('0x left no V8 log in its output folder');
      }
      return run;
    } finally {
      await group.stop('SIGTERM', 10_000);
      removeWork();
    }
  };

  const perRound: Array<Record<Kind, ProcessRun>> = [];
  for (let round = 1; round <= rounds; round++) {
    const order: Kind[] = round % 2 ? ['plain', '0x'] : ['0x', 'plain'];
    const results = {} as Record<Kind, ProcessRun>;
    for (const kind of order) results[kind] = await runProcess(kind);
    perRound.push(results);
    const { plain, '0x': zx } = results;
    console.log(
      `  round ${round}/${rounds} [${order.join(', ')}]: plain ${plain.rate.cpuMsPerRequest.toFixed(2)} CPU ms/req, ${plain.saturated.rps.toFixed(1)} req/s; ` +
        `0x: CPU/req ×${(zx.rate.cpuMsPerRequest / plain.rate.cpuMsPerRequest).toFixed(3)}, req/s ×${(zx.saturated.rps / plain.saturated.rps).toFixed(3)}, finished ${((zx.finishMs ?? NaN) / 1000).toFixed(1)} s after stop`,
    );
  }

  const pick = (kind: Kind, f: (r: ProcessRun) => number) => perRound.map((r) => f(r[kind]));
  const cpuPlain = pick('plain', (r) => r.rate.cpuMsPerRequest);
  const cpu0x = pick('0x', (r) => r.rate.cpuMsPerRequest);
  const rpsPlain = pick('plain', (r) => r.saturated.rps);
  const rps0x = pick('0x', (r) => r.saturated.rps);
  const finish = spread(pick('0x', (r) => (r.finishMs ?? NaN) / 1000));
  const logMb = median(pick('0x', (r) => (r.logBytes ?? NaN) / 1e6));
  const figures: Figure[] = [
    {
      what: `0x ${flags.join(' ')}: CPU time per request, GET /report at ${rate} req/s`.replace('  ', ' '),
      ratio: '0x / plain',
      rounds: perRound.length,
      spread: spread(cpu0x.map((v, i) => v / cpuPlain[i])),
      context: `plain ${median(cpuPlain).toFixed(2)} ms/req, 0x ${median(cpu0x).toFixed(2)} ms/req`,
    },
    {
      what: `0x ${flags.join(' ')}: throughput, GET /report, 8 connections`.replace('  ', ' '),
      ratio: '0x / plain',
      rounds: perRound.length,
      spread: spread(rps0x.map((v, i) => v / rpsPlain[i])),
      context: `plain ${median(rpsPlain).toFixed(1)} req/s, 0x ${median(rps0x).toFixed(1)} req/s; 0x then took ${finish.median.toFixed(1)} s (${finish.min.toFixed(1)}–${finish.max.toFixed(1)}) to finish, log ${logMb.toFixed(1)} MB`,
    },
  ];
  for (const f of figures) console.log(`  ${f.what}: ${f.ratio} min/median/max ${fmtRatio(f.spread)} (${f.context})`);
  writeResult({
    name: 'zeroXOverhead',
    figures,
    details: { rate, capacityRps, flags, windowMs: WINDOW_MS, finishSeconds: finish, logMb },
    notes: [...new Set(notes)],
    elapsedMs: performance.now() - began,
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
