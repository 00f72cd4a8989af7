/**
 * Runs a *.load.json file from start to end, as `perflens load` and the profiler server's
 * `runLoadTest` both do: reads it, fills `${PORT}` with a free port, validates it and its thresholds,
 * checks the host policy, starts the service when the file names target.command (and stops it at the
 * end), optionally samples its CPU while the load runs, and builds the report. Does I/O.
 *
 * A service PerfLens starts has its inspector open: the query agent is armed in it for the whole run
 * (whether or not the CPU is profiled), feeding the db_* thresholds, and the report gets a `queries`
 * section, its endpoints named after the file's requests. An already-running service (no
 * target.command) has no inspector for PerfLens: its queries are not captured (a warning says so),
 * and db_* thresholds are a setup error.
 *
 * Failures: LoadTestSetupError (the file, its thresholds, the host or the options are wrong; every
 * problem with its place in the file); SessionError TARGET_START_FAILED when the service cannot be
 * started, LoadTestServiceError (a SessionError: URL_UNREACHABLE, TARGET_LOST, or CANCELLED when
 * stopped before the load started) when it never answered.
 */
import type { Protocol } from 'devtools-protocol';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { checkLoadTarget } from '../load/hostPolicy';
import { defaultSamplingIntervalUs } from '../profiling/samplingInterval';
import { profileWhile } from '../profiling/profileUnderLoad';
import { analyseProfile, runBaseName, writeCpuProfile, writeSpeedscope } from '../session/profileFiles';
import { QueryAgent } from '../agent/queryAgent';
import type { VitalsLease } from '../agent/vitalsStream';
import { recordVitals } from '../session/runProfile';
import { buildVitalsSection } from '../vitals/buildVitalsSection';
import { DEFAULT_VITALS_OPTIONS } from '../vitals/vitalsTypes';
import { buildQueriesSection, defaultEndpoint } from '../queries/buildQueriesSection';
import type { SourceMapResolver } from '../analysis/sourceMapResolver';
import { createFileSourceMapResolver } from '../sourcemaps/fileSourceMapLoader';
import { SessionError } from '../session/sessionError';
import { TargetSession } from '../session/targetSession';
import { splitCommandLine } from '../target/splitCommandLine';
import { compileThresholds, isDbMetric, ThresholdConfigError, type CompiledThreshold } from '../thresholds/thresholdSet';
import { locateJsonPath } from './jsonLocation';
import { LoadTestConfigError, parseLoadTestFile, PORT_PLACEHOLDER, withPort, type LoadTestFile, type LoadTestProblem } from './loadTestFile';
import { buildLoadTestReport, type LoadTestReport } from './loadTestReport';
import { loadRequestNamer } from './requestNames';
import { runLoadTest, type LoadTestProgress, type LoadTestRun, type QueryFeed } from './runLoadTest';
import { freePort } from '../target/freePort';

export const DEFAULT_PROFILE_DIR = '.perflens/profiles';

export interface ExecuteLoadTestOptions {
  /** The load-test file (resolved against the current directory when relative). */
  path: string;
  /** How the file is named in messages and in `report.file`; default `path` as given. */
  displayName?: string;
  /** Hosts allowed besides loopback and the file's own allowHosts. */
  allowHosts?: string[];
  /** Sample the service's CPU during the run (needs target.command). */
  profile?: boolean;
  /** Where the .cpuprofile and speedscope files go; default `.perflens/profiles`. */
  outDir?: string;
  /** Stops the run; the report then covers what ran and exitCode is 105. */
  signal?: AbortSignal;
  onProgress?: (progress: LoadTestProgress) => void;
  /** Each line the started service prints. */
  onTargetOutput?: (line: string) => void;
  /** What happens, for people ("started `node dist/server.js` (PID 123); waiting for …"). */
  log?: (line: string) => void;
}

export interface ExecutedLoadTest {
  report: LoadTestReport;
  /** 0 every threshold holds; 99 a threshold was breached; 105 stopped by `signal`. */
  exitCode: 0 | 99 | 105;
}

/** One thing wrong with the setup, placed in the file when it can be (line and column from 1). */
export type LoadTestSetupProblem = LoadTestProblem;

export type LoadTestSetupKind = 'unreadable' | 'invalid-file' | 'invalid-thresholds' | 'host' | 'profile-needs-command' | 'queries-need-command';

/** The report's warning when the file has no target.command. */
export const QUERIES_NEED_COMMAND =
  "the service's PostgreSQL queries were not captured, and db_* thresholds cannot be used: that needs target.command in the file, so that PerfLens starts the service with its inspector";

/**
 * The load test cannot run as configured. The message is for people as it stands (the CLI prints it
 * after `load: `); `problems` lists every problem with its path and, when found, its line and column.
 */
