import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');
export const cliPath = join(repoRoot, 'dist', 'server.js');
export const demoServerPath = join(repoRoot, 'demo', 'dist', 'server.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export { freePort } from '../../server/target/freePort';

/** Stops a child: SIGTERM, then SIGKILL after 10 s; resolves once it has exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Environment for a demo service: the suite's database when the test script started one. */
export function demoEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  if (process.env.PERFLENS_TEST_DATABASE_URL) env.DATABASE_URL = process.env.PERFLENS_TEST_DATABASE_URL;
  return env;
}

export interface RunningCli {
  child: ChildProcess;
  result: Promise<CliResult>;
  /** Resolves when stderr or stdout has printed text matching `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Starts the built `perflens` CLI. The child is killed after `timeoutMs` so no test can hang. */
export function startCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): RunningCli {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers: Array<() => void> = [];
  child.stdout!.on('data', (d) => {
    stdout += d;
    watchers.forEach((w) => w());
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
    watchers.forEach((w) => w());
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  const waitForOutput = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(stdout + stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      };
      const timer = setTimeout(() => reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
      watchers.push(check);
      void result.then(() => {
        check();
        clearTimeout(timer);
        reject(new Error(`the CLI ended before printing ${pattern}:\n${stdout}\n${stderr}`));
      });
      check();
    });
  return { child, result, waitForOutput };
}

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return startCli(args, options).result;
}
