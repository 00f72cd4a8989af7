import type { ExplainResult } from '../queries/explainTypes';
import { VitalsWatch } from '../session/vitalsWatch';
import { DEFAULT_VITALS_OPTIONS } from '../vitals/vitalsTypes';
import type { QueryCapture } from '../queries/captureTypes';
import { explainCapturedQuery, ExplainError } from '../session/explainQuery';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { version as serverVersion } from '../../package.json';
import { checkLoadTarget, HostNotAllowedError } from '../load/hostPolicy';
import type { LoadOptions } from '../load/loadTypes';
import { executeLoadTest, LoadTestSetupError } from '../loadtest/executeLoadTest';
import type { LoadTestProgress } from '../loadtest/runLoadTest';
import { PROTOCOL_VERSION, type EventName, type Events, type Params, type ProfileRunParams, type ProfileRunResult, type Result } from '../protocol/protocol';
import { ancestorsOf, listNodeProcesses } from '../session/nodeProcesses';
import { orderProcesses } from '../session/processOrder';
import { analyseProfile, runBaseName } from '../session/profileFiles';
import { readProfileFile } from '../session/readProfileFile';
import { captureProfile, writeProfileRun } from '../session/runProfile';
import { SessionError } from '../session/sessionError';
import { TargetSession, type TargetEnd } from '../session/targetSession';
import type { Handlers } from './dispatcher';
import { RpcFailure } from './rpcFailure';
import type { CallContext } from './rpcServer';
import { defaultSamplingIntervalUs } from '../profiling/samplingInterval';
import { snapshotWarning } from '../heap/captureSnapshot';
import { takeSnapshot } from '../session/heapJobs';
import { diffSnapshotFilesInWorker, summarizeSnapshotFileInWorker } from '../session/heapWorkerJobs';
import { findLeak } from '../session/findLeak';

export interface ProfilerServiceOptions {
  emit: <E extends EventName>(event: E, data: Events[E]) => void;
  log: (line: string) => void;
  /** PIDs listNodeProcesses leaves out; default the server and its parent. */
  excludePids?: number[];
}

const DEFAULT_WAIT_TIMEOUT_MS = 30_000;
/** loadTestProgress events come at most this often (parallel scenarios each report every second). */
const LOAD_TEST_PROGRESS_MIN_GAP_MS = 800;
/** Rows of the printed tables; the server prints none, but the analysis computes them. */
const TABLE_ROWS = 15;

/**
 * What `perflens serve` does for its clients: owns at most one target (launched or attached) and runs
 * one profile at a time on it, with the same session code as `perflens profile`.
 */
export class ProfilerService {
  private target?: TargetSession;
  /** How the last target went away, for the next NO_TARGET message. */
  private lastEnd?: { end: TargetEnd; tail: string };
  private running?: AbortController;
  /** The running heap operation (one at a time), and whether it works on the target. */
  private heapJob?: { stop: AbortController; onTarget: boolean };
  /** The queries of the last profile on the current target, for explainQuery (the agent holds their parameters). */
  private lastQueries?: QueryCapture;
  /** The running load test: how to stop it, and its end (never rejects). */
  private loadTest?: { stop: AbortController; ended: Promise<void> };
  /** The live watch of the current target's vitals (watchVitals), with the target it watches. */
  private watch?: { session: TargetSession; watch: Promise<VitalsWatch> };
  /** A launch, attach or release in progress. */
  private changingTarget = false;
  private disposed = false;

  constructor(private readonly options: ProfilerServiceOptions) {}

