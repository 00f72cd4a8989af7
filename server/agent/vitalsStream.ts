// The server's side of the vitals of one target: starts the agent's sampling, receives its beats,
// stalls and samples through the agent's binding, and locates blocks while they happen.
//
// How a block is located (the mechanism of Sentry's ANR worker, from outside the process): the agent
// beats every ALIVE_MS or so while its loop turns. When no beat has come for the block threshold,
// the server sends Debugger.pause; V8 services it at the next interrupt check, even inside a tight
// JavaScript loop, and reports the call frames. Then, in the same breath, the server asks the agent
// how long ago its loop last turned (to tell a real block from a pause that landed after the block
// ended) and resumes: the thread is held for about a millisecond. A block in native code (a sync
// syscall, crypto) pauses only when it returns to JavaScript: the frames then name the JavaScript
// that called it. The stall itself (its length) comes from the agent once its loop turns again.
//
// A debugger of the user's own: our session deactivates its breakpoints (so a `debugger` statement
// never stops the service for us) and never resumes a pause it did not ask for; while someone
// else's pause holds the thread, its silence is not counted as a block.
import type { Protocol } from 'devtools-protocol';
import type { CdpConnection } from '../cdp/connection';
import { AGENT_BINDING, type StackFrame } from '../queries/captureTypes';
import type { GcPause, ObservedBlock, StallEvent, VitalsCapture, VitalsOptions, VitalsSample, VitalsStatus } from '../vitals/vitalsTypes';
import { AGENT, AGENT_SCRIPT_URL, evaluateInTarget, withAgent } from './agentInstall';
import type { VitalsPayload } from './vitals';

/** The agent beats at most this often while its loop turns (at most half the block threshold, so a silence of the threshold is never a normal one). */
const ALIVE_MS = 50;
/** How often the server looks for a missing beat. */
const WATCHDOG_MS = 10;
/** A stall this long is told to the user while it lasts ("not answering for 3 s"), every second. */
const LONG_STALL_MS = 1000;
/** During a long stall, the thread is paused again this often to see where it is now. */
const REPAUSE_MS = 2000;
/** A pause the thread did not reach by then (native code) is given up on; the block stays unlocated. */
const PAUSE_TIMEOUT_MS = 5000;
/** Most frames kept of a paused stack. */
const MAX_FRAMES = 30;

/** The loop has not turned for `ms` (server clock), and where the thread was when last paused. */
export interface StallProgress {
  sinceWallMs: number;
  ms: number;
  frames?: StackFrame[];
  over: boolean;
}

export interface VitalsListener {
  sample?(sample: VitalsSample, gcPauses: GcPause[]): void;
  block?(block: ObservedBlock): void;
  stall?(stall: StallProgress): void;
  /** The target went away (or its inspector connection closed): nothing more will come. */
  ended?(why: string): void;
}

/** A share of a target's vitals: release it when done; the sampling stops with the last one. */
export interface VitalsLease {
  readonly stream: VitalsStream;
  release(): Promise<void>;
}

/** What one run gathered: from `record()` to `stop()`. */
export interface VitalsRecording {
  stop(): VitalsCapture;
}

const streams = new WeakMap<CdpConnection, Promise<VitalsStream>>();

export class VitalsStream {
  private readonly listeners = new Set<VitalsListener>();
  private readonly recordings = new Set<VitalsCapture>();
  private readonly disposers: Array<{ dispose(): void }> = [];
  private readonly scripts = new Map<string, string>();
  private leases = 0;
  private stopped = false;
  private endedWhy?: string;
  private watchdog?: NodeJS.Timeout;
  private lastBeat = Date.now();
  private lastWatchdog = Date.now();
  /** Our pause in flight: when it was sent. */
  private pauseSentAt?: number;
  /** Someone else's pause holds the thread (a debugger of the user's). */
  private foreignPauseSince?: number;
  private foreignPausedMs = 0;
  private lastForeignResume?: number;
  /** Frames read during the current silence (the first and the latest), validated by the agent's own clock. */
  private firstFrames?: { frames: StackFrame[]; latencyMs: number };
  private latestFrames?: StackFrame[];
  private pausedThisSilence = false;
  /** The agent's answer to "how long since your loop turned?" after our last pause, on its way. */
  private checking?: Promise<void>;
  private lastPauseAt = 0;
  private longStallReported = 0;

  private constructor(
    private readonly connection: CdpConnection,
    readonly options: VitalsOptions,
    readonly status: VitalsStatus,
  ) {}

