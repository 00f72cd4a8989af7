// Find Leak in Endpoint: three heap snapshots with the same load on one endpoint between them, and a
// sampling heap profile of the first load (memlab's method). What the first load allocated and the
// last snapshot still holds are the suspects, linked to the lines that allocated them.
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CdpConnection } from '../cdp/connection';
import { routeHandlerNamer, type RouteHandlerSite } from '../analysis/routeHandlerNames';
import { allocationSites } from '../heap/allocationSites';
import { linkAllocations, type FindConstruction } from '../heap/allocationLinks';
import { constructionPlace, parseSource } from '../heap/constructionSite';
import type { SourceFile } from 'typescript';
import { heapProfileToSpeedscope } from '../heap/heapProfileSpeedscope';
import { HEAP_REPORT_VERSION, type HeapLeakReport } from '../heap/heapTypes';
import { leakHeadline } from '../heap/leakHeadline';
import { startHeapSampling, type HeapSampling } from '../heap/samplingHeap';
import { runLoad } from '../load/runLoad';
import type { LoadOptions, LoadProgress, LoadSummary } from '../load/loadTypes';
import type { HeapProgress } from '../protocol/protocol';
import type { KnownRoute } from '../routes/suggestPaths';
import { createFileSourceMapResolver } from '../sourcemaps/fileSourceMapLoader';
import { diffSnapshotFiles, takeSnapshot } from './heapJobs';
import { reachEndpoint } from './runProfile';
import { SessionError } from './sessionError';
import type { TargetSession } from './targetSession';

export interface FindLeakOptions {
  /** The load, run twice; its URL must already have passed the host policy. */
  load: LoadOptions;
  waitTimeoutMs: number;
  /** Where the snapshots and the heap profile go. */
  outDir: string;
  /** Files are `<baseName>-1.heapsnapshot` … `-3`, `<baseName>.heapprofile`, `<baseName>.heapprofile.speedscope.json`. */
  baseName: string;
  /** What was loaded, for the report. */
  target: string;
  /** Paths under it are shown relative in the headline. */
  cwd: string;
  /** Stops the hunt (CANCELLED): the files it wrote are removed. */
  signal?: AbortSignal;
  acceptErrors?: boolean;
  knownRoutes?: readonly KnownRoute[] | (() => readonly KnownRoute[]);
  /** Anonymous route handlers are named after their route. */
  routeHandlers?: () => readonly RouteHandlerSite[];
  /** Bytes per request: the report's gate. */
  failOnGrowthBytes?: number;
  /** Suspect groups kept. */
  top?: number;
  onProgress?: (progress: HeapProgress) => void;
  /** The loads' own progress, about once a second. */
  onLoadProgress?: (progress: LoadProgress, load: 1 | 2) => void;
  /** How the three snapshots are diffed: diffSnapshotFiles in this thread (the CLI), or in a worker (`perflens serve`). */
  diffFiles?: typeof diffSnapshotFiles;
}

/** The hunt's steps, each an equal share of its progress `fraction`. */
const STEPS = ['snapshot 1', 'load 1', 'snapshot 2', 'load 2', 'snapshot 3', 'reading'] as const;

/**
 * Runs the hunt on the session's target: waits for the URL and checks the endpoint as a profile
 * does, snapshot 1, sampling on, load 1, snapshot 2 (V8 collects garbage first), sampling off (only
 * what stayed alive), load 2, snapshot 3; then the three-snapshot diff with the allocating lines.
 * Fails with a SessionError: those of reachEndpoint, CANCELLED, TARGET_LOST naming the step,
 * SNAPSHOT_FAILED, INVALID_SNAPSHOT, SNAPSHOT_TOO_LARGE. Leaves the target running.
 */
