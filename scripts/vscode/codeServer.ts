// Starts code-server (the real VS Code workbench and extension host) for tests and the demo.
// Everything it writes (HOME, XDG dirs, user data, extensions) goes to a fresh folder of its own;
// stop() ends it with every process it started (extension hosts included) and removes that folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureVscode, repoRoot } from './install';
import { freePort } from '../../server/target/freePort';

export interface CodeServerOptions {
  /** The workspace folder the workbench opens. */
  folder: string;
  /** Default: a fresh folder, removed by stop(). */
  userDataDir?: string;
  /** Default: a fresh folder, removed by stop(). */
  extensionsDir?: string;
  /** Needed for extension-host tests through the `payload` URL parameter. */
  smokeTestDriver?: boolean;
  /** Default 'none'. With 'password', `password` or a generated one (see the result). */
  auth?: 'none' | 'password';
  password?: string;
  /** User settings added to (and overriding) the test defaults. */
  settings?: Record<string, unknown>;
  /** Where `.vscode-test/` is; default: this repository. */
  root?: string;
  /** Echo code-server's output to stderr (default: env PERFLENS_E2E_VERBOSE). */
  verbose?: boolean;
  /** Fixed port instead of a free one. */
  port?: number;
  /** Extra environment for code-server and the extension host. */
  env?: Record<string, string>;
}

export interface CodeServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Set when auth is 'password'. */
  password?: string;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's own output so far (last 200 kB). */
  output(): string;
  /** Stops code-server and everything it started. Safe to call twice. */
  stop(): Promise<void>;
}

export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
};

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const { codeServer, node24 } = await ensureVscode(options.root ?? repoRoot);
  const folder = resolve(options.folder);
  if (!existsSync(folder)) throw new Error(`startCodeServer: folder ${folder} does not exist`);
  const base = mkdtempSync(join(tmpdir(), 'perflens-code-server-'));
  const home = join(base, 'home');
  const userDataDir = resolve(options.userDataDir ?? join(base, 'ud'));
  const extensionsDir = resolve(options.extensionsDir ?? join(base, 'ext'));
  for (const dir of [home, join(base, 'run'), join(userDataDir, 'User'), extensionsDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeUserSettings(userDataDir, { ...DEFAULT_SETTINGS, ...options.settings });

  const auth = options.auth ?? 'none';
  const password = auth === 'password' ? (options.password ?? randomBytes(12).toString('base64url')) : undefined;
  const verbose = options.verbose ?? Boolean(process.env.PERFLENS_E2E_VERBOSE);
  const env = isolatedEnv(base, home, { ...options.env, ...(password ? { PASSWORD: password } : {}) });

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? (await freePort());
    const args = [
      codeServer,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', auth,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--reconnection-grace-time', '10',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      ...(options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
      folder,
    ];
    // Its own process group, so stop() can end it together with its extension hosts.
    const child = spawn(node24, args, { cwd: folder, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const append = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-200_000);
      if (verbose) process.stderr.write(`[code-server] ${chunk}`);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const exited = new Promise<string>((done) => child.once('exit', (code, signal) => done(`exit ${code ?? signal}`)));
    child.once('error', (error) => { output += `\n${error.stack ?? error.message}`; });

    const url = `http://127.0.0.1:${port}`;
    const ready = await Promise.race([waitForHealth(url, 60_000), exited.then((how) => new Error(`code-server stopped before it answered (${how})`))]);
    let stopped: Promise<void> | undefined;
    const instance = { group: child.pid, home, base };
    // `base` holds HOME and the default folders only; folders the caller named are kept.
    const stop = () => (stopped ??= killTree(child, exited, home).then(() => {
      live.delete(instance);
      rmSync(base, { recursive: true, force: true });
    }));
    if (ready === true) {
      live.add(instance);
      watchForExit();
      return { url, port, process: child, password, userDataDir, extensionsDir, output: () => output, stop };
    }
    await killTree(child, exited, home);
    lastError = new Error(`${ready.message}\n${output.slice(-4000)}`);
    if (options.port || !/EADDRINUSE/.test(output)) break;
  }
  rmSync(base, { recursive: true, force: true });
  throw lastError ?? new Error('code-server did not start');
}

/** Instances not stopped yet: ended if this process exits or is interrupted first. */
const live = new Set<{ group: number | undefined; home: string; base: string }>();
let watching = false;

function watchForExit() {
  if (watching) return;
  watching = true;
  const killAll = () => {
    for (const { group, home, base } of live) {
      if (group) {
        try { process.kill(-group, 'SIGKILL'); } catch { /* gone */ }
      }
      for (const pid of processesWithHome(home)) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
      rmSync(base, { recursive: true, force: true });
    }
    live.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal); // then what the signal would have done
    });
  }
}

