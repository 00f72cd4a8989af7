// Benchmark: how closely runLoad keeps the arrival rate it is asked for (achieved ÷ requested),
// from 10 % to 90 % of the ceiling wrk reaches on the same endpoint in the same run (goal: within 1 %).
//
// The target is a tiny node:http server answering 'ok', in a child process (bench/lib/tinyServer).
// wrk is Debian's package: when `which wrk` fails, the bench runs `apt-get update` and
// `apt-get install -y wrk` (needs root) and says so; if that fails, the ceiling is autocannon's own
// saturating throughput instead, labelled as such. The ceiling that sets the rates is measured once
// (`wrk -t1 -c50 -d5s`, after a warm-up); each round then runs, in a shuffled order, one 5-s runLoad
// window per fraction (rate = round(fraction × ceiling), 50 connections like wrk) plus a saturating
// wrk and a saturating autocannon window (50 connections, no rate), for autocannon max ÷ wrk max.
import { spawnSync, execFile } from 'node:child_process';
import { runLoad } from '../server/load/runLoad';
import type { LoadOptions, LoadSummary } from '../server/load/loadTypes';
import { writeResult, type Figure } from './lib/results';
import { fmtRatio, median, roundsFromEnv, shuffled, spread } from './lib/stats';
import { startTinyServer } from './lib/tinyServer';

const DEFAULT_ROUNDS = 2;
const WINDOW_MS = 5_000;
const CONNECTIONS = 50;
const FRACTIONS = [0.1, 0.3, 0.5, 0.7, 0.9];
const INSTALL_TIMEOUT_MS = 240_000;

