// `perflens serve` as the extension drives it, for the serve tests: a child with the token on
// stdin, one WebSocket, typed requests, events kept in order.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, type EventName, type Events, type MethodName, type Params, type Result, type RpcError, type ServeReadyLine, type ServerEvent } from '../../server/protocol/protocol';
import { serverEnv } from '../../server/rpc/serverEnv';
import { cliPath, repoRoot } from './cli';

export type Reply<M extends MethodName> = { result: Result<M>; error?: undefined } | { result?: undefined; error: RpcError };

/** The server as the extension sees it: a child with the token on stdin, one WebSocket, events kept. */
export class ServeClient {
  readonly events: ServerEvent[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply<MethodName>) => void>();
  private readonly eventWaiters: Array<() => void> = [];

  private constructor(
    readonly child: ChildProcess,
    private readonly ws: WebSocket,
    readonly stderr: () => string,
  ) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerEvent | { id: number; result?: unknown; error?: RpcError };
      if ('event' in message) {
        this.events.push(message);
        this.eventWaiters.splice(0).forEach((wake) => wake());
      } else {
        this.pending.get(message.id)?.(message as Reply<MethodName>);
        this.pending.delete(message.id);
      }
    });
  }

  static async start(env: NodeJS.ProcessEnv = process.env): Promise<ServeClient> {
    const token = randomBytes(32).toString('hex');
    // The environment the extension starts the server in (serverEnv).
    const child = spawn(process.execPath, [cliPath, 'serve'], { cwd: repoRoot, env: serverEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdin!.write(`${JSON.stringify({ token })}\n`);
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', () => reject(new Error(`serve exited at start:\n${stderr}`)));
    });
    const { port } = JSON.parse(line) as ServeReadyLine;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { maxPayload: 1024 ** 3 });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const client = new ServeClient(child, ws, () => stderr);
    const hello = await client.request('hello', { protocolVersion: PROTOCOL_VERSION, token });
    assert.ok(hello.result, JSON.stringify(hello.error));
    return client;
  }

  request<M extends MethodName>(method: M, params: Params<M>): Promise<Reply<M>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (reply: Reply<MethodName>) => void);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** The result, or a failed assertion showing the error. */
  async ok<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const reply = await this.request(method, params);
    assert.ok(reply.result !== undefined, `${method} failed: ${JSON.stringify(reply.error)}\n${this.stderr()}`);
    return reply.result;
  }

  async failure<M extends MethodName>(method: M, params: Params<M>): Promise<RpcError> {
    const reply = await this.request(method, params);
    assert.ok(reply.error, `${method} should have failed, returned ${String(JSON.stringify(reply.result)).slice(0, 200)}`);
    return reply.error;
  }

  /** Resolves with the first event (from index `from` on) that matches. */
  async waitForEvent<E extends EventName>(event: E, match: (data: Events[E]) => boolean = () => true, from = 0, timeoutMs = 60_000): Promise<Events[E]> {
    const deadline = Date.now() + timeoutMs;
    for (let i = from; ; ) {
      for (; i < this.events.length; i++) {
        const e = this.events[i];
        if (e.event === event && match(e.data as Events[E])) return e.data as Events[E];
      }
      if (Date.now() > deadline) throw new Error(`no ${event} event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        this.eventWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Closes stdin, as the extension going away does, and waits for the server to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
