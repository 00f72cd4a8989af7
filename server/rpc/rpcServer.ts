import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { PROTOCOL_VERSION, type EventName, type Events, type Params, type Response, type RpcError, type ServerEvent } from '../protocol/protocol';
import { Dispatcher, type Handlers } from './dispatcher';
import { RpcFailure, toRpcError } from './rpcFailure';
import { tokensMatch } from './sessionToken';

/** What a handler learns about the connection its request came on. */
export interface CallContext {
  /** Called by `hello`: checks the protocol version and the token; throws PROTOCOL_MISMATCH or UNAUTHORIZED. */
  authenticate(params: Params<'hello'>): void;
}

export interface RpcServerOptions {
  token: string;
  handlers: Handlers<CallContext>;
  log: (line: string) => void;
  /** A connection that has not said a valid hello by then is closed. */
  helloTimeoutMs?: number;
}

/** Requests are small; results and events go the other way and are not limited by this. */
const MAX_REQUEST_BYTES = 1024 * 1024;
/** WebSocket close code for a policy violation (RFC 6455). */
const POLICY_VIOLATION = 1008;

/**
 * The extension ⇄ server protocol over WebSocket on 127.0.0.1 (port picked by the OS).
 * Refused at the HTTP upgrade, before any message: a request with an `Origin` header (browsers
 * always send one, so no web page can drive the server) and a `Host` other than
 * 127.0.0.1:PORT / localhost:PORT (DNS rebinding). Then the first message must be a `hello` with
 * the session token; anything else gets UNAUTHORIZED and the connection is closed.
 */
