import type { Protocol } from 'devtools-protocol';
import type { ProfileReport } from '../analysis/reportTypes';
import type { LoadOptions, LoadProgress, LoadSummary } from '../load/loadTypes';
import { profileUnderLoad, TargetLostError } from '../profiling/profileUnderLoad';
import { describeRejection } from '../routes/endpointRejection';
import type { KnownRoute } from '../routes/suggestPaths';
import type { CpuBusy } from '../analysis/reportTypes';
import type { RouteHandlerSite } from '../analysis/routeHandlerNames';
import { probeEndpoint } from '../target/probeEndpoint';
import { QueryAgent } from '../agent/queryAgent';
import type { ArmOptions } from '../agent/agent';
import type { QueryCapture } from '../queries/captureTypes';
import { buildQueriesSection } from '../queries/buildQueriesSection';
import { endpointNamer } from '../queries/endpointNames';
import { formatQueriesTable } from '../queries/formatQueries';
import { queriesHeadline } from '../queries/queriesHeadline';
import { liveQueries, type LiveQueries } from '../queries/liveQueries';
import type { QueriesSection } from '../queries/queryReportTypes';
import type { ExplainResult } from '../queries/explainTypes';
import { formatReportTables, relativeTo } from '../analysis/formatReport';
import type { CdpConnection } from '../cdp/connection';
import { VitalsStream, type VitalsLease, type VitalsRecording } from '../agent/vitalsStream';
import { buildVitalsSection } from '../vitals/buildVitalsSection';
import { formatVitalsTable, vitalsHeadline } from '../vitals/formatVitals';
import { DEFAULT_VITALS_OPTIONS, type VitalsCapture, type VitalsOptions } from '../vitals/vitalsTypes';
import { analyseProfile, writeCpuProfile, writeSpeedscope } from './profileFiles';
import { SessionError } from './sessionError';
import { cancelled, type TargetSession } from './targetSession';

export type ProfilePhase = 'waiting-for-url' | 'checking' | 'profiling' | 'analysing' | 'done';

export interface CaptureOptions {
  /** The load to run; its URL must already have passed the host policy (checkLoadTarget). */
  load: LoadOptions;
  samplingIntervalUs: number;
  /** How long to wait for the URL to answer before the load starts. */
  waitTimeoutMs: number;
  /** Stops the load early (the profile taken so far is kept); before the load starts, cancels the run. */
  signal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
  onPhase?: (phase: ProfilePhase) => void;
  /** See profileUnderLoad. */
  chunkMs?: number;
  /** The sentence that tells the user a partial profile was kept when the target went away. */
  keptNote?: string;
  /** Load even when the check request does not answer 2xx (see ProfileRunParams.acceptErrors). */
  acceptErrors?: boolean;
  /** For suggestions when the check request answers 404 or 405 (a function: worked out only then). */
  knownRoutes?: readonly KnownRoute[] | (() => readonly KnownRoute[]);
  /** Capture the service's PostgreSQL queries during the load (default true); options for the agent. */
  queries?: false | Partial<ArmOptions>;
  /** The queries so far, about once a second while the load runs. */
  onQueries?: (live: LiveQueries) => void;
  /** The service's vitals during the load (default: on, with DEFAULT_VITALS_OPTIONS). */
  vitals?: false | Partial<VitalsOptions>;
}

/** What a run captured. */
export interface Capture {
  profile: Protocol.Profiler.Profile;
  load: LoadSummary;
  /** The target's CPU time over the load, when it could be read. */
  cpu?: CpuBusy;
  /** What the service sent to PostgreSQL during the load (absent when capture was off). */
  queries?: QueryCapture;
  /** Why queries could not be captured, when they could not. */
  queriesUnavailable?: string;
  /** The service's vitals and blocks during the load (absent when off). */
  vitals?: VitalsCapture;
  /** Why vitals could not be captured, when they could not. */
  vitalsUnavailable?: string;
  /** Set when the target went away mid-run: why, for the user; the capture covers the part before. */
  lost?: string;
}

/** What reachEndpoint needs: the load, how long to wait, and what to do about a non-2xx answer. */
export type ReachOptions = Pick<CaptureOptions, 'load' | 'waitTimeoutMs' | 'signal' | 'acceptErrors' | 'knownRoutes'> & { onPhase?: (phase: 'waiting-for-url' | 'checking') => void };

/**
 * The steps before any load: waits for the URL to answer, checks with one request that it answers
 * 2xx (unless errors are accepted), and connects to the target's inspector. Fails with a SessionError:
 * URL_UNREACHABLE, ENDPOINT_REJECTED (with "did you mean …?" on a 404 or 405), CANCELLED,
 * TARGET_LOST or ATTACH_FAILED. Shared by the CPU profile and the leak hunt.
 */
