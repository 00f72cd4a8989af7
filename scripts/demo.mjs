// The demo: builds, starts the demo service with its embedded PostgreSQL, and shows how to profile
// it. (VS Code with the extension joins it once the extension exists.) Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './ensureDependencies.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureDependencies(root);
await new Promise((resolve, reject) => {
  spawn(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' }).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build failed (exit code ${code})`))));
});

const port = process.env.PORT ?? '3000';
const service = spawn(process.execPath, ['--inspect=127.0.0.1:0', join(root, 'demo/dist/server.js')], { cwd: root, env: { ...process.env, PORT: port }, stdio: ['ignore', 'inherit', 'pipe'] });
service.stderr.on('data', (chunk) => process.stderr.write(chunk));

const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 600; i++) {
  if (service.exitCode !== null) process.exit(1);
  if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break;
  await new Promise((r) => setTimeout(r, 200));
}
console.log(`
The demo service runs on ${base} (PID ${service.pid}), with its inspector open on 127.0.0.1.
Profile its CPU-heavy endpoint from another terminal:

  npx perflens profile --attach ${service.pid} --url ${base}/report --duration 10s

Other endpoints: ${base}/customers/1/orders (N+1 queries), ${base}/search?q=blue (slow query),
${base}/leak (leaks memory), ${base}/block?ms=200 (blocks the event loop), ${base}/health (fast).

Not yet: VS Code with the PerfLens extension (coming with the extension).
Press Ctrl-C to stop the service and its database.
`);

const stop = () => service.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
service.on('exit', (code) => process.exit(code ?? 0));
