// A live watch of a target's vitals, for the editor's panel (watchVitals) and `perflens watch`: keeps
// the last five minutes, maps each block to the source as it comes, and says once a second what the
// series so far mean (summary and diagnosis).
import type { RouteHandlerSite } from '../analysis/routeHandlerNames';
import type { SourceMapResolver } from '../analysis/sourceMapResolver';
import type { CdpConnection } from '../cdp/connection';
import { createFileSourceMapResolver } from '../sourcemaps/fileSourceMapLoader';
import { VitalsStream, type StallProgress, type VitalsLease } from '../agent/vitalsStream';
import { diagnoseVitals } from '../vitals/diagnoseVitals';
import { groupBlocks } from '../vitals/groupBlocks';
import { toLiveBlock, type LocateContext } from '../vitals/locateBlock';
import { summarizeVitals } from '../vitals/summarizeVitals';
import { VitalsSeries } from '../vitals/vitalsSeries';
import type { LiveBlock, LiveStall, LiveVitals, VitalsCapture, VitalsOptions, VitalsSample, VitalsStatus } from '../vitals/vitalsTypes';

export interface VitalsWatchListener {
  vitals(live: LiveVitals): void;
  block(block: LiveBlock): void;
  stall(stall: LiveStall): void;
  /** The target went away (or its inspector connection closed). */
  ended(why: string): void;
}

export interface VitalsWatchOptions extends VitalsOptions {
  /** For naming anonymous route handlers and the endpoint of a block. */
  routeHandlers?: () => readonly RouteHandlerSite[];
  /** Paths under it are shown relative in the diagnosis. */
  cwd?: string;
}

export class VitalsWatch {
  private readonly series = new VitalsSeries();
  private readonly resolver: SourceMapResolver = createFileSourceMapResolver().resolver;
  private readonly liveBlocks: LiveBlock[] = [];
  private readonly subscription: { dispose(): void };

  private constructor(
    private readonly lease: VitalsLease,
    private readonly options: VitalsWatchOptions,
    private readonly listener: VitalsWatchListener,
  ) {
    this.subscription = lease.stream.subscribe({
      sample: (sample, gcPauses) => {
        this.series.addSample(sample);
        this.series.addGcPauses(gcPauses);
        const samples = this.series.samples();
        const summary = summarizeVitals(samples, this.series.gcPauses(), this.series.blocks());
        const diagnosis = diagnoseVitals(summary, samples, groupBlocks(this.series.blocks(), this.context()), { cwd: options.cwd });
        listener.vitals({ sample, gcPauses, summary, diagnosis });
      },
      block: (block) => {
        this.series.addBlock(block);
        const live = toLiveBlock(block, this.context());
        this.liveBlocks.push(live);
        const oldest = live.endWallMs - 300_000;
        while (this.liveBlocks.length > 0 && this.liveBlocks[0]!.endWallMs < oldest) this.liveBlocks.shift();
        listener.block(live);
      },
      stall: (stall) => listener.stall(this.liveStall(stall)),
      ended: (why) => listener.ended(why),
    });
  }

  /** Starts watching (joining the target's stream when a run already has it). Fails with the target's error. */
  static async start(connection: CdpConnection, options: VitalsWatchOptions, listener: VitalsWatchListener): Promise<VitalsWatch> {
    const lease = await VitalsStream.acquire(connection, options);
    return new VitalsWatch(lease, options, listener);
  }

  get status(): VitalsStatus {
    return this.lease.stream.status;
  }

  /** What was kept so far: the samples and the blocks, for a panel opened late. */
  history(): { samples: VitalsSample[]; blocks: LiveBlock[] } {
    return { samples: this.series.samples().slice(), blocks: this.liveBlocks.slice() };
  }

  /** What was kept, as a run's capture (for a summary at the end of `perflens watch`). */
  capture(): VitalsCapture {
    return { status: this.status, options: this.options, samples: this.series.samples().slice(), gcPauses: this.series.gcPauses().slice(), blocks: this.series.blocks().slice(), warnings: [] };
  }

  /** The context blocks are located in: source maps, route handlers. */
  get locateContext(): LocateContext {
    return this.context();
  }

  async stop(): Promise<void> {
    this.subscription.dispose();
    await this.lease.release();
  }

  private context(): LocateContext {
    return { resolver: this.resolver, routeHandlers: this.options.routeHandlers?.() ?? [] };
  }

  private liveStall(stall: StallProgress): LiveStall {
    const where = stall.frames ? toLiveBlock({ endMs: 0, endWallMs: Date.now(), endUs: 0, ms: stall.ms, location: { source: 'pause', frames: stall.frames } }, this.context()) : undefined;
    return { sinceWallMs: stall.sinceWallMs, ms: stall.ms, over: stall.over, ...(where ? { where } : {}) };
  }
}
