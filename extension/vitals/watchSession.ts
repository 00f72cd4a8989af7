import type { RouteHandlerSite } from '../../server/analysis/routeHandlerNames';
import type { Events, TargetInfo } from '../../server/protocol/protocol';
import type { LiveBlock, LiveStall, LiveVitals } from '../../server/vitals/vitalsTypes';
import { VitalsStore, type VitalsUpdate } from '../../webview/vitals/vitalsStore';
import type { ServerClient } from '../server/serverClient';
import { inspectorAddress } from './vitalsActions';
import type { VitalsSettings } from './vitalsSettings';

export interface WatchListener {
  /** Each update, once applied to the store (not called for one that changed nothing). */
  update(update: VitalsUpdate): void;
  vitals(live: LiveVitals): void;
  block(block: LiveBlock): void;
  stall(stall: LiveStall): void;
  ended(reason: string): void;
}

/**
 * One watch of a target's vitals: subscribed to the server's events before `watchVitals` is sent
 * (what comes meanwhile is applied after the history, duplicates dropped), kept in a VitalsStore.
 * `stop()` sends `unwatchVitals` unless the watch is already over.
 */
export class WatchSession {
  readonly store = new VitalsStore();
  private readonly subscriptions: Array<{ dispose(): void }> = [];
  private started = false;
  private stopped = false;
  private readonly early: VitalsUpdate[] = [];
  private endReason?: string;

  constructor(
    private readonly client: ServerClient,
    readonly target: TargetInfo,
    readonly settings: VitalsSettings,
    private readonly roots: string[],
    private readonly listener: WatchListener,
    /** The workspace's route handlers: the server names a block's endpoint (`GET /block`) and anonymous handlers by them. */
    private readonly routeHandlers: readonly RouteHandlerSite[] = [],
  ) {}

  get ended(): string | undefined {
    return this.endReason;
  }

  /** Starts the watch; rejects as watchVitals does (NO_TARGET, TARGET_LOST, AGENT_FAILED…). */
  async start(): Promise<void> {
    const on = <E extends keyof Events>(event: E, handler: (data: Events[E]) => void) => this.subscriptions.push(this.client.onEvent(event, handler));
    on('vitals', (live) => this.feed({ type: 'vitals', live }));
    on('vitalsBlock', (block) => this.feed({ type: 'block', block }));
    on('vitalsStall', (stall) => this.feed({ type: 'stall', stall }));
    on('loadProgress', (progress) => this.feed({ type: 'loadProgress', wallMs: Date.now(), progress }));
    on('loadTestProgress', (progress) => this.feed({ type: 'loadTestProgress', wallMs: Date.now(), progress }));
    on('profilePhase', (p) => this.feed({ type: 'profilePhase', wallMs: Date.now(), phase: p.phase, ...(p.detail !== undefined ? { detail: p.detail } : {}) }));
    on('targetExited', (e) => this.end(e.released ? `PerfLens stopped watching: ${e.description}` : `The target went away: ${e.description}`));
    this.client.onClose((why) => this.end(`The connection to the PerfLens server dropped (${why})`));
    try {
      const { status, history, blocks } = await this.client.request('watchVitals', { blockThresholdMs: this.settings.blockThresholdMs, nameBlocks: this.settings.nameBlocks, ...(this.routeHandlers.length ? { routeHandlers: [...this.routeHandlers] } : {}) });
      this.store.start(
        { target: this.target.description, inspector: inspectorAddress(this.target.inspectorUrl), blockThresholdMs: this.settings.blockThresholdMs, nameBlocks: this.settings.nameBlocks, status, startedWallMs: Date.now(), roots: this.roots },
        history,
        blocks,
      );
      this.started = true;
      for (const update of this.early.splice(0)) this.feed(update);
      if (this.endReason) this.listener.ended(this.endReason);
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  /** The user closed the panel: unwatch (when the watch still runs) and stop listening. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const running = this.started && !this.endReason && !this.client.isClosed;
    this.dispose();
    if (running) await this.client.request('unwatchVitals', {});
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }

  private end(reason: string): void {
    if (this.endReason || this.stopped) return;
    this.endReason = reason;
    this.feed({ type: 'ended', wallMs: Date.now(), reason });
    this.dispose();
    if (this.started) this.listener.ended(reason);
  }

  private feed(update: VitalsUpdate): void {
    if (this.stopped) return;
    if (!this.started) return void this.early.push(update);
    if (!this.store.apply(update)) return;
    this.listener.update(update);
    if (update.type === 'vitals') this.listener.vitals(update.live);
    else if (update.type === 'block') this.listener.block(update.block);
    else if (update.type === 'stall') this.listener.stall(update.stall);
  }
}