export class LoadTestSetupError extends Error {
  override readonly name = 'LoadTestSetupError';
  readonly code = 'LOAD_TEST_CONFIG';

  constructor(
    readonly kind: LoadTestSetupKind,
    message: string,
    readonly problems: LoadTestSetupProblem[],
  ) {
    super(message);
  }
}

/**
 * The service started for the load test never answered at target.baseUrl: URL_UNREACHABLE,
 * TARGET_LOST (it exited first) or CANCELLED (stopped while waiting).
 */
export class LoadTestServiceError extends SessionError {
  constructor(code: SessionError['code'], message: string) {
    super(code, message);
    this.name = 'LoadTestServiceError';
  }
}

export async function executeLoadTest(options: ExecuteLoadTestOptions): Promise<ExecutedLoadTest> {
  const path = resolve(options.path);
  const name = options.displayName ?? options.path;
  const log = options.log ?? (() => {});

  const original = await readFile(path, 'utf8').catch(() => {
    throw new LoadTestSetupError('unreadable', `${name} cannot be read (does it exist?)`, [{ path: '', message: `${name} cannot be read (does it exist?)` }]);
  });
  const text = original.includes(PORT_PLACEHOLDER) ? withPort(original, await freePort()) : original;
  const { file, thresholds } = parseConfig(text, original, name);
  const baseUrl = file.target.baseUrl;
  try {
    checkLoadTarget(baseUrl, [...file.allowHosts, ...(options.allowHosts ?? [])]);
  } catch (err) {
    const message = (err as Error).message;
    throw new LoadTestSetupError('host', `target.baseUrl: ${message}`, [located(original, { path: 'target.baseUrl', message })]);
  }
  if (options.profile && !file.target.command) {
    const message = 'profiling needs target.command in the file, so PerfLens starts the service with its inspector';
    throw new LoadTestSetupError('profile-needs-command', message, [located(original, { path: 'target', message })]);
  }
  const dbKeys = new Map(thresholds.filter((t) => isDbMetric(t.metric)).map((t) => [t.key, t.metric]));
  if (dbKeys.size && !file.target.command) {
    const problems = [...dbKeys].map(([key, metric]) =>
      located(original, { path: `thresholds[${JSON.stringify(key)}]`, message: `${metric} needs target.command in the file: PerfLens reads the service's queries through the inspector of a service it starts itself` }),
    );
    const where = (p: LoadTestSetupProblem) => `${name}${p.line !== undefined ? `:${p.line}:${p.column}` : ''}: ${p.path}: ${p.message}`;
    const message = problems.length === 1 ? where(problems[0]) : `${problems.length} problems:\n${problems.map((p) => `  ${where(p)}`).join('\n')}`;
    throw new LoadTestSetupError('queries-need-command', message, problems);
  }

  const signal = options.signal ?? new AbortController().signal;
  let session: TargetSession | undefined;
  let agent: QueryAgent | undefined;
  let vitalsLease: VitalsLease | undefined;
  try {
    if (file.target.command) {
      const command = splitCommandLine(file.target.command);
      if (signal.aborted) throw new LoadTestServiceError('CANCELLED', 'stopped before the load started');
      session = await TargetSession.launch(command, { cwd: resolve(dirname(path), file.target.cwd), env: file.target.env, onOutput: options.onTargetOutput });
      log(`perflens: started \`${file.target.command}\` (PID ${session.pid}); waiting for ${baseUrl}`);
      await session.waitForUrl(baseUrl, { timeoutMs: file.target.waitTimeoutMs, signal }).catch((err: unknown) => {
        if (err instanceof SessionError) throw new LoadTestServiceError(err.code, err.message);
        throw err;
      });
    }
    let feed: QueryFeed | undefined;
    let queriesUnavailable: string | undefined = session ? undefined : QUERIES_NEED_COMMAND;
    if (session) {
      const armed = await armQueryAgent(session, options.profile === true);
      if ('agent' in armed) {
        agent = armed.agent;
        const armedAgent = armed.agent;
        feed = { current: () => armedAgent.capture, armedAt: armed.armedAt, finish: () => armedAgent.disarm() };
      } else {
        queriesUnavailable = armed.unavailable;
      }
    }
    const vitals = session ? await session.connect().then((connection) => recordVitals(connection, DEFAULT_VITALS_OPTIONS), (err: Error) => ({ unavailable: `vitals were not captured: PerfLens could not reach the service's inspector (${err.message})` })) : undefined;
    if (vitals && 'lease' in vitals) vitalsLease = vitals.lease;
    const drive = (s: AbortSignal) => runLoadTest({ file, baseUrl, thresholds, signal: s, onProgress: options.onProgress, queries: feed, queriesUnavailable });
    let run: LoadTestRun;
    let profileFiles: LoadTestReport['profile'];
    let resolver: SourceMapResolver | undefined;
    let profile: Protocol.Profiler.Profile | undefined;
    if (options.profile && session) {
      const connection = await session.connect();
      const durationMs = file.scenarios.reduce((a, s) => a + s.durationMs, 0);
      const profiled = await profileWhile({ connection, samplingIntervalUs: defaultSamplingIntervalUs(durationMs), signal }, drive, (r) => r.durationMs);
      run = profiled.value;
      profile = profiled.profile;
      const outDir = options.outDir ?? DEFAULT_PROFILE_DIR;
      const baseName = runBaseName(basename(path).replace(/\.load\.json$|\.json$/, ''));
      const analysis = analyseProfile(profiled.profile, { target: file.target.command!, cwd: process.cwd(), top: 10 });
      resolver = analysis.resolver;
      profileFiles = { cpuprofile: await writeCpuProfile(profiled.profile, outDir, baseName), speedscope: await writeSpeedscope(analysis, outDir, baseName) };
    } else {
      run = await drive(signal);
    }
    let queries: LoadTestReport['queries'];
    if (run.queries) {
      const nameOf = loadRequestNamer(file.requests, baseUrl);
      queries = buildQueriesSection(run.queries, { resolver: resolver ?? createFileSourceMapResolver().resolver, endpointOf: (r) => nameOf(r) ?? defaultEndpoint(r) });
    }
    const vitalsCapture = vitals && 'recording' in vitals ? vitals.recording.stop() : undefined;
    await vitalsLease?.release();
    const vitalsSection = vitalsCapture ? buildVitalsSection(vitalsCapture, { resolver: resolver ?? createFileSourceMapResolver().resolver, ...(profile ? { profile } : {}), cwd: process.cwd() }) : undefined;
    const report = buildLoadTestReport(run, { file: name, baseUrl, queries, vitals: vitalsSection });
    if (vitals && 'unavailable' in vitals) report.warnings.push(vitals.unavailable);
    // Where each threshold is written, so that an editor can show a breach on its line.
    run.thresholds.forEach((result, i) => {
      const at = locateJsonPath(asJson(original), result.threshold.path);
      if (at && report.thresholds[i]) report.thresholds[i].line = at.line;
    });
    if (profileFiles) report.profile = profileFiles;
    const exitCode = run.stopped?.by === 'signal' ? 105 : report.passed ? 0 : 99;
    return { report, exitCode };
  } finally {
    await agent?.disarm();
    await vitalsLease?.release();
    await session?.release();
  }
}

