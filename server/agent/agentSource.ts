// The agent's code as one script to evaluate in the target. The built server has dist/agent.js
// beside it (scripts/build.mjs); from source (the tests, under tsx) it is bundled here with esbuild.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

export function agentSource(): string {
  if (cached !== undefined) return cached;
  const built = path.join(__dirname, 'agent.js');
  if (existsSync(built)) return (cached = readFileSync(built, 'utf8'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a devDependency, needed only when running from source
  const esbuild = require('esbuild') as typeof import('esbuild');
  // As scripts/build.mjs bundles it: one script with no imports, for Node 20 and later.
  const result = esbuild.buildSync({ entryPoints: [path.join(__dirname, 'agent.ts')], bundle: true, platform: 'node', target: 'node20', format: 'iife', logLevel: 'warning', write: false });
  return (cached = result.outputFiles[0]!.text);
}
