// Hand-made vitals: samples, live blocks and a report's vitals section shaped like the demo's under
// load of GET /block (its busy loop: DEMO_BUSY_LINE of demo/src/routes/block.ts).
import { join } from 'node:path';
import type { BlockGroup, LiveBlock, VitalsSample, VitalsSection } from '../../server/vitals/vitalsTypes';

const MB = 1024 * 1024;

/** The demo's busy-loop line in demo/src/routes/block.ts (the line that says so). */
export const DEMO_BUSY_LINE = 10;

/** One second's sample ending at `wallMs`. */
export function sample(wallMs: number, figures: { p99?: number; elu?: number | null; cpu?: number; heapMb?: number; gcMinor?: number } = {}): VitalsSample {
  const p99 = figures.p99 ?? 12;
  return {
    atMs: wallMs - 1_700_000_000_000,
    wallMs,
    intervalMs: 1000,
    delay: { min: 0.1, mean: p99 / 3, p50: p99 / 4, p99, max: p99 * 1.5 },
    ...(figures.elu === null ? {} : { elu: figures.elu ?? 0.35 }),
    cpu: figures.cpu ?? 0.42,
    gc: { minor: figures.gcMinor ?? 1.5, major: 0, incremental: 0.25, weakcb: 0, count: 3, maxMs: 1.2 },
    memory: { heapUsed: (figures.heapMb ?? 52) * MB, heapTotal: 80 * MB, rss: 120 * MB, external: 3 * MB, arrayBuffers: 1 * MB },
  };
}

export function liveBlock(file: string, line: number, endWallMs: number, ms: number, extra: Partial<LiveBlock> = {}): LiveBlock {
  return { endWallMs, ms, function: 'busyWait', file, line, column: 5, located: true, source: 'pause', endpoint: 'GET /block', ...extra };
}

export function blockGroup(file: string, line: number, figures: Partial<BlockGroup> = {}): BlockGroup {
  return {
    ms: 212,
    maxMs: 480,
    totalMs: 2968,
    count: 14,
    function: 'busyWait',
    file,
    line,
    column: 5,
    located: true,
    sources: ['pause'],
    endpoint: 'GET /block',
    stack: [],
    atWallMs: [],
    ...figures,
  };
}

/** The demo's block route: 14 blocks at its busy loop, one more not located. `demoRoot`: the demo/ folder. */
export function demoVitalsSection(demoRoot: string): VitalsSection {
  const file = join(demoRoot, 'src', 'routes', 'block.ts');
  const start = 1_764_590_000_000;
  const series = Array.from({ length: 10 }, (_, i) => sample(start + (i + 1) * 1000, { p99: i % 2 ? 210 : 15 }));
  return {
    status: { node: 'v20.20.2', missing: [], pauseCapture: true },
    blockThresholdMs: 100,
    series,
    gcPauses: [],
    summary: {
      seconds: 10,
      delay: { p50: 3, p99: 212, max: 480 },
      elu: { mean: 0.6, p50: 0.6, max: 0.99 },
      cpu: { mean: 0.7, max: 1 },
      gc: { totalMs: 15, count: 30, maxPerSecondMs: 2, longestMs: 1.2 },
      memory: { heapUsedStart: 50 * MB, heapUsedEnd: 52 * MB, heapUsedMax: 60 * MB, rssStart: 120 * MB, rssEnd: 121 * MB, rssMax: 125 * MB },
      blocks: { count: 15, totalMs: 3100, longestMs: 480 },
    },
    blocks: [
      blockGroup(file, DEMO_BUSY_LINE, { atWallMs: Array.from({ length: 14 }, (_, i) => start + i * 700) }),
      blockGroup('', 0, { function: '(unknown)', located: false, count: 1, ms: 132, maxMs: 132, totalMs: 132, sources: [], endpoint: undefined, atWallMs: [start + 9_000] }),
    ],
    diagnosis: [],
    warnings: [],
  };
}
