import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type * as vscode from 'vscode';
import { serverEnv } from '../../server/rpc/serverEnv';
import { ServerClient } from './serverClient';

/**
 * The profiler server process: started on first use with a fresh token (sent on stdin, never on a
 * command line), connected over one WebSocket on 127.0.0.1, and started again on the next action
 * if it dies.
 */
export class ProfilerServer implements vscode.Disposable {
  private child?: ChildProcess;
  private connecting?: Promise<ServerClient>;
  private readonly clientListeners: Array<(client: ServerClient) => void> = [];

  constructor(
    private readonly serverScript: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly onDied: (why: string) => void,
  ) {}

  /** Called with each new connection (after a restart too), to subscribe to its events. */
  onClient(listener: (client: ServerClient) => void): void {
    this.clientListeners.push(listener);
  }

  /** The connected client, starting the server when it is not running. */
  client(): Promise<ServerClient> {
    if (!this.connecting) {
      this.connecting = this.start().catch((err: Error) => {
        this.connecting = undefined;
        throw err;
      });
    }
    return this.connecting;
  }

  /** The server's PID while it runs. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  dispose(): void {
    this.child?.stdin?.end();
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }

  private async start(): Promise<ServerClient> {
    const token = randomBytes(32).toString('hex');
    this.log.info(`starting the profiler server: ${process.execPath} ${this.serverScript} serve`);
    const child = spawn(process.execPath, [this.serverScript, 'serve'], { stdio: ['pipe', 'pipe', 'pipe'], env: serverEnv(process.env) });
    this.child = child;
    createInterface({ input: child.stderr! }).on('line', (line) => this.log.info(`[server] ${line}`));
    child.stdin!.write(`${JSON.stringify({ token })}\n`);
    const port = await new Promise<number>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', (line) => {
        try {
          resolve((JSON.parse(line) as { port: number }).port);
        } catch {
          reject(new Error(`the profiler server printed ${JSON.stringify(line)} instead of its port`));
        }
      });
      child.once('exit', (code, signal) => reject(new Error(`the profiler server exited at start (${signal ?? `exit code ${code}`}); see PerfLens: Show Log`)));
      child.once('error', reject);
    });
    child.once('exit', (code, signal) => {
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      this.log.warn(`the profiler server exited (${why})`);
      if (this.child === child) {
        this.child = undefined;
        this.connecting = undefined;
        this.onDied(why);
      }
    });
    const client = await ServerClient.connect(port, token);
    this.log.info(`connected to the profiler server on 127.0.0.1:${port} (PID ${child.pid})`);
    for (const listener of this.clientListeners) listener(client);
    return client;
  }
}
