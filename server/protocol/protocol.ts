// The extension ⇄ profiler-server protocol: JSON messages over one WebSocket on 127.0.0.1.
// One interface declares every method; request, response and event types derive from it.
// Pure types and constants: imported by the server and by the extension alike.
import type { ProfileReport } from '../analysis/reportTypes';
import type { LoadOptions, LoadProgress, LoadSummary } from '../load/loadTypes';
import type { LoadTestReport } from '../loadtest/loadTestReport';
import type { LoadTestProgress } from '../loadtest/runLoadTest';
import type { KnownRoute } from '../routes/suggestPaths';
import type { RouteHandlerSite } from '../analysis/routeHandlerNames';
import type { ExplainResult } from '../queries/explainTypes';
import type { LiveQueries } from '../queries/liveQueries';
import type { LiveBlock, LiveStall, LiveVitals, VitalsSample, VitalsStatus } from '../vitals/vitalsTypes';
import type { HeapDiff, HeapLeakReport, HeapSummary } from '../heap/heapTypes';

/** Bump on any incompatible change; the server refuses a `hello` with another version. */
export const PROTOCOL_VERSION = 1;

/** A Node.js process the user may attach to. */
export interface NodeProcessInfo {
  pid: number;
  commandLine: string;
  cwd?: string;
  /** The inspector's WebSocket URL when its inspector is already open. */
  inspectorUrl?: string;
  /** TCP ports it listens on (its inspector's left out). */
  ports: number[];
  /** Its working directory is inside one of the workspace folders the client named. */
  inWorkspace?: boolean;
  /** One of the editor's own processes (code-server, extension host, tsserver, PerfLens): hide it from pickers. */
  editor?: boolean;
}

/** The service the server is connected to. */
export interface TargetInfo {
  kind: 'launched' | 'attached';
  description: string;
  pid?: number;
  inspectorUrl: string;
}

export interface ProfileRunParams {
  /** The load to run while sampling. The URL's host must be loopback or listed in allowHosts. */
  load: LoadOptions;
  allowHosts?: string[];
  /** µs; default 1000. */
  samplingIntervalUs?: number;
  /** Where the .cpuprofile and speedscope files go (absolute). */
  outDir: string;
  /** Base name of the files; default from the URL's path and the time. */
  name?: string;
  /** Wait this long for the URL to answer before loading (default 30 s). */
  waitTimeoutMs?: number;
  /**
   * Load the endpoint even when its check request does not answer 2xx (profile an error path on
   * purpose). Without it a non-2xx check fails the run with ENDPOINT_REJECTED before any load.
   */
  acceptErrors?: boolean;
  /** The workspace's routes, for "did you mean …?" when the check request answers 404 or 405. */
  knownRoutes?: KnownRoute[];
  /** Route handlers written in place: anonymous functions there are named after their route. */
  routeHandlers?: RouteHandlerSite[];
  /** Query capture (on by default): `capture: false` turns it off; the N+1 and leak thresholds otherwise. */
  queries?: { capture?: boolean; nPlusOneMinRepeats?: number; leakThresholdMs?: number };
  /** Vitals (on by default): `capture: false` turns them off; the block threshold and whether blocks are located by pausing otherwise. */
  vitals?: VitalsRunParams;
}

export interface VitalsRunParams {
  capture?: boolean;
  /** ms; default 100. */
  blockThresholdMs?: number;
  /** Locate blocks by pausing the thread through the inspector (default true; see the README). */
  nameBlocks?: boolean;
}

export interface ProfileRunResult {
  /** Every function and line (not only the top ones): the editor needs them for hovers. */
  report: ProfileReport;
  profilePath: string;
  speedscopePath: string;
  /** Set when the target died mid-run and this result covers only the part before. */
  partial?: string;
}

