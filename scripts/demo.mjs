// `npm run demo`: installs what it lacks (once), builds, and starts the whole demo: an embedded
// PostgreSQL, the demo service, and the real VS Code (code-server) with PerfLens installed and the
// demo folder open. Ctrl-C stops everything it started.
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './ensureDependencies.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureDependencies(root);
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
// The session itself is TypeScript (it shares the code-server launcher with the tests). Ctrl-C
// reaches it directly from the terminal; this process only waits for it.
const session = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/demo/runDemo.ts'), root], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => session.kill(signal));
session.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