export async function findLeak(session: TargetSession, options: FindLeakOptions): Promise<HeapLeakReport> {
  const { load, signal } = options;
  const outDir = resolve(options.outDir);
  const snapshotNames = [1, 2, 3].map((n) => `${options.baseName}-${n}`);
  const heapProfile = resolve(outDir, `${options.baseName}.heapprofile`);
  const speedscope = resolve(outDir, `${options.baseName}.heapprofile.speedscope.json`);
  const written: string[] = [];
  const progress = (step: (typeof STEPS)[number], message: string, within = 0) =>
    options.onProgress?.({ operation: 'leak', message, fraction: (STEPS.indexOf(step) + Math.min(1, within)) / STEPS.length });

  const connection = await reachEndpoint(session, { ...options, onPhase: (phase) => progress('snapshot 1', phase === 'waiting-for-url' ? `waiting for ${load.url} to answer` : `checking that ${load.method} ${load.url} answers 2xx`) });
  let sampling: HeapSampling | undefined;
  try {
    const snapshot = async (n: 1 | 2 | 3) => {
      const step = `snapshot ${n}` as const;
      progress(step, `taking snapshot ${n} of 3`);
      const taken = await takeSnapshot(session, {
        outDir,
        name: snapshotNames[n - 1],
        signal,
        onProgress: (p) => progress(step, `taking snapshot ${n} of 3: ${p.message}`, p.fraction ?? 0),
      }).catch((err: unknown) => {
        throw atStep(err, `taking snapshot ${n} of 3`);
      });
      written.push(taken.file);
      return taken.file;
    };
    const loadOnce = async (n: 1 | 2) => {
      const step = `load ${n}` as const;
      progress(step, `load ${n} of 2: ${load.method} ${load.url} for ${(load.durationMs / 1000).toFixed(1)} s`);
      const summary = await loadWhileAlive(connection, load, signal, (p) => {
        progress(step, `load ${n} of 2: ${p.requests.toLocaleString('en-US')} requests`, p.elapsedMs / load.durationMs);
        options.onLoadProgress?.(p, n);
      });
      if (connection.isClosed) throw new SessionError('TARGET_LOST', `the target went away during load ${n} of 2 (after ${summary.requests.toLocaleString('en-US')} requests).${await session.describeLoss()}${session.formatTail()}`);
      if (signal?.aborted) throw cancelledHunt();
      return summary;
    };

    const files = [await snapshot(1)];
    sampling = await startHeapSampling(connection).catch((err: unknown) => {
      throw atStep(err, 'starting the sampling heap profiler');
    });
    const first = await loadOnce(1);
    files.push(await snapshot(2));
    const profile = await sampling.stop().catch((err: unknown) => {
      throw atStep(err, 'reading the sampling heap profile');
    });
    sampling = undefined;
    await writeOutput(heapProfile, JSON.stringify(profile));
    written.push(heapProfile);
    const second = await loadOnce(2);
    files.push(await snapshot(3));

    progress('reading', 'reading snapshot 1');
    const diff = await (options.diffFiles ?? diffSnapshotFiles)(files, {
      signal,
      requests: first.requests,
      top: options.top,
      onProgress: (message, fraction) => progress('reading', message, fraction ?? 0),
    });
    const { resolver, warnings } = createFileSourceMapResolver({ cwd: options.cwd });
    const handlerName = options.routeHandlers && routeHandlerNamer(options.routeHandlers());
    const allocations = allocationSites(profile, resolver, { handlerName });
    linkAllocations(diff.suspects, allocations, constructionFinder());
    await writeOutput(speedscope, JSON.stringify(heapProfileToSpeedscope(profile, resolver, options.baseName, handlerName)));
    written.push(speedscope);

    const growthPerRequest = first.requests > 0 ? diff.totals.retainedSize / first.requests : 0;
    if (first.requests === 0) diff.warnings.push('the first load completed no requests, so growth per request cannot be worked out');
    diff.warnings.push(...warnings());
    const { kind: _kind, ...rest } = diff;
    const report: HeapLeakReport = {
      ...rest,
      version: HEAP_REPORT_VERSION,
      kind: 'heap-leak',
      target: options.target,
      method: load.method,
      url: load.url,
      loads: [first, second],
      growthPerRequest,
      files: { snapshots: files, heapProfile, speedscope },
      allocations: allocations.slice(0, options.top ?? 20),
      headline: leakHeadline({ method: load.method, path: new URL(load.url).pathname, suspects: diff.suspects, settled: diff.settled, growthPerRequest, requests: first.requests, survivingCount: diff.survivingCount, cwd: options.cwd }),
    };
    if (options.failOnGrowthBytes !== undefined) report.gate = { limitPerRequest: options.failOnGrowthBytes, breached: growthPerRequest > options.failOnGrowthBytes };
    progress('reading', 'done', 1);
    return report;
  } catch (err) {
    if (sampling && !connection.isClosed) await sampling.stop().catch(() => undefined);
    // An unfinished hunt leaves nothing behind: its snapshots are of no use without the rest.
    await Promise.all(written.map((file) => rm(file, { force: true })));
    throw err;
  }
}

/** Runs the load, stopping it at once when the target's inspector closes or the signal aborts. */
async function loadWhileAlive(connection: CdpConnection, load: LoadOptions, signal: AbortSignal | undefined, onProgress: (p: LoadProgress) => void): Promise<LoadSummary> {
  const stop = new AbortController();
  const closed = connection.onClose(() => stop.abort());
  const abort = () => stop.abort();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    return await runLoad(load, { onProgress, signal: stop.signal });
  } finally {
    closed.dispose();
    signal?.removeEventListener('abort', abort);
  }
}

/** Writes one of the hunt's files; a failure is SNAPSHOT_FAILED, saying why (the snapshots' folder exists by then). */
async function writeOutput(file: string, text: string): Promise<void> {
  await writeFile(file, text).catch(async (err: NodeJS.ErrnoException) => {
    await rm(file, { force: true });
    throw new SessionError('SNAPSHOT_FAILED', `could not write ${file} (${err.code ?? err.message})${err.code === 'ENOSPC' ? ': the disk is full; free space or choose another folder' : '; choose another folder'}`);
  });
}

/** A step's failure, named: "while taking snapshot 2 of 3: …". */
function atStep(err: unknown, step: string): unknown {
  if (err instanceof SessionError) {
    if (err.code === 'CANCELLED') return cancelledHunt();
    return new SessionError(err.code, `${step}: ${err.message}`, err.data);
  }
  if (err instanceof Error && err.name === 'TargetClosedError') return new SessionError('TARGET_LOST', `the target went away while ${step}: ${err.message}`);
  return err;
}

function cancelledHunt(): SessionError {
  return new SessionError('CANCELLED', 'the leak hunt was cancelled; the files it had written were removed');
}

/** Finds where a site's function constructs a class, reading each mapped source file once. */
function constructionFinder(): FindConstruction {
  const files = new Map<string, SourceFile | null>();
  return (site, className) => {
    if (!/^[A-Za-z_$][\w$]*$/.test(className)) return undefined;
    let source = files.get(site.file);
    if (source === undefined) {
      try {
        source = parseSource(readFileSync(site.file, 'utf8'), site.file);
      } catch {
        source = null;
      }
      files.set(site.file, source);
    }
    return source === null ? undefined : constructionPlace(source, site.line, site.column, className);
  };
}

