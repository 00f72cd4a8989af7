import { connectCdp, describeClose, type CdpConnection } from '../cdp/connection';
import { detach } from '../profiling/detach';
import { removeAgent } from '../agent/agentInstall';
import type { TargetInfo } from '../protocol/protocol';
import { locateInspector, type AttachPoint } from '../target/attachTarget';
import { describeExit, LaunchedTarget, type ExitInfo } from '../target/launchTarget';
import { waitForUrl } from '../target/waitForUrl';
import { SessionError } from './sessionError';

export interface LaunchSessionOptions {
  cwd?: string;
  /** Added to the server's own environment. */
  env?: NodeJS.ProcessEnv;
  /** Each line the target prints (inspector chatter excluded). */
  onOutput?: (line: string) => void;
}

/** How a session's target went away. */
export interface TargetEnd {
  code: number | null;
  signal: string | null;
  description: string;
  /** True when PerfLens released it (stopped a launched target, detached from an attached one). */
  released: boolean;
}

/**
 * The service being profiled: one we launched with its inspector on 127.0.0.1, or one we attached
 * to; and our CDP connection to it. `release()` leaves things as they were: it stops a launched
 * target, and detaches from an attached one (closing its inspector again when we opened it).
 * Used by `perflens profile` for one run and by `perflens serve` for many.
 */
export class TargetSession {
  private connection?: CdpConnection;
  private connecting?: Promise<CdpConnection>;
  private lastInspectorUrl: string;
  private releasing?: Promise<void>;
  private endInfo?: TargetEnd;
  private readonly endListeners: Array<(end: TargetEnd) => void> = [];

  private constructor(
    readonly kind: 'launched' | 'attached',
    readonly description: string,
    readonly pid: number | undefined,
    readonly launched: LaunchedTarget | undefined,
    readonly attachPoint: AttachPoint | undefined,
    inspectorUrl: string,
  ) {
    this.lastInspectorUrl = inspectorUrl;
    void launched?.exited.then((exit) => this.markEnded(exitDescription(this.description, exit), exit));
  }

  /**
   * Starts `command` with its inspector on 127.0.0.1:0. Resolves once the process is running; its
   * inspector may not have opened yet (see `inspectorUrl`). Fails with TARGET_START_FAILED.
   */
  static async launch(command: string[], options: LaunchSessionOptions = {}): Promise<TargetSession> {
    const launched = await LaunchedTarget.start(command, { cwd: options.cwd, env: options.env, onOutput: options.onOutput }).catch((err: Error) => {
      throw new SessionError('TARGET_START_FAILED', err.message);
    });
    return new TargetSession('launched', launched.description, launched.pid, launched, undefined, '');
  }

  /**
   * Attaches to a running service by `pid:N`, `port:N`, a ws:// inspector URL or a bare number (see
   * locateInspector) and connects to its inspector. Fails with ATTACH_FAILED.
   */
  static async attach(spec: string): Promise<TargetSession> {
    const point = await locateInspector(spec).catch((err: Error) => {
      throw new SessionError('ATTACH_FAILED', err.message);
    });
    const session = new TargetSession('attached', point.description, point.pid, undefined, point, point.wsUrl);
    try {
      await session.connect();
    } catch (err) {
      await session.release();
      throw err;
    }
    return session;
  }

  /** Set once the target has gone away or been released. */
  get ended(): TargetEnd | undefined {
    return this.endInfo;
  }

  /** Called once when the target goes away: it exited, its inspector connection closed, or we released it. */
  onEnded(listener: (end: TargetEnd) => void): void {
    if (this.endInfo) listener(this.endInfo);
    else this.endListeners.push(listener);
  }

  /**
   * The target's inspector URL. A launched target's is read from its output: this waits for it to
   * open. With a wrapper (npm, a shell) several Node processes may open one; the last is the service's.
   */
  async inspectorUrl(): Promise<string> {
    if (this.launched) this.lastInspectorUrl = await this.launched.inspectorUrl();
    return this.lastInspectorUrl;
  }

  info(): TargetInfo {
    return { kind: this.kind, description: this.description, ...(this.pid !== undefined ? { pid: this.pid } : {}), inspectorUrl: this.lastInspectorUrl };
  }

  /** The target's last output lines, indented, for error messages ('' when attached). */
  formatTail(): string {
    return this.launched?.formatTail() ?? '';
  }

