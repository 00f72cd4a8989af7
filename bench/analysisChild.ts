// One measurement of the analysis benchmark, alone in its process so that its peak RSS is its own.
//   node --import tsx bench/analysisChild.ts json|summarize FILE
// Prints one JSON line: wall time of the work (ms), its phases, and the process's peak RSS.
import { readFile } from 'node:fs/promises';
import { buildReport } from '../server/analysis/buildReport';
import { parseCpuProfile } from '../server/analysis/parseCpuProfile';
import { buildProfileModel } from '../server/analysis/profileModel';
import { createFileSourceMapResolver } from '../server/sourcemaps/fileSourceMapLoader';

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  if ((mode !== 'json' && mode !== 'summarize') || !file) throw new Error('usage: analysisChild.ts json|summarize FILE');
  const rssBeforeMb = process.resourceUsage().maxRSS / 1024;
  const phases: Record<string, number> = {};
  let at = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    phases[name] = now - at;
    at = now;
  };
  const started = at;
  const text = await readFile(file, 'utf8');
  lap('read');
  let check: number;
  if (mode === 'json') {
    const value = JSON.parse(text) as { nodes: unknown[] };
    lap('parse');
    check = value.nodes.length;
  } else {
    // `perflens summarize` minus printing: what analyseProfile does before formatting tables.
    const profile = parseCpuProfile(text);
    lap('parse');
    const model = buildProfileModel(profile);
    lap('model');
    const { resolver, warnings } = createFileSourceMapResolver();
    const report = buildReport({ model, resolver, target: file, top: 50 });
    report.warnings.push(...warnings());
    lap('report');
    check = report.functions.length + report.lines.length;
  }
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ mode, ms, phases, check, maxRssMb: process.resourceUsage().maxRSS / 1024, rssBeforeMb })}\n`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