function findWrk(): string | undefined {
  const r = spawnSync('which', ['wrk'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/** wrk's path, installing Debian's package when it is missing; undefined when that fails. */
function ensureWrk(notes: string[]): string | undefined {
  const found = findWrk();
  if (found) {
    console.log(`  wrk: ${found}`);
    return found;
  }
  console.log('  wrk: not found (`which wrk` failed); installing Debian\'s package: `apt-get update` then `apt-get install -y wrk`…');
  for (const args of [['update'], ['install', '-y', 'wrk']]) {
    const r = spawnSync('apt-get', args, { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-3).map((l) => `      ${l}`).join('\n');
    console.log(`    apt-get ${args.join(' ')}: ${r.error ? r.error.message : `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}`}\n${tail}`);
    if (r.error || r.status !== 0) {
      notes.push(`wrk could not be installed (apt-get ${args.join(' ')} failed): the ceiling is autocannon at saturation, not wrk`);
      return undefined;
    }
  }
  const installed = findWrk();
  if (!installed) notes.push('apt-get install -y wrk succeeded but wrk is still not on PATH: the ceiling is autocannon at saturation');
  else console.log(`  wrk: installed at ${installed}`);
  return installed;
}

function runWrk(wrk: string, url: string, seconds: number): Promise<{ rps: number; errors: string }> {
  return new Promise((resolve, reject) => {
    execFile(wrk, ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, url], { timeout: (seconds + 15) * 1000, encoding: 'utf8' }, (err, stdout) => {
      if (err) return reject(new Error(`wrk failed: ${err.message}\n${stdout}`));
      const m = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
      if (!m) return reject(new Error(`no Requests/sec in wrk's output:\n${stdout}`));
      const errors = [/Socket errors:[^\n]*/.exec(stdout)?.[0], /Non-2xx[^\n]*/.exec(stdout)?.[0]].filter(Boolean).join('; ');
      resolve({ rps: Number(m[1]), errors });
    });
  });
}

function load(url: string, durationMs: number, rate?: number): LoadOptions {
  return { url, method: 'GET', headers: {}, connections: CONNECTIONS, durationMs, timeoutMs: 10_000, ...(rate ? { rate } : {}) };
}

const errorsOf = (s: LoadSummary) => s.errors.total + s.errors.non2xx;

async function main(): Promise<void> {
  const began = performance.now();
  const rounds = roundsFromEnv(DEFAULT_ROUNDS);
  const notes: string[] = [];
  console.log(`load accuracy: runLoad achieved ÷ requested arrival rate at ${FRACTIONS.map((f) => `${f * 100} %`).join(', ')} of the ceiling; ${rounds} rounds of ${WINDOW_MS / 1000}-s windows, ${CONNECTIONS} connections`);
  const wrk = ensureWrk(notes);
  const ceilingName = wrk ? 'wrk' : 'autocannon (saturating; wrk unavailable)';

  const server = await startTinyServer();
  console.log(`  target: tiny node:http server, PID ${server.pid}, ${server.url}`);
  const achieved: Record<string, number[]> = Object.fromEntries(FRACTIONS.map((f) => [String(f), []]));
  const acMax: number[] = [];
  const wrkMax: number[] = [];
  let ceiling: number;
  const rates = new Map<number, number>();
  try {
    // Warm-up (JIT of the server and of autocannon's worker), discarded.
    await runLoad(load(server.url, 3_000));
    if (wrk) await runWrk(wrk, server.url, 2);
    ceiling = wrk ? (await runWrk(wrk, server.url, WINDOW_MS / 1000)).rps : (await runLoad(load(server.url, WINDOW_MS))).rps;
    for (const f of FRACTIONS) rates.set(f, Math.max(1, Math.round(f * ceiling)));
    console.log(`  ceiling (${ceilingName}, ${CONNECTIONS} connections, ${WINDOW_MS / 1000} s): ${ceiling.toFixed(0)} req/s; rates ${[...rates.values()].join(', ')} req/s`);

    type Step = { kind: 'rate'; fraction: number } | { kind: 'ac-max' } | { kind: 'wrk-max' };
    const steps: Step[] = [...FRACTIONS.map((fraction) => ({ kind: 'rate' as const, fraction })), { kind: 'ac-max' }, ...(wrk ? [{ kind: 'wrk-max' as const }] : [])];
    for (let round = 1; round <= rounds; round++) {
      const parts: string[] = [];
      for (const step of shuffled(steps)) {
        if (step.kind === 'rate') {
          const rate = rates.get(step.fraction)!;
          const s = await runLoad(load(server.url, WINDOW_MS, rate));
          achieved[String(step.fraction)].push(s.rps / rate);
          if (errorsOf(s)) notes.push(`${step.fraction * 100} % window had failed or non-2xx requests (${errorsOf(s)} in round ${round})`);
          parts.push(`${step.fraction * 100} %: ${s.rps.toFixed(1)}/${rate} = ${(s.rps / rate).toFixed(4)} (p99 ${s.latency.p99} ms)`);
        } else if (step.kind === 'ac-max') {
          const s = await runLoad(load(server.url, WINDOW_MS));
          acMax.push(s.rps);
          if (errorsOf(s)) notes.push(`saturating autocannon window had ${errorsOf(s)} failed or non-2xx requests`);
          parts.push(`autocannon max ${s.rps.toFixed(0)}`);
        } else {
          const w = await runWrk(wrk!, server.url, WINDOW_MS / 1000);
          wrkMax.push(w.rps);
          if (w.errors) notes.push(`wrk reported ${w.errors}`);
          parts.push(`wrk max ${w.rps.toFixed(0)}`);
        }
      }
      console.log(`  round ${round}/${rounds}: ${parts.join('; ')}`);
    }
  } finally {
    await server.stop();
  }

  const figures: Figure[] = FRACTIONS.map((f) => ({
    what: `runLoad arrival rate at ${f * 100} % of the ${wrk ? 'wrk' : 'autocannon'} ceiling, tiny server`,
    ratio: 'achieved / requested',
    rounds: achieved[String(f)].length,
    spread: spread(achieved[String(f)]),
    context: `requested ${rates.get(f)} req/s, achieved ${(median(achieved[String(f)]) * rates.get(f)!).toFixed(1)} req/s (median)`,
  }));
  if (wrk) {
    figures.push({
      what: `saturating throughput, ${CONNECTIONS} connections, tiny server`,
      ratio: 'autocannon / wrk',
      rounds: acMax.length,
      spread: spread(acMax.map((a, i) => a / wrkMax[i])),
      context: `wrk ${median(wrkMax).toFixed(0)} req/s, autocannon ${median(acMax).toFixed(0)} req/s (median)`,
    });
  } else {
    notes.push(`no wrk: autocannon max ÷ wrk max not measured; autocannon saturating ${median(acMax).toFixed(0)} req/s`);
  }
  notes.push('2 shared cores: the load generator, the server and wrk compete for CPU; read figures, not pass/fail');
  for (const f of figures) console.log(`  ${f.what}: ${f.ratio} min/median/max ${fmtRatio(f.spread)} (${f.context})`);
  const within = figures.slice(0, FRACTIONS.length).filter((f) => Math.abs(f.spread.median - 1) <= 0.01).length;
  console.log(`  goal (achieved within 1 % of requested, median): ${within}/${FRACTIONS.length} fractions`);
  writeResult({
    name: 'loadAccuracy',
    figures,
    details: { ceiling: ceilingName, ceilingRps: ceiling!, rates: Object.fromEntries(rates), windowMs: WINDOW_MS, connections: CONNECTIONS, wrkMax, autocannonMax: acMax },
    notes: [...new Set(notes)],
    elapsedMs: performance.now() - began,
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