  /**
   * Waits until `url` answers. Fails with URL_UNREACHABLE after `timeoutMs`, TARGET_LOST as soon
   * as a launched target exits, CANCELLED when `signal` aborts.
   */
  async waitForUrl(url: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    const signals = options.signal ? [options.signal] : [];
    const exited = new AbortController();
    const launched = this.launched;
    if (launched) {
      void launched.exited.then((info) => exited.abort(new SessionError('TARGET_LOST', `the target exited (${describeExit(info)}) before ${url} answered.${launched.formatTail()}`)));
      signals.push(exited.signal);
    }
    try {
      await waitForUrl(url, { timeoutMs: options.timeoutMs, signal: AbortSignal.any(signals) });
    } catch (err) {
      if (err instanceof SessionError) throw err;
      if (options.signal?.aborted) throw cancelled();
      throw new SessionError('URL_UNREACHABLE', `${(err as Error).message}${this.formatTail()}`);
    } finally {
      exited.abort(); // Lets the listener above go; a no-op when it fired.
    }
  }

  /** The CDP connection to the target, opened on first use (and again if it closed while the target lives). */
  async connect(): Promise<CdpConnection> {
    if (this.connection && !this.connection.isClosed) return this.connection;
    if (this.endInfo) throw new SessionError('TARGET_LOST', `the target is gone: ${this.endInfo.description}`);
    this.connecting ??= this.openConnection().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /**
   * How the target ended, for a message about a run it broke: " The target killed by SIGKILL." when
   * a launched target exits within `waitMs`, else ''.
   */
  async describeLoss(waitMs = 2000): Promise<string> {
    if (!this.launched) return '';
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([this.launched.exited, new Promise<undefined>((resolve) => (timer = setTimeout(resolve, waitMs, undefined)))]);
    clearTimeout(timer);
    return exit ? ` The target ${describeExit(exit)}.` : '';
  }

  /**
   * Detaches (closing an inspector we opened with SIGUSR1) and stops a launched target. Safe to call
   * more than once and from several places at a time.
   */
  release(): Promise<void> {
    this.releasing ??= this.doRelease();
    return this.releasing;
  }

  private async doRelease(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    const connection = this.connection;
    this.connection = undefined;
    if (connection) {
      await removeAgent(connection); // the service as it was: prototypes restored, the agent's global gone
      await detach(connection, this.attachPoint?.openedBySignal ?? false);
    }
    if (this.launched) {
      await this.launched.stop();
    } else {
      this.markEnded(`detached from ${this.description}`, undefined, true);
    }
  }

  private async openConnection(): Promise<CdpConnection> {
    const url = await this.inspectorUrl().catch((err: Error) => {
      throw new SessionError('TARGET_LOST', err.message);
    });
    const connection = await connectCdp(url).catch((err: Error) => {
      throw new SessionError('ATTACH_FAILED', err.message);
    });
    if (this.releasing) {
      await connection.close();
      throw new SessionError('TARGET_LOST', `${this.description} was released`);
    }
    this.connection = connection;
    // A Node process that ends while a debugger is attached waits for it to disconnect ("Waiting
    // for the debugger to disconnect..."): let it go as soon as it asks.
    connection.onNode('NodeRuntime.waitingForDisconnect', () => void connection.close());
    await connection.sendNode('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }).catch(() => undefined); // Older Node: no such command.
    connection.onClose((info) => {
      // An attached target is known to us only through its inspector: when that closes, it is gone.
      if (!this.launched && this.connection === connection && !this.releasing) {
        this.connection = undefined;
        this.markEnded(`${this.description}: its inspector connection closed (${describeClose(info)})`);
      }
    });
    return connection;
  }

  private markEnded(description: string, exit?: ExitInfo, released = false): void {
    if (this.endInfo) return;
    this.endInfo = { code: exit?.code ?? null, signal: exit?.signal ?? null, description, released: released || this.releasing !== undefined };
    for (const listener of this.endListeners.splice(0)) listener(this.endInfo);
  }
}

function exitDescription(target: string, exit: ExitInfo): string {
  return `\`${target}\` exited (${describeExit(exit)})`;
}

export function cancelled(): SessionError {
  return new SessionError('CANCELLED', 'stopped before the load started; nothing was profiled');
}
