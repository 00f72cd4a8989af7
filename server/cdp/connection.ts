import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping';
import { WebSocketTransport, type CloseInfo } from './transport';

export type CommandName = keyof ProtocolMapping.Commands;
export type CommandParams<M extends CommandName> = ProtocolMapping.Commands[M]['paramsType'];
export type CommandResult<M extends CommandName> = ProtocolMapping.Commands[M]['returnType'];
export type EventName = keyof ProtocolMapping.Events;
export type EventParams<E extends EventName> = ProtocolMapping.Events[E][0];

/** The target answered a command with an error. Carries the method and the caller's stack. */
export class ProtocolError extends Error {
  constructor(
    readonly method: string,
    readonly protocolCode: number,
    protocolMessage: string,
    callerStack: string | undefined,
  ) {
    super(`${method} failed: ${protocolMessage} (code ${protocolCode})`);
    this.name = 'ProtocolError';
    if (callerStack) this.stack = `${this.name}: ${this.message}\n${callerStack.split('\n').slice(1).join('\n')}`;
  }
}

/** The connection closed while a command was waiting for its answer (the target exited or was killed). */
export class TargetClosedError extends Error {
  constructor(
    readonly method: string,
    readonly close: CloseInfo,
  ) {
    super(`the target's inspector connection closed while waiting for ${method} (${describeClose(close)}): the target probably exited`);
    this.name = 'TargetClosedError';
  }
}

export function describeClose(close: CloseInfo): string {
  return close.reason ? `code ${close.code}, ${close.reason}` : `code ${close.code}`;
}

interface Pending {
  method: string;
  resolve(result: unknown): void;
  reject(err: Error): void;
  callerStack?: string;
}

interface Disposable {
  dispose(): void;
}

/**
 * A CDP session over one transport: matches responses to requests by id, dispatches events,
 * and rejects every pending call when the socket closes. Never swallows an error.
 */
export class CdpConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();
  private readonly closeListeners: Array<(info: CloseInfo) => void> = [];
  private closeInfo?: CloseInfo;

  constructor(private readonly transport: WebSocketTransport) {
    transport.onMessage = (message) => this.dispatch(message);
    transport.onClose((info) => {
      this.closeInfo = info;
      for (const [id, call] of this.pending) {
        this.pending.delete(id);
        call.reject(new TargetClosedError(call.method, info));
      }
      for (const listener of this.closeListeners.splice(0)) listener(info);
    });
  }

  get isClosed(): boolean {
    return this.closeInfo !== undefined;
  }

  send<M extends CommandName>(method: M, ...params: CommandParams<M>): Promise<CommandResult<M>> {
    const callerStack = new Error().stack;
    if (this.closeInfo) return Promise.reject(new TargetClosedError(method, this.closeInfo));
    const id = this.nextId++;
    return new Promise<CommandResult<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (r: unknown) => void, reject, callerStack });
      try {
        this.transport.send(JSON.stringify({ id, method, params: params[0] ?? {} }));
      } catch (err) {
        this.pending.delete(id);
        reject(err as Error);
      }
    });
  }

  /**
   * A command outside the devtools-protocol package's types: Node's own domains (NodeRuntime,
   * NodeWorker) are not in it. Same matching and errors as `send`.
   */
  sendNode(method: `Node${string}.${string}`, params: Record<string, unknown> = {}): Promise<unknown> {
    return (this.send as (m: string, p: Record<string, unknown>) => Promise<unknown>)(method, params);
  }

  /** An event of Node's own domains (see sendNode). */
  onNode(event: `Node${string}.${string}`, listener: (params: unknown) => void): Disposable {
    return (this.on as (e: string, l: (p: unknown) => void) => Disposable)(event, listener);
  }

  on<E extends EventName>(event: E, listener: (params: EventParams<E>) => void): Disposable {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const fn = listener as (params: unknown) => void;
    set.add(fn);
    return { dispose: () => set.delete(fn) };
  }

  /** Called once when the connection closes, with why (immediately if it already has). Dispose to stop listening. */
  onClose(listener: (info: CloseInfo) => void): Disposable {
    if (this.closeInfo) listener(this.closeInfo);
    else this.closeListeners.push(listener);
    return {
      dispose: () => {
        const i = this.closeListeners.indexOf(listener);
        if (i >= 0) this.closeListeners.splice(i, 1);
      },
    };
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private dispatch(message: string): void {
    let parsed: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { code: number; message: string; data?: string } };
    try {
      parsed = JSON.parse(message);
    } catch {
      return; // Not CDP; nothing to match it to.
    }
    if (parsed.id !== undefined) {
      const call = this.pending.get(parsed.id);
      if (!call) return;
      this.pending.delete(parsed.id);
      if (parsed.error) {
        const detail = parsed.error.data ? `${parsed.error.message}: ${parsed.error.data}` : parsed.error.message;
        call.reject(new ProtocolError(call.method, parsed.error.code, detail, call.callerStack));
      } else {
        call.resolve(parsed.result);
      }
      return;
    }
    if (parsed.method) {
      for (const listener of this.listeners.get(parsed.method) ?? []) listener(parsed.params);
    }
  }
}

/** Opens a CDP connection to an inspector WebSocket URL. */
export async function connectCdp(wsUrl: string, timeoutMs?: number): Promise<CdpConnection> {
  return new CdpConnection(await WebSocketTransport.connect(wsUrl, timeoutMs));
}
