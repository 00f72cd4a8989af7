// Bundles the extension-host test suite (test/vscode/suite/**/*.ts) into plain CommonJS under
// dist/test/vscode/suite/, which the extension host loads: `vscode` stays external (the host
// provides it), mocha is bundled into index.js (mocha 12 is an ES module package).
// Usage: node scripts/vscode/buildVscodeTests.mjs
import { build } from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function buildVscodeTests(root = repoRoot) {
  const suiteDir = join(root, 'test', 'vscode', 'suite');
  const outdir = join(root, 'dist', 'test', 'vscode', 'suite');
  const entryPoints = listTs(suiteDir).map((file) => relative(root, file));
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: resolve(root),
    entryPoints,
    outbase: 'test/vscode/suite',
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: 'warning',
    logOverride: { 'require-resolve-not-external': 'silent', 'indirect-require': 'silent' },
  });
  return join(outdir, 'index.js');
}

function listTs(dir) {
  return readdirSync(dir).sort().flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return listTs(path);
    return entry.endsWith('.ts') && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await buildVscodeTests());
}