/** Every method: its params and its result. */
export interface Methods {
  hello: { params: { protocolVersion: number; token: string }; result: { protocolVersion: number; serverVersion: string; pid: number } };
  /** The user's Node processes, the workspace's services first (see orderProcesses). */
  listNodeProcesses: { params: { workspaceFolders?: string[] }; result: { processes: NodeProcessInfo[] } };
  launchTarget: { params: { command: string[]; cwd: string; env?: Record<string, string> }; result: TargetInfo };
  attachTarget: { params: { spec: string }; result: TargetInfo };
  /** Stops a launched target; detaches from an attached one (leaving it as it was). */
  releaseTarget: { params: Record<string, never>; result: Record<string, never> };
  getTarget: { params: Record<string, never>; result: { target?: TargetInfo } };
  profileEndpoint: { params: ProfileRunParams; result: ProfileRunResult };
  /** Stops the running load early; the profile taken so far is still returned by profileEndpoint. */
  cancelProfile: { params: Record<string, never>; result: Record<string, never> };
  /**
   * Runs a *.load.json load test (starting and stopping its service when the file names a command),
   * with loadTestProgress events. A file that does not validate fails with LOAD_TEST_CONFIG, its
   * problems (with line and column) in error.data. Thresholds breached are not an error: see
   * `report.passed` and `exitCode` (0, 99 breached, 105 cancelled), as `perflens load` has them.
   */
  runLoadTest: { params: { file: string; allowHosts?: string[]; profile?: boolean; outDir?: string }; result: { report: LoadTestReport; exitCode: number } };
  /** Stops a running load test; runLoadTest then returns what ran. */
  cancelLoadTest: { params: Record<string, never>; result: Record<string, never> };
  /**
   * Explains a statement of the last profile (`text`: a QueryStat's normalised text) through the
   * service's own pool, with the parameters of its slowest execution (kept in the service's memory
   * only). `analyze` runs EXPLAIN ANALYZE inside a transaction that is rolled back, for a SELECT
   * only. Fails with NOT_EXPLAINABLE (why, in the message), NO_TARGET, or QUERY_UNKNOWN.
   */
  explainQuery: { params: { text: string; analyze?: boolean }; result: ExplainResult };
  /**
   * Starts watching the current target's vitals (or joins the watch already running): `vitals`
   * events once a second, `vitalsBlock` for each block, `vitalsStall` while the loop does not turn.
   * `history` is what was kept so far (the last five minutes), for a panel opened late.
   * Fails with NO_TARGET, TARGET_LOST or AGENT_FAILED.
   */
  watchVitals: { params: Omit<VitalsRunParams, 'capture'> & { routeHandlers?: RouteHandlerSite[] }; result: { status: VitalsStatus; history: VitalsSample[]; blocks: LiveBlock[] } };
  /** Stops the watch (a run in progress keeps its own). */
  unwatchVitals: { params: Record<string, never>; result: Record<string, never> };
  /** Analyses a .cpuprofile file made anywhere. */
  analyzeProfileFile: { params: { file: string }; result: { report: ProfileReport } };
  /**
   * Takes a heap snapshot of the current target, streamed to `<outDir>/<name>.heapsnapshot` as V8
   * sends it (a `.partial` file until it is complete, removed when it fails), with heapProgress
   * events. The service pauses while V8 writes it. Fails with NO_TARGET, BUSY, CANCELLED
   * (cancelHeap), TARGET_LOST (the partial file removed) or SNAPSHOT_FAILED (a full disk: the message says).
   */
  takeHeapSnapshot: { params: { outDir: string; name?: string }; result: HeapSnapshotTaken };
  /** Stops a running takeHeapSnapshot, summarizeHeapSnapshot, diffHeapSnapshots or findLeak. */
  cancelHeap: { params: Record<string, never>; result: Record<string, never> };
  /**
   * Summarises any .heapsnapshot file (by constructor, largest objects, duplicated strings), with
   * heapProgress events. Fails with INVALID_SNAPSHOT (what is wrong and where) or SNAPSHOT_TOO_LARGE
   * (said from the header's counts before parsing).
   */
  summarizeHeapSnapshot: { params: { file: string; top?: number }; result: { summary: HeapSummary } };
  /** Leak suspects of two or three snapshot files (memlab's method). Errors as summarizeHeapSnapshot. */
  diffHeapSnapshots: { params: { files: string[]; top?: number }; result: { diff: HeapDiff } };
  /**
   * Find Leak in Endpoint: snapshot, load, snapshot, the same load, snapshot, with a sampling heap
   * profile of the first load; the suspects with their retainer paths and allocating lines. The
   * load's host must be loopback or in allowHosts. Errors as profileEndpoint and summarizeHeapSnapshot.
   */
  findLeak: { params: FindLeakParams; result: { report: HeapLeakReport } };
}

export interface HeapSnapshotTaken {
  file: string;
  bytes: number;
  durationMs: number;
  /** The target's JS heap (used) just before, bytes. */
  heapUsedBefore?: number;
}

export interface FindLeakParams {
  load: LoadOptions;
  allowHosts?: string[];
  /** Where the snapshots and the heap profile go (absolute). */
  outDir: string;
  /** Base name of the files; default from the URL's path and the time. */
  name?: string;
  waitTimeoutMs?: number;
  acceptErrors?: boolean;
  knownRoutes?: KnownRoute[];
  routeHandlers?: RouteHandlerSite[];
  /** Bytes per request: the report's `gate` says whether growth went past it. */
  failOnGrowthBytes?: number;
}

