// Installs the heap benchmark's anchors (memlab and its heap analyses, pinned) once into
// .cache/bench-deps/, outside the project's dependencies: the project's package.json and
// node_modules are never touched. A second run finds them there and does nothing.
// Usage: node scripts/benchDeps.mjs   (bench/heapAnalysis.bench.ts runs it too)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the anchors live; bench/heapRunners/memlab.mjs resolves them from here. */
export const benchDepsDir = join(root, '.cache', 'bench-deps');
/** Pinned so that figures of two runs compare. */
export const BENCH_DEPS = { memlab: '2.0.5', '@memlab/heap-analysis': '2.0.5', '@memlab/core': '2.0.5' };

function installedVersion(name) {
  const file = join(benchDepsDir, 'node_modules', ...name.split('/'), 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** Installs what is missing or at another version; throws with npm's output when npm fails. */
export function ensureBenchDeps({ log = console.log } = {}) {
  const missing = Object.entries(BENCH_DEPS).filter(([name, version]) => installedVersion(name) !== version);
  if (missing.length === 0) return;
  mkdirSync(benchDepsDir, { recursive: true });
  // Its own package.json, so that npm installs here and never walks up to the project's.
  const manifest = join(benchDepsDir, 'package.json');
  if (!existsSync(manifest)) writeFileSync(manifest, `${JSON.stringify({ name: 'perflens-bench-deps', private: true }, null, 2)}\n`);
  const specs = Object.entries(BENCH_DEPS).map(([name, version]) => `${name}@${version}`);
  log(`bench deps: installing ${specs.join(' ')} into ${benchDepsDir} (puppeteer's browser download skipped)…`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--prefix', benchDepsDir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', ...specs], {
    cwd: benchDepsDir,
    env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1', PUPPETEER_SKIP_CHROMIUM_DOWNLOAD: '1' },
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  if (result.status !== 0) {
    throw new Error(`npm install of ${specs.join(' ')} failed (${result.error?.message ?? `exit code ${result.status}`}):\n${result.stdout}\n${result.stderr}`);
  }
  const still = Object.entries(BENCH_DEPS).filter(([name, version]) => installedVersion(name) !== version);
  if (still.length) throw new Error(`after npm install, ${still.map(([n, v]) => `${n}@${v}`).join(', ')} is still missing from ${benchDepsDir}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    ensureBenchDeps();
    console.log(`bench deps: ${Object.entries(BENCH_DEPS).map(([n, v]) => `${n}@${v}`).join(', ')} in ${benchDepsDir}`);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
