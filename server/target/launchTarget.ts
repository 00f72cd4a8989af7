import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { inspectorUrlFromLine } from './inspectorDiscovery';
import { redactSecrets } from '../text/redactSecrets';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Receives each line the target prints (stdout and stderr), inspector chatter excluded. */
  onOutput?: (line: string) => void;
  /** How long to wait for the inspector to open. */
  inspectorTimeoutMs?: number;
}

const INSPECT_FLAG = '--inspect=127.0.0.1:0';
const INSPECTOR_CHATTER = [/^Debugger listening on /, /^For help, see: https:\/\/nodejs\.org\/en\/docs\/inspector/, /^Debugger attached\.$/, /^Waiting for the debugger to disconnect\.\.\.$/, /^Debugger ending on /];
const TAIL_LINES = 40;

/** A service started by us with its inspector on 127.0.0.1 (port picked by the OS, read from its stderr). */
export class LaunchedTarget {
  /** The command line, for people to read (passwords and secret-named variables redacted: see redactSecrets). */
  readonly description: string;
  /** Resolves when the process exits, however it ends. */
  readonly exited: Promise<ExitInfo>;
  private exitInfo?: ExitInfo;
  private readonly tail: string[] = [];
  private readonly inspectorUrls: string[] = [];
  private inspectorWaiters: Array<() => void> = [];

  private constructor(
    private readonly child: ChildProcess,
    argv: string[],
    private readonly options: LaunchOptions,
  ) {
    this.description = redactSecrets(argv.join(' '));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
        this.wakeInspectorWaiters();
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.onLine(line));
    }
  }

  /**
   * Starts `argv` with the inspector on 127.0.0.1:0. A `node` command gets the flag after the
   * executable; anything else (npm, a shell script) gets it through NODE_OPTIONS.
   */
  static start(argv: string[], options: LaunchOptions = {}): Promise<LaunchedTarget> {
    if (argv.length === 0) return Promise.reject(new Error('no target command given: put it after `--`, e.g. `-- node dist/server.js`'));
    const [command, ...args] = argv;
    const env = { ...process.env, ...options.env };
    let spawnArgs = args;
    if (isNodeExecutable(command)) spawnArgs = [INSPECT_FLAG, ...args];
    else env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} ${INSPECT_FLAG}`.trim();
    return new Promise((resolve, reject) => {
      const child = spawn(command, spawnArgs, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'ENOENT' ? 'command not found' : err.message;
        reject(new Error(`could not start the target \`${argv.join(' ')}\`: ${why}`));
      });
      child.once('spawn', () => resolve(new LaunchedTarget(child, argv, options)));
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** The last lines the target printed, for error messages. */
  outputTail(): string {
    return this.tail.join('\n');
  }

  /**
   * The inspector URL of the service. With a wrapper (npm, a shell) several Node processes may
   * open one; the last to open is the service's, so callers ask after the service answers.
   */
  async inspectorUrl(): Promise<string> {
    const timeoutMs = this.options.inspectorTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    while (this.inspectorUrls.length === 0) {
      if (this.exitInfo) throw new Error(`the target exited (${describeExit(this.exitInfo)}) before its inspector opened.${this.formatTail()}`);
      if (Date.now() > deadline) throw new Error(`the target's inspector did not open within ${timeoutMs / 1000} s: is \`${this.description}\` a Node.js program?${this.formatTail()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1);
        this.inspectorWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.inspectorUrls[this.inspectorUrls.length - 1];
  }

  /** Text to append to an error: the target's last output, indented. */
  formatTail(): string {
    const tail = this.outputTail();
    return tail ? `\nThe target's last output:\n${tail.replace(/^/gm, '  | ')}` : '';
  }

  /** Asks the target to stop (SIGTERM), then kills its whole process group after `graceMs`. */
  async stop(graceMs = 5000): Promise<ExitInfo> {
    if (this.exitInfo) return this.exitInfo;
    this.signalNow('SIGTERM');
    const timer = setTimeout(() => this.signalNow('SIGKILL', true), graceMs);
    const info = await this.exited;
    clearTimeout(timer);
    return info;
  }

  /** Sends a signal to the target (or its whole process group) without waiting. */
  signalNow(signal: NodeJS.Signals, wholeGroup = false): void {
    try {
      process.kill(wholeGroup ? -this.pid : this.pid, signal);
    } catch {
      // Already gone.
    }
  }

  private onLine(line: string): void {
    const url = inspectorUrlFromLine(line);
    if (url) {
      this.inspectorUrls.push(url);
      this.wakeInspectorWaiters();
    }
    if (INSPECTOR_CHATTER.some((re) => re.test(line))) return;
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.options.onOutput?.(line);
  }

  private wakeInspectorWaiters(): void {
    for (const wake of this.inspectorWaiters.splice(0)) wake();
  }
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `killed by ${info.signal}` : `exit code ${info.code}`;
}

function isNodeExecutable(command: string): boolean {
  return command === process.execPath || /^(node|nodejs)(\.exe)?$/.test(basename(command));
}
