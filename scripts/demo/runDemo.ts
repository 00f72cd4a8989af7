// The demo session behind `npm run demo` (see scripts/demo.mjs): node --import tsx runDemo.ts <root>
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { installPackagedExtension, startCodeServer, type CodeServer } from '../vscode/codeServer';
import { ensureVscode } from '../vscode/install';

const PREFERRED_SERVICE_PORT = 3000;
const PREFERRED_EDITOR_PORT = 8080;

export async function runDemo(root: string): Promise<void> {
  const stops: Array<() => Promise<unknown> | void> = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nperflens demo: stopping…');
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch((err: Error) => console.error(`perflens demo: ${err.message}`));
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    console.log('perflens demo: making sure code-server is installed (first time: about 2 minutes)…');
    await ensureVscode(root);

    const demoDir = join(root, '.vscode-test', 'demo');
    mkdirSync(demoDir, { recursive: true });
    const extensionsDir = await installPackagedExtension(demoDir, root);

    const { startEmbeddedPostgres } = createRequire(__filename)(join(root, 'demo/dist/embeddedPostgres.js')) as { startEmbeddedPostgres(): Promise<{ url: string; stop(): Promise<void> }> };
    console.log('perflens demo: starting PostgreSQL…');
    const database = await startEmbeddedPostgres();
    stops.push(() => database.stop());

    const servicePort = await portOr(PREFERRED_SERVICE_PORT);
    const service = spawn(process.execPath, [join(root, 'demo/dist/server.js')], { cwd: join(root, 'demo'), env: { ...process.env, PORT: String(servicePort), DATABASE_URL: database.url }, stdio: ['ignore', 'inherit', 'inherit'] });
    stops.push(() => stopChild(service));
    const base = `http://127.0.0.1:${servicePort}`;
    await waitForHealth(`${base}/health`, service);

    const editor: CodeServer = await startCodeServer({
      folder: join(root, 'demo'),
      extensionsDir,
      auth: 'password',
      port: await portOr(PREFERRED_EDITOR_PORT),
      root,
      settings: { 'perflens.baseUrl': base, 'workbench.colorTheme': 'Default Dark Modern' },
    });
    stops.push(() => editor.stop());

    console.log(`
PerfLens demo is running.

  VS Code:   ${editor.url}   password: ${editor.password}
  Service:   ${base} (PID ${service.pid}), backed by PostgreSQL

In VS Code, open src/routes/report.ts and click "Profile this endpoint" above GET /report.
The first time, pick "Attach to a running Node.js process…" and the demo service (PID ${service.pid}).
Then watch the flame graph open, the hot lines light up in src/report/scoreOrders.ts, and hover
scoreOrders for its self and total time.

From a terminal, the same without the editor:
  npx perflens profile --attach ${service.pid} --url ${base}/report --duration 10s

Press Ctrl-C to stop everything.`);
    service.once('exit', (code) => {
      console.error(`perflens demo: the demo service exited (code ${code})`);
      void stopAll(1);
    });
  } catch (err) {
    console.error(`perflens demo: ${(err as Error).message}`);
    await stopAll(1);
  }
}

/** `preferred` when it is free, else any free port. */
async function portOr(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const actual = (server.address() as { port: number }).port;
        server.close(() => resolve(actual));
      });
    });
  return (await tryPort(preferred)) ?? (await tryPort(0))!;
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the demo service exited (code ${child.exitCode})`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within 60 s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.removeAllListeners('exit');
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

if (require.main === module) void runDemo(process.argv[2] ?? join(__dirname, '..', '..'));