export async function reachEndpoint(session: TargetSession, options: ReachOptions): Promise<CdpConnection> {
  const { load, signal } = options;
  options.onPhase?.('waiting-for-url');
  await session.waitForUrl(load.url, { timeoutMs: options.waitTimeoutMs, signal });
  if (signal?.aborted) throw cancelled();
  options.onPhase?.('checking');
  const answer = await probeEndpoint(load, load.timeoutMs).catch((err: Error) => {
    throw new SessionError('URL_UNREACHABLE', `${err.message}${session.formatTail()}`);
  });
  if ((answer.status < 200 || answer.status > 299) && !options.acceptErrors) {
    const known = answer.status === 404 || answer.status === 405 ? (typeof options.knownRoutes === 'function' ? options.knownRoutes() : options.knownRoutes) : undefined;
    const rejection = describeRejection(load.method, load.url, answer, known);
    throw new SessionError('ENDPOINT_REJECTED', `${rejection.message} Nothing was loaded or profiled.`, rejection);
  }
  if (signal?.aborted) throw cancelled();
  const connection = await session.connect();
  if (signal?.aborted) throw cancelled();
  return connection;
}

/**
 * Waits for the URL to answer, connects to the target's inspector, and samples the CPU while the
 * load runs. Fails with a SessionError: URL_UNREACHABLE, CANCELLED (before the load started),
 * TARGET_LOST (when nothing usable was captured; otherwise the capture carries `lost`), ATTACH_FAILED,
 * or INTERNAL. Leaves the target running: releasing it is the caller's business.
 */
export async function captureProfile(session: TargetSession, options: CaptureOptions): Promise<Capture> {
  const { load, signal } = options;
  const connection = await reachEndpoint(session, options);
  options.onPhase?.('profiling');
  let agent: QueryAgent | undefined;
  let queriesUnavailable: string | undefined;
  if (options.queries !== false) {
    const onQueries = options.onQueries;
    agent = await QueryAgent.arm(connection, options.queries || {}, onQueries && ((capture) => onQueries(liveQueries(capture)))).catch((err: Error) => {
      queriesUnavailable = `queries were not captured: the agent could not be put into the service (${err.message})`;
      return undefined;
    });
  }
  const vitals = options.vitals === false ? undefined : await recordVitals(connection, { ...DEFAULT_VITALS_OPTIONS, ...options.vitals });
  const withQueries = async (capture: Omit<Capture, 'queries'>): Promise<Capture> => {
    const queries = await agent?.disarm();
    const vitalsCapture = vitals && 'recording' in vitals ? vitals.recording.stop() : undefined;
    if (vitals && 'lease' in vitals) await vitals.lease.release();
    return {
      ...capture,
      ...(queries ? { queries } : {}),
      ...(queriesUnavailable ? { queriesUnavailable } : {}),
      ...(vitalsCapture ? { vitals: vitalsCapture } : {}),
      ...(vitals && 'unavailable' in vitals ? { vitalsUnavailable: vitals.unavailable } : {}),
    };
  };
  try {
    return await withQueries(await profileUnderLoad({ connection, load, samplingIntervalUs: options.samplingIntervalUs, chunkMs: options.chunkMs, signal, onProgress: options.onProgress }));
  } catch (err) {
    await agent?.disarm();
    if (vitals && 'lease' in vitals) await vitals.lease.release();
    if (!(err instanceof TargetLostError)) throw new SessionError('INTERNAL', (err as Error).message);
    const why = await session.describeLoss();
    const sent = err.load ? ` ${err.load.requests} requests had completed.` : '';
    const kept = err.partialProfile ? (options.keptNote ?? ' The profile up to the last completed chunk was kept and is shown above.') : ' No complete profile chunk had been collected, so there is no profile to show.';
    const message = `${err.message}.${why}${sent}${kept}${session.formatTail()}`;
    if (!err.partialProfile || !err.load) throw new SessionError('TARGET_LOST', message);
    return withQueries({ profile: err.partialProfile, load: err.load, lost: message });
  }
}

/** Starts recording the target's vitals for a run (joining a live watch of the same target). */
export async function recordVitals(connection: CdpConnection, options: VitalsOptions): Promise<{ lease: VitalsLease; recording: VitalsRecording } | { unavailable: string }> {
  try {
    const lease = await VitalsStream.acquire(connection, options);
    return { lease, recording: lease.stream.record() };
  } catch (err) {
    return { unavailable: `vitals were not captured: the agent could not be put into the service (${(err as Error).message})` };
  }
}