export type MethodName = keyof Methods;
export type Params<M extends MethodName> = Methods[M]['params'];
export type Result<M extends MethodName> = Methods[M]['result'];

/** Stable error codes the extension can act on. */
export type ErrorCode =
  | 'BAD_REQUEST' // malformed message, unknown method, invalid params
  | 'UNAUTHORIZED' // no hello yet, or a wrong token
  | 'PROTOCOL_MISMATCH'
  | 'HOST_NOT_ALLOWED'
  | 'NO_TARGET' // profileEndpoint before launchTarget/attachTarget
  | 'TARGET_START_FAILED'
  | 'ATTACH_FAILED'
  | 'URL_UNREACHABLE'
  | 'ENDPOINT_REJECTED' // the check request before the load did not answer 2xx; data: EndpointRejection (status, suggestions, answer, fix)
  | 'TARGET_LOST' // the target died mid-run
  | 'BUSY' // a profile is already running (or a target is being launched, attached or released)
  | 'CANCELLED' // cancelProfile came before the load started: nothing was profiled
  | 'INVALID_PROFILE'
  | 'LOAD_TEST_CONFIG' // the load-test file or its thresholds are invalid; data: { problems: {path, message, line?, column?}[] }
  | 'NOT_EXPLAINABLE' // explainQuery on a statement EXPLAIN cannot take (DDL, several statements, ANALYZE on a write)
  | 'QUERY_UNKNOWN' // explainQuery on a statement the last profile did not capture (or the agent no longer holds)
  | 'AGENT_FAILED' // the agent could not be put into the service (the message says why)
  | 'INVALID_SNAPSHOT' // a .heapsnapshot file that is truncated or malformed (the message names what and where)
  | 'SNAPSHOT_TOO_LARGE' // a snapshot whose header's counts need more memory than is available
  | 'SNAPSHOT_FAILED' // a snapshot could not be written (a full disk, a file that cannot be created)
  | 'INTERNAL';

export interface RpcError {
  code: ErrorCode;
  message: string;
  data?: unknown;
}

export type Request = { [M in MethodName]: { id: number; method: M; params: Params<M> } }[MethodName];
/** `id` is null only on the error answering a message too malformed to have a usable id. */
export type Response = { id: number; result: unknown } | { id: number | null; error: RpcError };

/** Server-pushed events: a separate union, told apart from responses by having `event` and no `id`. */
export interface Events {
  loadProgress: LoadProgress;
  /** The phase of a running profileEndpoint. */
  profilePhase: { phase: 'waiting-for-url' | 'checking' | 'profiling' | 'analysing' | 'done'; detail?: string };
  targetOutput: { line: string };
  /** The target went away: it exited, its inspector closed (attached), or it was released (`released`). */
  targetExited: { code: number | null; signal: string | null; description: string; released?: boolean };
  loadFinished: LoadSummary;
  /** A running profile's queries so far (about once a second): count, each pool against its max, leaks. */
  queryProgress: LiveQueries;
  loadTestProgress: LoadTestProgress;
  /** Once a second while vitals are watched (watchVitals). */
  vitals: LiveVitals;
  /** A block, located and mapped, once the loop turns again. */
  vitalsBlock: LiveBlock;
  /** The loop has not turned for a while (every second of it), then once with `over`. */
  vitalsStall: LiveStall;
  /** A running heap operation: taking a snapshot (V8's progress, then bytes written), reading one, a leak hunt's steps. */
  heapProgress: HeapProgress;
}

export interface HeapProgress {
  operation: 'snapshot' | 'summary' | 'diff' | 'leak';
  /** What is happening now, for a progress notification: "taking snapshot 2 of 3", "reading nodes". */
  message: string;
  /** 0…1 when known. */
  fraction?: number;
}

export type EventName = keyof Events;
export type ServerEvent = { [E in EventName]: { event: E; data: Events[E] } }[EventName];

/**
 * Starting the server (`perflens serve`): the parent writes this as the first line on the server's
 * stdin (never on its command line or in its environment, which other users can read); the token
 * has at least MIN_TOKEN_LENGTH characters. Closing stdin stops the server.
 */
export interface ServeStdinLine {
  token: string;
}
export const MIN_TOKEN_LENGTH = 16;

/** The one line the server prints on stdout once it listens on 127.0.0.1:port. Logs go to stderr. */
export interface ServeReadyLine {
  port: number;
  pid: number;
}
