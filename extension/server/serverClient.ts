import WebSocket from 'ws';
import { PROTOCOL_VERSION, type ErrorCode, type EventName, type Events, type MethodName, type Params, type Result, type RpcError, type ServerEvent } from '../../server/protocol/protocol';

/** The server answered a request with an error. `code` is stable: act on it, show `message`. */
export class ServerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(err: Error): void;
}

/** One authenticated WebSocket to the profiler server: typed requests, server events. */
export class ServerClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: ServerEvent) => void>();
  private closedWith?: string;
  private readonly closeListeners: Array<(why: string) => void> = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.dispatch(data.toString()));
    ws.on('close', (code, reason) => this.markClosed(`connection closed (${code}${reason.length ? `, ${reason}` : ''})`));
    ws.on('error', (err) => this.markClosed(err.message));
  }

  /** Connects to 127.0.0.1:port and proves the session token. */
  static async connect(port: number, token: string): Promise<ServerClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const client = new ServerClient(ws);
    await client.request('hello', { protocolVersion: PROTOCOL_VERSION, token });
    return client;
  }

  get isClosed(): boolean {
    return this.closedWith !== undefined;
  }

  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    if (this.closedWith) return Promise.reject(new Error(`the PerfLens server is not connected (${this.closedWith})`));
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  onEvent<E extends EventName>(event: E, listener: (data: Events[E]) => void): { dispose(): void } {
    const wrapped = (e: ServerEvent) => {
      if (e.event === event) listener(e.data as Events[E]);
    };
    this.listeners.add(wrapped);
    return { dispose: () => this.listeners.delete(wrapped) };
  }

  onClose(listener: (why: string) => void): void {
    if (this.closedWith) listener(this.closedWith);
    else this.closeListeners.push(listener);
  }

  close(): void {
    this.ws.close();
  }

  private dispatch(text: string): void {
    const message = JSON.parse(text) as { id?: number; result?: unknown; error?: RpcError } | ServerEvent;
    if ('event' in message) {
      for (const listener of this.listeners) listener(message);
      return;
    }
    if (message.id === undefined) return;
    const call = this.pending.get(message.id);
    if (!call) return;
    this.pending.delete(message.id);
    if (message.error) call.reject(new ServerError(message.error.code, message.error.message, message.error.data));
    else call.resolve(message.result);
  }

  private markClosed(why: string): void {
    if (this.closedWith) return;
    this.closedWith = why;
    for (const call of this.pending.values()) call.reject(new Error(`the PerfLens server went away (${why})`));
    this.pending.clear();
    for (const listener of this.closeListeners.splice(0)) listener(why);
  }
}