export interface WriteRunOptions {
  outDir: string;
  /** Base name of the files (see runBaseName). */
  baseName: string;
  /** What was profiled, for the report. */
  target: string;
  /** Paths under it are shown relative in the tables. */
  cwd: string;
  /** Rows per printed table. */
  top: number;
  /** Rows kept in the report; Infinity keeps every function and line. */
  reportTop?: number;
  /** See AnalyseOptions.routeHandlers. */
  routeHandlers?: () => readonly RouteHandlerSite[];
  /** The service's routes: queries are reported per endpoint by the route that matched their request. */
  knownRoutes?: () => readonly KnownRoute[];
  /** See BuildQueriesOptions.nPlusOne. */
  nPlusOne?: { minRepeats?: number; minTotalMs?: number };
  /** Explains every SELECT whose p95 reaches `minP95Ms` (perflens profile --explain); the target must still be connected. */
  explainSlow?: { minP95Ms: number; explain: (text: string) => Promise<ExplainResult> };
}

export interface ProfileRun {
  report: ProfileReport;
  /** The report as text tables, for a terminal. */
  tables: string;
  profilePath: string;
  speedscopePath: string;
}

/** Explains each slow SELECT in turn (one at a time: each borrows a connection from the service's pool). */
async function explainSlowSelects(section: QueriesSection, how: NonNullable<WriteRunOptions['explainSlow']>): Promise<void> {
  for (const stat of section.queries) {
    if (stat.p95Ms < how.minP95Ms || !/^\s*(\(\s*)*(select|with)\b/i.test(stat.example)) continue;
    try {
      stat.explain = await how.explain(stat.text);
    } catch (err) {
      stat.explainError = (err as Error).message;
    }
  }
}

/** Writes the .cpuprofile, analyses it (source maps included) and writes the speedscope file. */
export async function writeProfileRun(capture: Capture, options: WriteRunOptions): Promise<ProfileRun> {
  const profilePath = await writeCpuProfile(capture.profile, options.outDir, options.baseName);
  const warnings = capture.lost ? ['the target went away mid-run: this profile covers only the part before it did'] : [];
  if (capture.load.stoppedEarly && !capture.lost) warnings.push(`the load was stopped early, after ${(capture.load.durationMs / 1000).toFixed(1)} s`);
  const analysis = analyseProfile(capture.profile, { target: options.target, load: capture.load, cpu: capture.cpu, cwd: options.cwd, top: options.top, reportTop: options.reportTop, extraWarnings: warnings, routeHandlers: options.routeHandlers });
  const speedscopePath = await writeSpeedscope(analysis, options.outDir, options.baseName);
  if (capture.queriesUnavailable) analysis.report.warnings.push(capture.queriesUnavailable);
  if (capture.vitalsUnavailable) analysis.report.warnings.push(capture.vitalsUnavailable);
  // Each section may add a sentence to the headline; the tables are printed once they all have.
  const sentences: string[] = [];
  const sections: string[] = [];
  if (capture.queries) {
    const queries = buildQueriesSection(capture.queries, { resolver: analysis.resolver, endpointOf: endpointNamer(options.knownRoutes?.() ?? []), nPlusOne: options.nPlusOne });
    analysis.report.queries = queries;
    if (options.explainSlow) await explainSlowSelects(queries, options.explainSlow);
    const sentence = queriesHeadline(queries, capture.load, (site) => (site.file ? `${relativeTo(site.file, options.cwd)}:${site.line}` : 'an unknown line'));
    if (sentence) sentences.push(sentence);
    sections.push(formatQueriesTable(queries, { cwd: options.cwd, top: options.top }));
  }
  if (capture.vitals) {
    const hottest = analysis.report.summary.hottestOwnLine;
    const vitals = buildVitalsSection(capture.vitals, {
      resolver: analysis.resolver,
      routeHandlers: options.routeHandlers?.() ?? [],
      profile: capture.profile,
      cwd: options.cwd,
      ...(hottest ? { hottest: { function: hottest.functionName, file: hottest.file, line: hottest.line } } : {}),
    });
    analysis.report.vitals = vitals;
    const sentence = vitalsHeadline(vitals, options.cwd);
    if (sentence) sentences.push(sentence);
    sections.push(formatVitalsTable(vitals, { cwd: options.cwd, top: options.top }));
  }
  if (sentences.length > 0) analysis.report.summary.headline = [analysis.report.summary.headline, ...sentences].join(' ');
  const tables = [sentences.length > 0 ? formatReportTables(analysis.report, { cwd: options.cwd, top: options.top }) : analysis.tables, ...sections].join('\n\n');
  return { report: analysis.report, tables, profilePath, speedscopePath };
}