export class RpcServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES, perMessageDeflate: false });
  private readonly dispatcher: Dispatcher<CallContext>;
  private readonly clients = new Set<RpcClientConnection>();
  private nextConnectionId = 1;

  private constructor(
    private readonly http: http.Server,
    readonly port: number,
    private readonly options: RpcServerOptions,
  ) {
    this.dispatcher = new Dispatcher(options.handlers);
    http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  /** Listens on 127.0.0.1, on a port the OS picks. */
  static async listen(options: RpcServerOptions): Promise<RpcServer> {
    const server = http.createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('PerfLens server: WebSocket only\n');
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new RpcServer(server, (server.address() as AddressInfo).port, options);
  }

  get address(): AddressInfo {
    return this.http.address() as AddressInfo;
  }

  /** Sends an event to every authenticated connection. */
  emit<E extends EventName>(event: E, data: Events[E]): void {
    const text = JSON.stringify({ event, data } as ServerEvent);
    for (const client of this.clients) client.sendText(text);
  }

  /** Closes every connection (1001, going away) and stops listening. */
  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.close(1001, 'the PerfLens server is shutting down');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const ws of this.wss.clients) ws.terminate();
        resolve();
      }, 1000);
      const check = () => {
        if (this.wss.clients.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      for (const ws of this.wss.clients) ws.once('close', check);
      check();
    });
    this.wss.close();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const refusal = this.refusalOf(req);
    if (refusal) {
      this.options.log(`refused a connection: ${refusal.why}`);
      const body = `${refusal.why}\n`;
      socket.end(`HTTP/1.1 ${refusal.status} ${http.STATUS_CODES[refusal.status]}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  /** Why an upgrade request is refused, or undefined when it may go on to the hello. */
  private refusalOf(req: http.IncomingMessage): { status: number; why: string } | undefined {
    const origin = req.headers.origin;
    if (origin !== undefined) return { status: 403, why: `it came with an Origin header (${quote(origin)}): requests from browsers and web pages are not accepted` };
    const host = (req.headers.host ?? '').toLowerCase();
    if (host !== `127.0.0.1:${this.port}` && host !== `localhost:${this.port}`) return { status: 403, why: `its Host header (${quote(host)}) is not 127.0.0.1:${this.port} or localhost:${this.port}` };
    return undefined;
  }

  private onConnection(ws: WebSocket): void {
    const id = this.nextConnectionId++;
    const client = new RpcClientConnection(ws, id, this.options, this.dispatcher, () => this.clients.add(client));
    ws.on('close', () => {
      this.clients.delete(client);
      client.dispose();
    });
  }
}

/** One WebSocket: unauthenticated until its hello proves the token. */
class RpcClientConnection {
  private authenticated = false;
  private closing = false;
  private readonly helloTimer: NodeJS.Timeout;
  private readonly context: CallContext;

  constructor(
    private readonly ws: WebSocket,
    private readonly id: number,
    private readonly options: RpcServerOptions,
    private readonly dispatcher: Dispatcher<CallContext>,
    private readonly onAuthenticated: () => void,
  ) {
    this.helloTimer = setTimeout(() => this.refuse(null, { code: 'UNAUTHORIZED', message: `no hello within ${(options.helloTimeoutMs ?? 10_000) / 1000} s` }), options.helloTimeoutMs ?? 10_000);
    this.context = { authenticate: (params) => this.authenticate(params) };
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', (err) => options.log(`connection ${id}: ${err.message}`));
  }

  sendText(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  dispose(): void {
    clearTimeout(this.helloTimer);
  }

  private authenticate(params: Params<'hello'>): void {
    if (this.authenticated) throw new RpcFailure('BAD_REQUEST', 'this connection has already said hello');
    if (params.protocolVersion !== PROTOCOL_VERSION) {
      throw new RpcFailure('PROTOCOL_MISMATCH', `protocol version mismatch: the client speaks version ${params.protocolVersion}, this server speaks version ${PROTOCOL_VERSION}. Update PerfLens so that the extension and its server match.`);
    }
    if (!tokensMatch(params.token, this.options.token)) throw new RpcFailure('UNAUTHORIZED', 'wrong session token');
    this.authenticated = true;
    clearTimeout(this.helloTimer);
    this.onAuthenticated();
    this.options.log(`connection ${this.id}: authenticated`);
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.closing) return;
    const message = parseRequest(data, isBinary);
    if ('error' in message) {
      if (!this.authenticated) this.refuse(message.id, { code: 'UNAUTHORIZED', message: `say hello with the session token first (${message.error.message})` });
      else this.send({ id: message.id, error: message.error });
      return;
    }
    const { id, method, params } = message;
    if (!this.authenticated && method !== 'hello') {
      this.refuse(id, { code: 'UNAUTHORIZED', message: `${method}: say hello with the session token first` });
      return;
    }
    const started = Date.now();
    // Runs `hello` synchronously up to authenticate(): the next message sees the new state.
    const reply = this.dispatcher.call(method, params, this.context);
    if (!this.authenticated) {
      reply.then(
        () => undefined,
        (err: unknown) => this.refuse(id, toRpcError(err)),
      );
      return;
    }
    reply.then(
      (result) => {
        this.send({ id, result });
        if (method !== 'hello') this.options.log(`connection ${this.id}: ${method} #${id} done in ${Date.now() - started} ms`);
      },
      (err: unknown) => {
        const error = toRpcError(err);
        if (error.code === 'INTERNAL') this.options.log(`connection ${this.id}: ${method} #${id} failed: ${(err as Error)?.stack ?? String(err)}`);
        else this.options.log(`connection ${this.id}: ${method} #${id} failed: ${error.code}: ${firstLine(error.message)}`);
        this.send({ id, error });
      },
    );
  }

  /** Answers with the error, then closes: this connection may not go on. */
  private refuse(id: number | null, error: RpcError): void {
    if (this.closing) return;
    this.closing = true;
    this.options.log(`connection ${this.id}: refused: ${error.code}: ${error.message}`);
    this.send({ id, error });
    this.ws.close(POLICY_VIOLATION, error.code);
  }

  private send(response: Response): void {
    this.sendText(JSON.stringify(response));
  }
}

type ParsedRequest = { id: number; method: string; params: unknown } | { id: number | null; error: RpcError };

function parseRequest(data: WebSocket.RawData, isBinary: boolean): ParsedRequest {
  const badRequest = (id: number | null, message: string) => ({ id, error: { code: 'BAD_REQUEST' as const, message } });
  if (isBinary) return badRequest(null, 'messages must be JSON text, not binary frames');
  let value: unknown;
  try {
    value = JSON.parse(data.toString());
  } catch {
    return badRequest(null, 'the message is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return badRequest(null, 'a request must be an object {id, method, params}');
  const { id, method, params } = value as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return badRequest(null, `a request needs a whole-number "id", not ${JSON.stringify(id) ?? 'none'}`);
  if (typeof method !== 'string' || method === '') return badRequest(id, 'a request needs a "method" string');
  return { id, method, params };
}

function quote(text: string): string {
  const shown = JSON.stringify(text);
  return shown.length > 100 ? `${shown.slice(0, 97)}...` : shown;
}

function firstLine(text: string): string {
  const i = text.indexOf('\n');
  return i === -1 ? text : `${text.slice(0, i)} …`;
}