/**
 * Arms the query agent in the started service. Without --profile, a service whose inspector cannot
 * be reached still gets its load (only the queries are missing); with it, that fails the run as before.
 */
async function armQueryAgent(session: TargetSession, profile: boolean): Promise<{ agent: QueryAgent; armedAt: number } | { unavailable: string }> {
  let connection;
  try {
    connection = await session.connect();
  } catch (err) {
    if (profile) throw err;
    return { unavailable: `the service's queries were not captured: PerfLens could not reach its inspector (${(err as Error).message})` };
  }
  try {
    const agent = await QueryAgent.arm(connection);
    return { agent, armedAt: Date.now() };
  } catch (err) {
    return { unavailable: `the service's queries were not captured: the agent could not be put into the service (${(err as Error).message})` };
  }
}

/** The file and its thresholds, or a LoadTestSetupError listing every problem with its place. */
function parseConfig(text: string, original: string, name: string): { file: LoadTestFile; thresholds: CompiledThreshold[] } {
  let file: LoadTestFile;
  try {
    file = parseLoadTestFile(text, name);
  } catch (err) {
    if (err instanceof LoadTestConfigError) {
      // Placed again in the text as written (`${PORT}` is longer than a port number).
      const problems = err.problems.map((p) => {
        const at = p.path ? locateJsonPath(asJson(original), p.path, { nearest: true }) : undefined;
        return at ? { ...p, line: at.line, column: at.column } : p;
      });
      throw new LoadTestSetupError('invalid-file', err.message, problems);
    }
    throw err;
  }
  try {
    return { file, thresholds: compileThresholds(file.thresholds) };
  } catch (err) {
    if (err instanceof ThresholdConfigError) throw new LoadTestSetupError('invalid-thresholds', `${name}: ${err.message}`, err.problems.map((p) => located(original, p)));
    throw err;
  }
}

/** The problem with the line and column of its path (or of the nearest part of it present). */
function located(text: string, problem: { path: string; message: string }): LoadTestSetupProblem {
  const at = locateJsonPath(asJson(text), problem.path, { nearest: true });
  return { path: problem.path, message: problem.message, ...(at ? { line: at.line, column: at.column } : {}) };
}

/** A byte-order mark is not JSON whitespace; a space keeps every position where it was. */
function asJson(text: string): string {
  return text.startsWith('\uFEFF') ? ` ${text.slice(1)}` : text;
}

