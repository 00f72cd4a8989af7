// Benchmark 3: how fast `perflens summarize` analyses a large profile, against JSON.parse alone.
//
// Generates a large realistic .cpuprofile (see lib/syntheticProfile.ts) into a temp folder, then, in
// rounds, runs in separate processes (a) readFile + JSON.parse and (b) readFile + parseCpuProfile +
// buildProfileModel + createFileSourceMapResolver + buildReport (top 50): the summarize path minus
// printing. Order alternates by round; the ratio (b)/(a) is per round. Peak RSS from each child's
// process.resourceUsage().maxRSS (includes Node and tsx: see the empty-child figure for that floor).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeOnExit, root } from './lib/processes';
import { writeResult, type Figure } from './lib/results';
import { fmtRatio, median, roundsFromEnv, spread } from './lib/stats';
import { syntheticCpuProfile } from './lib/syntheticProfile';

const DEFAULT_ROUNDS = 7;
const NODES = 320_000;
const SAMPLES = 250_000;
const CHILD_TIMEOUT_MS = 120_000;

interface ChildResult {
  mode: string;
  ms: number;
  phases: Record<string, number>;
  check: number;
  maxRssMb: number;
  rssBeforeMb: number;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function runChild(mode: 'json' | 'summarize', file: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'analysisChild.ts'), mode, file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (code !== 0) return reject(new Error(`analysis child (${mode}) failed: ${signal ?? `exit code ${code}`}\n${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
      } catch {
        reject(new Error(`analysis child (${mode}) printed no result: ${out}\n${err}`));
      }
    });
  });
}

async function main(): Promise<void> {
  const began = performance.now();
  const rounds = roundsFromEnv(DEFAULT_ROUNDS);
  const dir = mkdtempSync(join(tmpdir(), 'perflens-bench-analysis-'));
  const cleanup = removeOnExit(dir);
  try {
    const file = join(dir, 'synthetic.cpuprofile');
    let t = performance.now();
    const profile = syntheticCpuProfile(join(root, 'demo', 'dist'), join(root, 'node_modules'), { nodes: NODES, samples: SAMPLES });
    writeFileSync(file, JSON.stringify(profile));
    const bytes = statSync(file).size;
    const mb = bytes / 1e6;
    console.log(`analysis speed: synthetic profile ${mb.toFixed(1)} MB, ${profile.nodes.length} nodes, ${profile.samples!.length} samples (made in ${((performance.now() - t) / 1000).toFixed(1)} s); ${rounds} rounds`);
    if (mb < 50) throw new Error(`the synthetic profile is only ${mb.toFixed(1)} MB; the benchmark wants ≥ 50 MB`);

    // Warm the file cache and the tsx compile cache so round 1 is like the others.
    t = performance.now();
    await runChild('json', file);
    await runChild('summarize', file);
    console.log(`  warm-up: ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const json: ChildResult[] = [];
    const summarize: ChildResult[] = [];
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? (['json', 'summarize'] as const) : (['summarize', 'json'] as const);
      for (const mode of order) (mode === 'json' ? json : summarize).push(await runChild(mode, file));
      const a = json[json.length - 1];
      const b = summarize[summarize.length - 1];
      const phases = Object.entries(b.phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
      console.log(`  round ${round}/${rounds}: JSON.parse path ${a.ms.toFixed(0)} ms (${a.maxRssMb.toFixed(0)} MB peak), summarize path ${b.ms.toFixed(0)} ms [${phases}] (${b.maxRssMb.toFixed(0)} MB peak): ×${(b.ms / a.ms).toFixed(2)}`);
    }

    const aMs = median(json.map((r) => r.ms));
    const bMs = median(summarize.map((r) => r.ms));
    const phaseNames = Object.keys(summarize[0].phases);
    const phaseText = phaseNames.map((p) => `${p} ${median(summarize.map((r) => r.phases[p])).toFixed(0)}`).join(', ');
    const floorMb = median([...json, ...summarize].map((r) => r.rssBeforeMb));
    const figures: Figure[] = [
      {
        what: `Analysis time of a ${mb.toFixed(0)} MB .cpuprofile: summarize path vs readFile+JSON.parse`,
        ratio: 'summarize / JSON.parse',
        rounds,
        spread: spread(summarize.map((b, i) => b.ms / json[i].ms)),
        context: `JSON.parse ${aMs.toFixed(0)} ms = ${(mb / (aMs / 1000)).toFixed(0)} MB/s; summarize ${bMs.toFixed(0)} ms = ${(mb / (bMs / 1000)).toFixed(0)} MB/s [${phaseText} ms]; goal ≤ 2×`,
      },
      {
        what: `Peak RSS of the same, each in its own process`,
        ratio: 'summarize / JSON.parse',
        rounds,
        spread: spread(summarize.map((b, i) => b.maxRssMb / json[i].maxRssMb)),
        context: `JSON.parse ${median(json.map((r) => r.maxRssMb)).toFixed(0)} MB, summarize ${median(summarize.map((r) => r.maxRssMb)).toFixed(0)} MB (Node + tsx before reading: ${floorMb.toFixed(0)} MB)`,
      },
    ];
    for (const f of figures) console.log(`  ${f.what}: ${f.ratio} min/median/max ${fmtRatio(f.spread)} (${f.context})`);
    writeResult({
      name: 'analysisSpeed',
      figures,
      details: { fileMb: mb, nodes: profile.nodes.length, samples: profile.samples!.length, jsonMs: json.map((r) => r.ms), summarizeMs: summarize.map((r) => r.ms), phasesMs: summarize.map((r) => r.phases) },
      notes: [],
      elapsedMs: performance.now() - began,
    });
  } finally {
    cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
