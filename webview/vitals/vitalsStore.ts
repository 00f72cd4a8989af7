// Pure: what the live vitals panel keeps of a watch (the last five minutes of samples, GC pauses,
// blocks, load progress and phase marks, the latest diagnosis, a stall, the end), built from the
// server's events. The extension keeps one (to give a reloaded page its data back, and for Export);
// the page keeps its own copy from the same updates. No DOM and no vscode here.
import type { LoadProgress } from '../../server/load/loadTypes';
import type { LoadTestProgress } from '../../server/loadtest/runLoadTest';
import type { Events } from '../../server/protocol/protocol';
import type { GcPause, LiveBlock, LiveStall, LiveVitals, VitalsDiagnosis, VitalsSample, VitalsStatus, VitalsSummary } from '../../server/vitals/vitalsTypes';

/** The panel keeps (and draws) this much, measured back from the newest thing it received. */
export const WINDOW_MS = 5 * 60_000;

/** What is being watched, as the extension started it. */
export interface WatchInfo {
  /** The target's description ("node dist/server.js (PID 1234)"). */
  target: string;
  /** host:port of the service's inspector (kept in the exported vitals). */
  inspector?: string;
  blockThresholdMs: number;
  nameBlocks: boolean;
  status: VitalsStatus;
  /** Epoch ms when the watch started. */
  startedWallMs: number;
  /** The workspace folders: paths under them are shown relative. */
  roots: string[];
}

/** One progress event of a load run, stamped with its arrival (epoch ms, the editor's clock). */
export interface LoadPoint {
  wallMs: number;
  source: 'profile' | 'load-test';
  /** The run's p99 so far, ms (what the events carry: not a per-second figure). */
  p99: number;
  /** Only when the event carries one (none does today). */
  p50?: number;
  /** Requests completed in the last second. */
  rps: number;
  /** Requests that failed (no answer, or not 2xx) per second since the previous event of the run. */
  failedPerSecond: number;
  /** Failed so far, as the event has it (for the next event's difference). */
  failed: number;
  /** The load test's scenario. */
  scenario?: string;
}

/** A vertical mark on every chart: a load-test scenario starting, or a profile run's phase. */
export interface PhaseMark {
  wallMs: number;
  label: string;
  source: 'profile' | 'load-test';
}

/** What a panel shows: everything kept. Plain JSON (it is posted to the page and exported). */
export interface VitalsSnapshot {
  info?: WatchInfo;
  samples: VitalsSample[];
  gcPauses: GcPause[];
  /** Oldest first. */
  blocks: LiveBlock[];
  /** Of the latest `vitals` event. */
  summary?: VitalsSummary;
  diagnosis: VitalsDiagnosis[];
  load: LoadPoint[];
  marks: PhaseMark[];
  /** The service's loop is not turning right now. */
  stall?: LiveStall;
  /** The watch is over: the target exited, its inspector closed, or the server went away. */
  ended?: { wallMs: number; reason: string };
  /** Samples received since the watch started (history included): only ever grows. */
  received: number;
}

/** One thing that happened, as the extension forwards it to the page. */
export type VitalsUpdate =
  | { type: 'vitals'; live: LiveVitals }
  | { type: 'block'; block: LiveBlock }
  | { type: 'stall'; stall: LiveStall }
  | { type: 'loadProgress'; wallMs: number; progress: LoadProgress }
  | { type: 'loadTestProgress'; wallMs: number; progress: LoadTestProgress }
  | { type: 'profilePhase'; wallMs: number; phase: Events['profilePhase']['phase']; detail?: string }
  | { type: 'ended'; wallMs: number; reason: string };

/** The profile phases worth a mark, with their labels. */
const PHASE_LABELS: Partial<Record<Events['profilePhase']['phase'], string>> = {
  checking: 'profile: check request',
  profiling: 'profile: load',
  analysing: 'profile: load over',
};

export function emptySnapshot(): VitalsSnapshot {
  return { samples: [], gcPauses: [], blocks: [], diagnosis: [], load: [], marks: [], received: 0 };
}

export class VitalsStore {
  private s: VitalsSnapshot;

  constructor(snapshot: VitalsSnapshot = emptySnapshot()) {
    this.s = structuredCloneJson(snapshot);
  }

  /** A new watch: what the server kept so far (`watchVitals`'s history and blocks). */
  start(info: WatchInfo, history: VitalsSample[], blocks: LiveBlock[]): void {
    this.s = { ...emptySnapshot(), info };
    for (const sample of [...history].sort((a, b) => a.wallMs - b.wallMs)) this.addSample(sample);
    for (const block of blocks) this.addBlock(block);
    this.trim();
  }

  get info(): WatchInfo | undefined {
    return this.s.info;
  }

  get ended(): boolean {
    return this.s.ended !== undefined;
  }

