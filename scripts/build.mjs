// Builds everything the project runs: the profiler server / CLI bundle and the demo service.
// Usage: node scripts/build.mjs [--skip-demo]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

await build({
  ...common,
  entryPoints: { server: 'server/cli/main.ts', loadWorker: 'server/load/loadWorker.ts', heapWorker: 'server/session/heapWorker.ts' },
  outdir: 'dist',
  // Only agentSource's from-source path (under tsx) uses esbuild; the built server reads dist/agent.js.
  external: ['esbuild'],
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync(join(root, 'dist/server.js'), 0o755);

// The agent the server evaluates inside the user's service (server/agent/agentSource.ts reads it):
// one script with no imports and no source map.
await build({ ...common, entryPoints: { agent: 'server/agent/agent.ts' }, outdir: 'dist', format: 'iife', sourcemap: false });

// The extension runs in VS Code's extension host: everything bundled but `vscode` itself.
await build({ ...common, entryPoints: { extension: 'extension/extension.ts' }, outdir: 'dist', external: ['vscode'] });

// Webview scripts run in the browser; speedscope's built app is copied as it ships.
await build({ ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { flameGraph: 'webview/flameGraph/main.ts', loadReport: 'webview/loadReport/main.ts', explain: 'webview/explain/main.ts', vitals: 'webview/vitals/main.ts', heapSummary: 'webview/heap/summary/main.ts', leakReport: 'webview/heap/leak/main.ts' }, outdir: 'dist/webview' });
cpSync(join(root, 'node_modules/speedscope/dist/release'), join(root, 'dist/speedscope'), { recursive: true });
cpSync(join(root, 'node_modules/uplot/dist/uPlot.min.css'), join(root, 'dist/webview/uPlot.min.css'));
cpSync(join(root, 'webview/vitals/vitals.css'), join(root, 'dist/webview/vitals.css'));
cpSync(join(root, 'webview/heap/heap.css'), join(root, 'dist/webview/heap.css'));

if (!process.argv.includes('--skip-demo')) {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'demo')], { stdio: 'inherit' });
}