  /** The protocol's methods, one handler each (checked against `Methods` by the compiler). */
  readonly handlers: Handlers<CallContext> = {
    hello: async (params, context) => {
      context.authenticate(params); // first, synchronously: see RpcServer
      return { protocolVersion: PROTOCOL_VERSION, serverVersion, pid: process.pid };
    },
    listNodeProcesses: async (params) => {
      const processes = await listNodeProcesses({ exclude: this.options.excludePids ?? [process.pid, process.ppid] });
      // The server runs under the editor (its extension host, code-server): those are the editor's.
      const editor = new Set(await ancestorsOf(process.pid));
      return { processes: orderProcesses(processes, params.workspaceFolders ?? [], editor) };
    },
    launchTarget: (params) => this.changeTarget(() => this.launch(params.command, params.cwd, params.env)),
    attachTarget: (params) => this.changeTarget(() => this.attach(params.spec)),
    releaseTarget: async () => {
      await this.changeTarget(() => this.releaseCurrent());
      return {};
    },
    getTarget: async () => (this.target ? { target: this.target.info() } : {}),
    profileEndpoint: (params) => this.profileEndpoint(params),
    cancelProfile: async () => {
      if (this.running && !this.running.signal.aborted) {
        this.options.log('cancelling the running profile: stopping the load early');
        this.running.abort();
      }
      return {};
    },
    runLoadTest: (params) => this.runLoadTest(params),
    cancelLoadTest: async () => {
      if (this.loadTest && !this.loadTest.stop.signal.aborted) {
        this.options.log('cancelling the running load test: the report covers what ran so far');
        this.loadTest.stop.abort();
      }
      return {};
    },
    explainQuery: (params) => this.explainQuery(params.text, params.analyze ?? false),
    watchVitals: (params) => this.watchVitals(params),
    unwatchVitals: async () => {
      await this.stopWatch();
      return {};
    },
    analyzeProfileFile: async (params) => {
      const profile = await readProfileFile(params.file);
      return { report: analyseProfile(profile, { target: basename(params.file), cwd: process.cwd(), top: TABLE_ROWS, reportTop: Infinity }).report };
    },
    takeHeapSnapshot: (params) =>
      this.heapWork({ target: true }, async (signal, session) => {
        const emit = (message: string, fraction?: number) => this.options.emit('heapProgress', { operation: 'snapshot', message, ...(fraction !== undefined ? { fraction } : {}) });
        const taken = await takeSnapshot(session, {
          outDir: params.outDir,
          name: params.name ?? runBaseName('heap'),
          signal,
          onBefore: (heapUsed) => emit(snapshotWarning(heapUsed)),
          onProgress: (p) => emit(p.message, p.fraction),
        });
        this.options.log(`heap snapshot written: ${taken.file} (${taken.bytes} bytes)`);
        return taken;
      }),
    cancelHeap: async () => {
      if (this.heapJob && !this.heapJob.stop.signal.aborted) {
        this.options.log('cancelling the running heap operation');
        this.heapJob.stop.abort();
      }
      return {};
    },
    summarizeHeapSnapshot: (params) =>
      this.heapWork({ target: false }, async (signal) => ({
        summary: await summarizeSnapshotFileInWorker(params.file, { signal, top: params.top, onProgress: (message, fraction) => this.options.emit('heapProgress', { operation: 'summary', message, ...(fraction !== undefined ? { fraction } : {}) }) }),
      })),
    diffHeapSnapshots: (params) =>
      this.heapWork({ target: false }, async (signal) => ({
        diff: await diffSnapshotFilesInWorker(params.files, { signal, top: params.top, onProgress: (message, fraction) => this.options.emit('heapProgress', { operation: 'diff', message, ...(fraction !== undefined ? { fraction } : {}) }) }),
      })),
    findLeak: (params) => {
      const url = this.loadUrl(params.load.url, params.allowHosts);
      return this.heapWork({ target: true }, async (signal, session) => {
        const load: LoadOptions = { ...params.load, url: url.href };
        this.options.log(`hunting a leak in ${load.method} ${load.url} on ${session.description}`);
        const report = await findLeak(session, {
          load,
          waitTimeoutMs: params.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
          outDir: params.outDir,
          baseName: runBaseName(params.name ?? url.pathname),
          target: session.description,
          cwd: process.cwd(),
          signal,
          acceptErrors: params.acceptErrors,
          knownRoutes: params.knownRoutes,
          routeHandlers: () => params.routeHandlers ?? [],
          failOnGrowthBytes: params.failOnGrowthBytes,
          onProgress: (progress) => this.options.emit('heapProgress', progress),
          onLoadProgress: (progress) => this.options.emit('loadProgress', progress),
          diffFiles: diffSnapshotFilesInWorker,
        });
        this.options.log(`leak hunt done: ${report.headline}`);
        return { report };
      });
    },
  };