  /**
   * Starts the agent's sampling in the target (or joins the stream already running on this
   * connection: its options stay). Fails with the target's error when the agent cannot be put in.
   */
  static async acquire(connection: CdpConnection, options: VitalsOptions): Promise<VitalsLease> {
    let pending = streams.get(connection);
    if (!pending) {
      pending = VitalsStream.start(connection, options);
      streams.set(connection, pending);
      pending.catch(() => streams.delete(connection));
    }
    const stream = await pending;
    stream.leases++;
    let released = false;
    return {
      stream,
      release: async () => {
        if (released) return;
        released = true;
        if (--stream.leases === 0) {
          streams.delete(connection);
          await stream.stop();
        }
      },
    };
  }

  private static async start(connection: CdpConnection, options: VitalsOptions): Promise<VitalsStream> {
    const agentOptions = { blockThresholdMs: options.blockThresholdMs, sampleMs: options.sampleMs, aliveMs: Math.min(ALIVE_MS, options.blockThresholdMs / 2) };
    const status = await withAgent<VitalsStatus>(connection, `${AGENT}.vitals.start(${JSON.stringify(agentOptions)})`);
    const stream = new VitalsStream(connection, options, { ...status, pauseCapture: false });
    stream.disposers.push(connection.on('Runtime.bindingCalled', (event) => stream.onBinding(event)));
    stream.disposers.push(connection.onClose(() => stream.end('its inspector connection closed')));
    if (options.nameBlocks) await stream.enablePauses();
    stream.watchdog = setInterval(() => stream.check(), WATCHDOG_MS);
    stream.watchdog.unref();
    return stream;
  }