/** Installs a .vsix into an extensions folder with code-server's `--install-extension`. */
export async function installExtension(vsix: string, extensionsDir: string, root: string = repoRoot): Promise<void> {
  const { codeServer, node24 } = await ensureVscode(root);
  const base = mkdtempSync(join(tmpdir(), 'perflens-install-ext-'));
  const home = join(base, 'home');
  mkdirSync(home, { recursive: true });
  try {
    const child = spawn(node24, [codeServer, '--extensions-dir', resolve(extensionsDir), '--user-data-dir', join(base, 'ud'), '--install-extension', resolve(vsix), '--force'], {
      env: isolatedEnv(base, home, {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const code = await new Promise<number | null>((done, fail) => { child.once('error', fail); child.once('exit', done); });
    if (code !== 0 || !/successfully installed/i.test(output)) throw new Error(`code-server --install-extension ${vsix} failed (exit ${code}):\n${output}`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

function writeUserSettings(userDataDir: string, settings: Record<string, unknown>) {
  const file = join(userDataDir, 'User', 'settings.json');
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // none yet (or not plain JSON): ours replaces it
  }
  writeFileSync(file, JSON.stringify({ ...existing, ...settings }, null, 2) + '\n');
}

/** The environment code-server runs in: HOME and XDG dirs of its own, nothing from an outer VS Code or test runner. */
function isolatedEnv(base: string, home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VSCODE_|ELECTRON_|NODE_TEST_|CODE_SERVER_)/.test(key) || key === 'NODE_OPTIONS' || key === 'PASSWORD' || key === 'HASHED_PASSWORD') continue;
    env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_RUNTIME_DIR: join(base, 'run'),
    PERFLENS_CODE_SERVER_HOME: home,
    ...extra,
  };
}


async function waitForHealth(url: string, timeoutMs: number): Promise<true | Error> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return true;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await delay(200);
  }
  return new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms (${last})`);
}

/**
 * Ends code-server's process group, then any process still carrying this instance's HOME in its
 * environment (an extension host or a server it spawned that left the group). Only processes
 * this launcher started can carry that HOME: it is a fresh temporary folder.
 */
async function killTree(child: ChildProcess, exited: Promise<string>, home: string): Promise<void> {
  const group = child.pid;
  const signalAll = (signal: NodeJS.Signals) => {
    if (group) {
      try { process.kill(-group, signal); } catch { /* group gone */ }
    }
    for (const pid of processesWithHome(home)) {
      try { process.kill(pid, signal); } catch { /* gone */ }
    }
  };
  signalAll('SIGTERM');
  const deadline = Date.now() + 5000;
  const running = () => (child.exitCode === null && child.signalCode === null) || processesWithHome(home).length > 0 || groupAlive(group);
  await Promise.race([exited, delay(5000)]);
  while (running() && Date.now() < deadline) await delay(100);
  if (running()) {
    signalAll('SIGKILL');
    await Promise.race([exited, delay(2000)]);
    const stayDeadline = Date.now() + 3000;
    while (processesWithHome(home).length > 0 && Date.now() < stayDeadline) await delay(100);
  }
}

function groupAlive(group: number | undefined): boolean {
  if (!group) return false;
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

function processesWithHome(home: string): number[] {
  const needle = `PERFLENS_CODE_SERVER_HOME=${home}\0`;
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      if (`${readFileSync(`/proc/${entry}/environ`, 'latin1')}\0`.includes(needle)) pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/**
 * Packages the extension as a user gets it (`vsce package --no-dependencies`; the bundles in dist/
 * must be built) into `workDir/perflens.vsix` and installs it into `workDir/extensions`, which it
 * returns.
 */
export async function installPackagedExtension(workDir: string, root: string = repoRoot): Promise<string> {
  const vsix = join(workDir, 'perflens.vsix');
  const packaged = spawnSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '-o', vsix], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000,
  });
  if (packaged.status !== 0 || !existsSync(vsix)) throw new Error(`vsce package failed (exit ${packaged.status}):\n${packaged.stdout}${packaged.stderr}`);
  const extensionsDir = join(workDir, 'extensions');
  rmSync(extensionsDir, { recursive: true, force: true });
  await installExtension(vsix, extensionsDir, root);
  return extensionsDir;
}