  /** Stops a running profile and releases the target (stops a launched one, detaches from an attached one). */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.running?.abort();
    this.heapJob?.stop.abort();
    const loadTest = this.loadTest;
    loadTest?.stop.abort();
    await loadTest?.ended; // its service is stopped by then
    await this.stopWatch();
    const target = this.target;
    this.target = undefined;
    await target?.release();
  }

  private async changeTarget<T>(change: () => Promise<T>): Promise<T> {
    if (this.disposed) throw new RpcFailure('INTERNAL', 'the server is shutting down');
    if (this.running) throw new RpcFailure('BUSY', 'a profile is running on the current target: cancel it (cancelProfile) or wait for it to end first');
    if (this.heapJob?.onTarget) throw new RpcFailure('BUSY', 'a heap snapshot or leak hunt is running on the current target: cancel it (cancelHeap) or wait for it to end first');
    if (this.changingTarget) throw new RpcFailure('BUSY', 'a target is already being launched, attached or released; try again when that is done');
    this.changingTarget = true;
    try {
      return await change();
    } finally {
      this.changingTarget = false;
    }
  }

  private async launch(command: string[], cwd: string, env: Record<string, string> | undefined): Promise<Result<'launchTarget'>> {
    const dir = await stat(cwd).catch(() => undefined);
    if (!dir?.isDirectory()) throw new RpcFailure('TARGET_START_FAILED', `could not start the target \`${command.join(' ')}\`: its working directory ${cwd} ${dir ? 'is not a directory' : 'does not exist'}`);
    await this.releaseCurrent();
    const session = await TargetSession.launch(command, { cwd, env, onOutput: (line) => this.options.emit('targetOutput', { line }) });
    this.adopt(session);
    this.options.log(`launched \`${session.description}\` (PID ${session.pid}) in ${cwd}`);
    try {
      await session.inspectorUrl();
    } catch (err) {
      await session.release();
      throw new SessionError('TARGET_START_FAILED', (err as Error).message);
    }
    return session.info();
  }

  private async attach(spec: string): Promise<Result<'attachTarget'>> {
    await this.releaseCurrent();
    const session = await TargetSession.attach(spec).catch((err: unknown) => {
      // locateInspector speaks the CLI's language (`--attach 123: ...`).
      if (err instanceof SessionError) throw new SessionError(err.code, err.message.replace(/^--attach /, 'attach to '));
      throw err;
    });
    this.adopt(session);
    this.options.log(`attached to ${session.description}`);
    return session.info();
  }

  private adopt(session: TargetSession): void {
    this.target = session;
    this.lastQueries = undefined;
    session.onEnded((end) => {
      this.options.log(`target ended: ${end.description}${end.released ? ' (released)' : ''}`);
      this.options.emit('targetExited', { code: end.code, signal: end.signal, description: end.description, released: end.released });
      if (this.target === session) {
        this.target = undefined;
        this.lastEnd = { end, tail: session.formatTail() };
      }
    });
    if (this.disposed) void this.dispose();
  }

  private async releaseCurrent(): Promise<void> {
    const target = this.target;
    if (!target) return;
    this.options.log(`releasing ${target.description}`);
    await target.release();
    if (this.target === target) this.target = undefined;
  }

  private async profileEndpoint(params: ProfileRunParams): Promise<ProfileRunResult> {
    const url = this.loadUrl(params.load.url, params.allowHosts);
    if (this.running) throw new RpcFailure('BUSY', 'a profile is already running; one profile at a time');
    if (this.loadTest) throw new RpcFailure('BUSY', 'a load test is running: cancel it (cancelLoadTest) or wait for it to end first');
    if (this.heapJob?.onTarget) throw new RpcFailure('BUSY', 'a heap snapshot or leak hunt is running on the current target: cancel it (cancelHeap) or wait for it to end first');
    if (this.changingTarget) throw new RpcFailure('BUSY', 'a target is being launched, attached or released; try again when that is done');
    const session = this.target;
    if (!session) throw new RpcFailure('NO_TARGET', this.noTargetMessage());

    const stop = new AbortController();
    this.running = stop;
    const { emit, log } = this.options;
    const load: LoadOptions = { ...params.load, url: url.href };
    try {
      log(`profiling ${session.description} while ${load.method} ${load.url} runs for ${(load.durationMs / 1000).toFixed(1)} s`);
      const capture = await captureProfile(session, {
        load,
        samplingIntervalUs: params.samplingIntervalUs ?? defaultSamplingIntervalUs(params.load.durationMs),
        waitTimeoutMs: params.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
        signal: stop.signal,
        onProgress: (progress) => emit('loadProgress', progress),
        onQueries: (live) => emit('queryProgress', live),
        onPhase: (phase) => emit('profilePhase', { phase, detail: phase === 'waiting-for-url' ? `waiting for ${load.url} to answer` : phase === 'checking' ? `checking that ${load.method} ${load.url} answers 2xx` : `${load.method} ${load.url}` }),
        keptNote: ' The profile up to the last completed chunk was kept.',
        acceptErrors: params.acceptErrors,
        knownRoutes: params.knownRoutes,
        queries: params.queries?.capture === false ? false : { ...(params.queries?.leakThresholdMs ? { leakThresholdMs: params.queries.leakThresholdMs } : {}) },
        vitals: params.vitals?.capture === false ? false : { ...(params.vitals?.blockThresholdMs ? { blockThresholdMs: params.vitals.blockThresholdMs } : {}), ...(params.vitals?.nameBlocks !== undefined ? { nameBlocks: params.vitals.nameBlocks } : {}) },
      });
      emit('loadFinished', capture.load);
      this.lastQueries = capture.queries;
      emit('profilePhase', { phase: 'analysing' });
      const run = await writeProfileRun(capture, {
        outDir: params.outDir,
        baseName: runBaseName(params.name ?? url.pathname),
        target: session.description,
        cwd: process.cwd(),
        top: TABLE_ROWS,
        reportTop: Infinity,
        routeHandlers: () => params.routeHandlers ?? [],
        knownRoutes: () => params.knownRoutes ?? [],
        nPlusOne: { minRepeats: params.queries?.nPlusOneMinRepeats },
      });
      const result: ProfileRunResult = { report: run.report, profilePath: run.profilePath, speedscopePath: run.speedscopePath, ...(capture.lost ? { partial: capture.lost } : {}) };
      emit('profilePhase', { phase: 'done' });
      log(`profile written: ${run.profilePath}`);
      if (capture.lost) throw new RpcFailure('TARGET_LOST', capture.lost, result);
      return result;
    } finally {
      if (this.running === stop) this.running = undefined;
    }
  }

  /** The load's URL after the host policy: HOST_NOT_ALLOWED, or BAD_REQUEST for a malformed URL. */
  private loadUrl(url: string, allowHosts: string[] | undefined): URL {
    try {
      return checkLoadTarget(url, allowHosts ?? []);
    } catch (err) {
      if (err instanceof HostNotAllowedError) throw new RpcFailure('HOST_NOT_ALLOWED', `refusing to put load on ${err.host}: load goes only to loopback unless the host is allowed (perflens.load.allowHosts: add "${err.host}")`, { host: err.host });
      throw new RpcFailure('BAD_REQUEST', `params.load.url: ${(err as Error).message}`);
    }
  }

  /**
   * Runs one heap operation at a time (BUSY otherwise), stoppable with cancelHeap. One that works
   * on the target also waits for no profile, load test or change of target, and needs a target.
   */
  private heapWork<T>(needs: { target: true }, work: (signal: AbortSignal, session: TargetSession) => Promise<T>): Promise<T>;
  private heapWork<T>(needs: { target: false }, work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  private async heapWork<T>(needs: { target: boolean }, work: (signal: AbortSignal, session: TargetSession) => Promise<T>): Promise<T> {
    if (this.disposed) throw new RpcFailure('INTERNAL', 'the server is shutting down');
    if (this.heapJob) throw new RpcFailure('BUSY', 'a heap operation is already running; one at a time: cancel it (cancelHeap) or wait for it to end');
    const session = this.target;
    if (needs.target) {
      if (this.running) throw new RpcFailure('BUSY', 'a profile is running on the current target: cancel it (cancelProfile) or wait for it to end first');
      if (this.loadTest) throw new RpcFailure('BUSY', 'a load test is running: cancel it (cancelLoadTest) or wait for it to end first');
      if (this.changingTarget) throw new RpcFailure('BUSY', 'a target is being launched, attached or released; try again when that is done');
      if (!session) throw new RpcFailure('NO_TARGET', this.noTargetMessage());
    }
    const job = { stop: new AbortController(), onTarget: needs.target };
    this.heapJob = job;
    try {
      return await work(job.stop.signal, session!);
    } finally {
      if (this.heapJob === job) this.heapJob = undefined;
    }
  }

  /** See Methods.explainQuery. */
  private async explainQuery(text: string, analyze: boolean): Promise<ExplainResult> {
    const session = this.target;
    if (!session) throw new RpcFailure('NO_TARGET', this.noTargetMessage());
    if (this.running) throw new RpcFailure('BUSY', 'a profile is running: explain when it has finished');
    if (!this.lastQueries) throw new RpcFailure('QUERY_UNKNOWN', 'no profile of this target has captured queries yet: profile an endpoint that sends the statement first');
    try {
      this.options.log(`explaining${analyze ? ' (ANALYZE, rolled back)' : ''}: ${text.replace(/\s+/g, ' ').slice(0, 120)}`);
      return await explainCapturedQuery(await session.connect(), this.lastQueries, text, analyze);
    } catch (err) {
      if (err instanceof ExplainError) throw new RpcFailure(err.code, err.message);
      throw err;
    }
  }

  /**
   * Runs a load-test file with executeLoadTest: one at a time, and not while a profile runs. A service
   * the file starts is its own (the session's target is left alone) and is stopped at the end.
   */
  private async runLoadTest(params: Params<'runLoadTest'>): Promise<Result<'runLoadTest'>> {
    if (this.disposed) throw new RpcFailure('INTERNAL', 'the server is shutting down');
    if (this.running) throw new RpcFailure('BUSY', 'a profile is running: cancel it (cancelProfile) or wait for it to end first');
    if (this.loadTest) throw new RpcFailure('BUSY', 'a load test is already running; one load test at a time');
    const { emit, log } = this.options;
    const stop = new AbortController();
    let ended!: () => void;
    const entry = { stop, ended: new Promise<void>((resolve) => (ended = resolve)) };
    this.loadTest = entry;
    let lastProgress = 0;
    const onProgress = (progress: LoadTestProgress) => {
      const now = Date.now();
      if (now - lastProgress < LOAD_TEST_PROGRESS_MIN_GAP_MS) return;
      lastProgress = now;
      emit('loadTestProgress', progress);
    };
    try {
      log(`load test ${params.file}`);
      const { report, exitCode } = await executeLoadTest({
        path: params.file,
        allowHosts: params.allowHosts,
        profile: params.profile,
        outDir: params.outDir ?? join(dirname(params.file), '.perflens', 'profiles'),
        signal: stop.signal,
        onProgress,
        onTargetOutput: (line) => emit('targetOutput', { line }),
        log,
      });
      log(`load test ${params.file} ended: exit code ${exitCode}${report.passed ? ', passed' : ''}`);
      return { report, exitCode };
    } catch (err) {
      if (err instanceof LoadTestSetupError) throw new RpcFailure('LOAD_TEST_CONFIG', err.message, { problems: err.problems });
      throw err;
    } finally {
      if (this.loadTest === entry) this.loadTest = undefined;
      ended();
    }
  }

  /** See Methods.watchVitals: one watch per target; a second call joins it (its options stay). */
  private async watchVitals(params: Params<'watchVitals'>): Promise<Result<'watchVitals'>> {
    const session = this.target;
    if (!session) throw new RpcFailure('NO_TARGET', this.noTargetMessage());
    if (this.watch?.session !== session) {
      await this.stopWatch();
      const { emit, log } = this.options;
      const options = { ...DEFAULT_VITALS_OPTIONS, ...(params.blockThresholdMs ? { blockThresholdMs: params.blockThresholdMs } : {}), ...(params.nameBlocks !== undefined ? { nameBlocks: params.nameBlocks } : {}) };
      const routeHandlers = params.routeHandlers ?? [];
      const watch = (async () => {
        const connection = await session.connect();
        return VitalsWatch.start(connection, { ...options, routeHandlers: () => routeHandlers, cwd: process.cwd() }, {
          vitals: (live) => emit('vitals', live),
          block: (block) => emit('vitalsBlock', block),
          stall: (stall) => emit('vitalsStall', stall),
          ended: (why) => log(`vitals watch ended: ${why}`),
        });
      })();
      const entry = { session, watch };
      this.watch = entry;
      watch.catch(() => {
        if (this.watch === entry) this.watch = undefined;
      });
      session.onEnded(() => {
        if (this.watch === entry) this.watch = undefined;
      });
      log(`watching the vitals of ${session.description}`);
    }
    let watch: VitalsWatch;
    try {
      watch = await this.watch!.watch;
    } catch (err) {
      if (err instanceof SessionError) throw err;
      throw new RpcFailure(session.ended ? 'TARGET_LOST' : 'AGENT_FAILED', session.ended ? `the target is gone: ${session.ended.description}` : `could not watch the service: the agent could not be put into it (${(err as Error).message})`);
    }
    const history = watch.history();
    return { status: watch.status, history: history.samples, blocks: history.blocks };
  }

  private async stopWatch(): Promise<void> {
    const entry = this.watch;
    this.watch = undefined;
    const watch = await entry?.watch.catch(() => undefined);
    await watch?.stop();
  }

  private noTargetMessage(): string {
    const base = 'no target: launch a service (launchTarget) or attach to one (attachTarget) first';
    if (!this.lastEnd || this.lastEnd.end.released) return base;
    return `${base}. The last target went away: ${this.lastEnd.end.description}.${this.lastEnd.tail}`;
  }
}