  /** Hears samples, blocks and stalls from now on. */
  subscribe(listener: VitalsListener): { dispose(): void } {
    this.listeners.add(listener);
    if (this.endedWhy !== undefined) listener.ended?.(this.endedWhy);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Gathers everything from now until `stop()` (a profile or load run's section). */
  record(): VitalsRecording {
    const capture: VitalsCapture = { status: this.status, options: this.options, samples: [], gcPauses: [], blocks: [], warnings: [] };
    this.recordings.add(capture);
    const foreignAtStart = this.foreignPausedMs;
    return {
      stop: () => {
        this.recordings.delete(capture);
        const held = this.foreignPausedMs - foreignAtStart + (this.foreignPauseSince !== undefined ? Date.now() - this.foreignPauseSince : 0);
        if (held > 0) capture.warnings.push(`a debugger held the service paused for ${(held / 1000).toFixed(1)} s during the run: that time is not counted as blocks`);
        if (this.endedWhy) capture.warnings.push(`vitals stopped early: ${this.endedWhy}`);
        return capture;
      },
    };
  }

  private async enablePauses(): Promise<void> {
    this.disposers.push(
      this.connection.on('Debugger.scriptParsed', (script) => {
        if (script.url) this.scripts.set(script.scriptId, script.url);
      }),
      this.connection.on('Debugger.paused', (event) => this.onPaused(event)),
      this.connection.on('Debugger.resumed', () => this.onResumed()),
    );
    try {
      await this.connection.send('Debugger.enable', {});
      // Our session's breakpoints off: a `debugger` statement in the service never stops it for us.
      await this.connection.send('Debugger.setBreakpointsActive', { active: false });
      this.status.pauseCapture = true;
    } catch {
      this.status.pauseCapture = false;
    }
  }

  private onBinding({ name, payload }: Protocol.Runtime.BindingCalledEvent): void {
    if (name !== AGENT_BINDING) return;
    let message: VitalsPayload;
    try {
      message = JSON.parse(payload) as VitalsPayload;
    } catch {
      return;
    }
    if (message.type === 'beat') this.alive();
    else if (message.type === 'stall') this.onStall(message);
    else if (message.type === 'vitals') {
      this.alive();
      for (const capture of this.recordings) {
        capture.samples.push(message.sample);
        capture.gcPauses.push(...message.gcPauses);
      }
      for (const listener of this.listeners) listener.sample?.(message.sample, message.gcPauses);
    }
  }

  private onStall(stall: StallEvent & { type?: string }): void {
    // The agent's answer about our last pause may still be on its way through our own promise chain:
    // this stall is the block that pause landed in, so hear the answer first.
    if (this.checking) {
      void this.checking.then(() => this.onStall(stall));
      return;
    }
    const { type: _type, ...event } = stall;
    const first = this.firstFrames;
    const block: ObservedBlock = { ...event, location: first ? { source: 'pause', frames: first.frames, pauseLatencyMs: first.latencyMs } : { source: 'none', frames: [] } };
    this.alive();
    // The silence a debugger of the user's held the thread for is not a block: its stall ends just after the resume.
    if (this.lastForeignResume !== undefined && Date.now() - this.lastForeignResume <= event.ms + 200) return;
    for (const capture of this.recordings) capture.blocks.push(block);
    for (const listener of this.listeners) listener.block?.(block);
  }

  private alive(): void {
    const silentMs = Date.now() - this.lastBeat;
    this.lastBeat = Date.now();
    this.firstFrames = this.latestFrames = undefined;
    this.pausedThisSilence = false;
    if (this.longStallReported > 0) {
      this.longStallReported = 0;
      for (const listener of this.listeners) listener.stall?.({ sinceWallMs: this.lastBeat - silentMs, ms: silentMs, over: true });
    }
  }

  /** The watchdog: a beat missing for the threshold → pause to see where the thread is. */
  private check(): void {
    const at = Date.now();
    const late = at - this.lastWatchdog - WATCHDOG_MS;
    this.lastWatchdog = at;
    if (this.stopped || this.foreignPauseSince !== undefined) return;
    // The server itself was busy (its own loop late): the beats may be waiting in its socket.
    if (late > this.options.blockThresholdMs / 2) return;
    const silentMs = at - this.lastBeat;
    if (silentMs < this.options.blockThresholdMs) return;
    if (this.status.pauseCapture && this.pauseSentAt === undefined && (!this.pausedThisSilence || at - this.lastPauseAt >= REPAUSE_MS)) {
      this.pauseSentAt = at;
      this.pausedThisSilence = true;
      this.lastPauseAt = at;
      this.connection.send('Debugger.pause').catch(() => (this.pauseSentAt = undefined));
    }
    if (this.pauseSentAt !== undefined && at - this.pauseSentAt > PAUSE_TIMEOUT_MS) this.pauseSentAt = undefined; // native code: it will pause on return, or never
    if (silentMs >= LONG_STALL_MS && Math.floor(silentMs / 1000) > this.longStallReported) {
      this.longStallReported = Math.floor(silentMs / 1000);
      for (const listener of this.listeners) listener.stall?.({ sinceWallMs: this.lastBeat, ms: silentMs, frames: this.latestFrames, over: false });
    }
  }

  private onPaused(event: Protocol.Debugger.PausedEvent): void {
    const ours = this.pauseSentAt !== undefined && event.reason === 'other' && !(event.hitBreakpoints?.length);
    if (!ours) {
      // Someone else's pause (a breakpoint, a `debugger` statement of their session): leave it to them.
      this.foreignPauseSince ??= Date.now();
      return;
    }
    const latencyMs = Date.now() - this.pauseSentAt!;
    this.pauseSentAt = undefined;
    const frames = event.callFrames
      .slice(0, MAX_FRAMES)
      .map((frame) => ({ url: frame.url || this.scripts.get(frame.location.scriptId) || '', line: frame.location.lineNumber + 1, column: (frame.location.columnNumber ?? 0) + 1, functionName: frame.functionName }))
      .filter((frame) => frame.url !== AGENT_SCRIPT_URL);
    // Ask the agent how long its loop has not turned, and resume at once (both in one go: the
    // thread is not held while the answer travels back).
    const threshold = this.options.blockThresholdMs;
    const sinceTick = evaluateInTarget<number>(this.connection, `${AGENT}?.vitals.sinceTick() ?? 0`);
    this.connection.send('Debugger.resume').catch(() => undefined);
    const checking = sinceTick.then(
      (ms) => {
        // Landed after the block had ended (in our own tick, or in the next callback): not this block's place.
        if (ms < threshold / 2 || frames.length === 0) return;
        this.firstFrames ??= { frames, latencyMs };
        this.latestFrames = frames;
      },
      () => undefined,
    );
    this.checking = checking;
    void checking.then(() => {
      if (this.checking === checking) this.checking = undefined;
    });
  }

  private onResumed(): void {
    if (this.foreignPauseSince === undefined) return;
    this.foreignPausedMs += Date.now() - this.foreignPauseSince;
    this.foreignPauseSince = undefined;
    this.lastForeignResume = Date.now();
    this.lastBeat = Date.now(); // the silence was the debugger's
  }

  private end(why: string): void {
    if (this.endedWhy !== undefined) return;
    this.endedWhy = why;
    this.halt();
    for (const listener of this.listeners) listener.ended?.(why);
  }

  private halt(): void {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    for (const d of this.disposers.splice(0)) d.dispose();
  }

  /** Stops the sampling in the target (the agent stays until the target is released). */
  private async stop(): Promise<void> {
    this.halt();
    if (this.connection.isClosed) return;
    if (this.pauseSentAt !== undefined) await this.connection.send('Debugger.resume').catch(() => undefined);
    await evaluateInTarget(this.connection, `${AGENT}?.vitals.stop()`, false, 5000).catch(() => undefined);
    if (this.status.pauseCapture) await this.connection.send('Debugger.disable').catch(() => undefined);
  }
}