  /** Applies one update; false when it changed nothing (a sample or block already kept, anything after the end). */
  apply(update: VitalsUpdate): boolean {
    if (this.s.ended) return false;
    switch (update.type) {
      case 'vitals': {
        const added = this.addSample(update.live.sample);
        if (!added) return false;
        for (const pause of update.live.gcPauses) if (!this.s.gcPauses.some((p) => p.wallMs === pause.wallMs && p.ms === pause.ms)) this.s.gcPauses.push(pause);
        this.s.summary = update.live.summary;
        this.s.diagnosis = update.live.diagnosis;
        break;
      }
      case 'block':
        if (!this.addBlock(update.block)) return false;
        break;
      case 'stall':
        this.s.stall = update.stall.over ? undefined : update.stall;
        break;
      case 'loadProgress':
        this.addLoad('profile', update.wallMs, update.progress);
        break;
      case 'loadTestProgress': {
        const previous = this.lastLoad('load-test');
        if (!previous || previous.scenario !== update.progress.scenario || update.wallMs - previous.wallMs > 10_000) {
          this.s.marks.push({ wallMs: update.wallMs, label: update.progress.scenario, source: 'load-test' });
        }
        this.addLoad('load-test', update.wallMs, update.progress, update.progress.scenario);
        break;
      }
      case 'profilePhase': {
        const label = PHASE_LABELS[update.phase];
        if (!label) return false;
        this.s.marks.push({ wallMs: update.wallMs, label, source: 'profile' });
        break;
      }
      case 'ended':
        this.s.ended = { wallMs: update.wallMs, reason: update.reason };
        this.s.stall = undefined;
        break;
    }
    this.trim();
    return true;
  }

  /** A copy of everything kept. */
  snapshot(): VitalsSnapshot {
    return structuredCloneJson(this.s);
  }

  /** Read-only view, for drawing (do not change it). */
  get view(): Readonly<VitalsSnapshot> {
    return this.s;
  }

  /** The newest time the store has seen (epoch ms), or undefined when empty. */
  latestWallMs(): number | undefined {
    return latestOf(this.s);
  }

  private addSample(sample: VitalsSample): boolean {
    const last = this.s.samples[this.s.samples.length - 1];
    // The same second can come twice: in the history and as an event, or from a run and a watch.
    if (last && sample.wallMs <= last.wallMs) return false;
    this.s.samples.push(sample);
    this.s.received++;
    return true;
  }

  private addBlock(block: LiveBlock): boolean {
    if (this.s.blocks.some((b) => b.endWallMs === block.endWallMs && b.ms === block.ms)) return false;
    this.s.blocks.push(block);
    this.s.blocks.sort((a, b) => a.endWallMs - b.endWallMs);
    return true;
  }

  private lastLoad(source: LoadPoint['source']): LoadPoint | undefined {
    for (let i = this.s.load.length - 1; i >= 0; i--) if (this.s.load[i].source === source) return this.s.load[i];
    return undefined;
  }

  private addLoad(source: LoadPoint['source'], wallMs: number, progress: LoadProgress | LoadTestProgress, scenario?: string): void {
    const previous = this.lastLoad(source);
    // A new run (or phase: its counts start again) when the count went down or the events paused.
    const sameRun = previous && previous.scenario === scenario && progress.failed >= previous.failed && wallMs - previous.wallMs <= 10_000 && wallMs > previous.wallMs;
    const seconds = sameRun ? (wallMs - previous.wallMs) / 1000 : 1;
    const failedPerSecond = Math.max(0, (sameRun ? progress.failed - previous.failed : progress.failed) / seconds);
    const p50 = (progress as { p50?: unknown }).p50;
    this.s.load.push({ wallMs, source, p99: progress.p99, ...(typeof p50 === 'number' ? { p50 } : {}), rps: progress.rps, failedPerSecond, failed: progress.failed, ...(scenario !== undefined ? { scenario } : {}) });
  }

  private trim(): void {
    const latest = latestOf(this.s);
    if (latest === undefined) return;
    const from = latest - WINDOW_MS;
    const keep = <T>(list: T[], at: (x: T) => number) => {
      const i = list.findIndex((x) => at(x) >= from);
      if (i > 0) list.splice(0, i);
      else if (i < 0) list.splice(0);
    };
    keep(this.s.samples, (x) => x.wallMs);
    keep(this.s.gcPauses, (x) => x.wallMs);
    keep(this.s.blocks, (x) => x.endWallMs);
    keep(this.s.load, (x) => x.wallMs);
    keep(this.s.marks, (x) => x.wallMs);
  }
}

function latestOf(s: VitalsSnapshot): number | undefined {
  const candidates = [s.samples[s.samples.length - 1]?.wallMs, s.load[s.load.length - 1]?.wallMs, s.blocks[s.blocks.length - 1]?.endWallMs, s.marks[s.marks.length - 1]?.wallMs].filter((x): x is number => typeof x === 'number');
  return candidates.length ? Math.max(...candidates) : undefined;
}

/** A deep copy of plain JSON data (the snapshot has no functions, dates or cycles). */
function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
