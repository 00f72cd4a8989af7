import { progressFailures } from '../load/describeFailures';
import type { WorkspaceRoute } from '../routes/fullPaths';
import { handlerSites, knownRoutesOf } from '../routes/handlerSites';
import { findWorkspaceRoutes } from '../routes/workspaceRoutes';
import { fsSourceHost } from '../workspace/fsSourceHost';
import type { LoadProgress } from '../load/loadTypes';
import { parseDuration } from '../load/parseDuration';
import { describeLoad, loadFlagOptions, loadFromFlags, usage } from './loadFlags';
import { runBaseName, writeJsonReport } from '../session/profileFiles';
import { captureProfile, writeProfileRun } from '../session/runProfile';
import { SessionError } from '../session/sessionError';
import { TargetSession } from '../session/targetSession';
import { defaultSamplingIntervalUs } from '../profiling/samplingInterval';
import { CliError, ExitCode, UsageError } from './cliError';
import { parseCommandLine, positiveInt } from './commandLine';
import { displayPath } from '../session/profileFiles';
import { explainCapturedQuery } from '../session/explainQuery';
import { formatLiveQueries } from '../queries/liveQueries';
import { vitalsFlags } from './vitalsFlags';

export const profileHelp = `Usage:
  perflens profile --url URL [options] -- <command to start the service>
  perflens profile --url URL --attach <PID|port:N|ws://...> [options]

Starts the service with its inspector on 127.0.0.1 (or attaches to a running one), waits until URL
answers, checks with one request that it answers 2xx (else stops with exit code 1, naming the
status), puts load on it with autocannon while the V8 CPU profiler samples, then prints a headline
(your costliest function, or that the endpoint is not CPU-bound, or that most requests failed) and
the top functions and lines by self time, located in your TypeScript through source maps.

Options:
  --url URL                 the endpoint to load (required); only loopback unless --allow-host
  --attach SPEC             a running Node process: PID (opens its inspector with SIGUSR1),
                            port:N (an open inspector port) or a ws:// inspector URL
  --duration D              how long the load runs: 10s, 1m30s, 500ms (default 10s)
  --connections N           concurrent connections (default 10)
  --rate N                  arrival rate, requests/s over all connections (default: as fast as it answers)
  --method M                HTTP method (default GET)
  --header 'Name: value'    a request header; repeat for more
  --body TEXT               request body
  --timeout D               per-request timeout (default 10s)
  --sampling-interval US    CPU sampling interval in µs (default 1000; longer
                            runs than 20 s: about 20,000 samples in all)
  --out DIR                 where the .cpuprofile and speedscope files go (default .perflens/profiles)
  --name NAME               base name of the files (default: from the URL's path)
  --json FILE               also write the report as JSON
  --top N                   rows per table (default 15)
  --wait-timeout D          how long to wait for URL to answer (default 30s)
  --allow-host HOST         allow load to a non-loopback host; repeat for more
  --accept-errors           load the endpoint even when its check request does not answer
                            2xx (profile an error path on purpose); without it such a run
                            stops before the load with exit code 1, naming the status
  --quiet                   don't echo the target's output or progress

PostgreSQL (every query the service sends through pg is captured while the load runs, and
reported per statement at the line of your code that sent it):
  --no-queries              don't capture queries
  --n-plus-one N            flag a statement sent N times or more in one request, after
                            another statement, as an N+1 (default 5)
  --leak-threshold D        report a client checked out with pool.connect() and not released
                            after D (default 5s, at least 2s; reported, never reclaimed)
  --explain                 run EXPLAIN (not ANALYZE) through the service's pool for every
                            SELECT whose p95 reaches --slow-query, and put the plans, the
                            problems and the suggested indexes in the report
  --slow-query D            what --explain counts as slow (default 20ms)

Vitals (event-loop delay and utilisation, GC, memory and CPU once a second, and every time the
event loop stalls, located at the function the thread was in; the report's \`vitals\` section):
  --no-vitals               don't watch vitals
  --block-threshold D       a stall at least this long is a block (default 100ms, at least 20ms)
  --no-pause                locate blocks from the CPU profile's samples only, never by pausing
                            the service's thread for a moment (a debugger attached to the
                            service would see those pauses)
`;

const options = {
  ...loadFlagOptions,
  attach: { type: 'string' },
  'sampling-interval': { type: 'string' },
  out: { type: 'string' },
  name: { type: 'string' },
  json: { type: 'string' },
  top: { type: 'string' },
  'wait-timeout': { type: 'string' },
  'accept-errors': { type: 'boolean' },
  quiet: { type: 'boolean' },
  'no-queries': { type: 'boolean' },
  'n-plus-one': { type: 'string' },
  'leak-threshold': { type: 'string' },
  explain: { type: 'boolean' },
  'slow-query': { type: 'string' },
  'no-vitals': { type: 'boolean' },
  'block-threshold': { type: 'string' },
  'no-pause': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function profileCommand(argv: string[]): Promise<number> {
  const { values, positionals, rest } = parseCommandLine(argv, options, 'profile');
  if (values.help) {
    process.stdout.write(profileHelp);
    return ExitCode.ok;
  }
  if (positionals.length) throw new UsageError(`profile: unexpected argument ${JSON.stringify(positionals[0])}; put the command that starts the service after \`--\``);
  if (!values.url) throw new UsageError('profile: --url is required (the endpoint to put load on), e.g. --url http://127.0.0.1:3000/report');
  if (values.attach && rest.length) throw new UsageError('profile: give either --attach or a command after `--`, not both');
  if (!values.attach && !rest.length) throw new UsageError('profile: say which service to profile: a command after `--` (e.g. `-- node dist/server.js`) or --attach <PID|port:N|ws URL>');

  const { load, url } = loadFromFlags({ ...values, url: values.url });
  const samplingIntervalUs = positiveInt(values['sampling-interval'], '--sampling-interval', defaultSamplingIntervalUs(load.durationMs));
  const waitTimeoutMs = usage(() => parseDuration(values['wait-timeout'] ?? '30s'), '--wait-timeout');
  const top = positiveInt(values.top, '--top', 15);
  const outDir = values.out ?? '.perflens/profiles';
  const quiet = values.quiet ?? false;
  const captureQueries = !(values['no-queries'] ?? false);
  if (!captureQueries && (values.explain || values['n-plus-one'] || values['leak-threshold'])) throw new UsageError('profile: --no-queries turns query capture off; --explain, --n-plus-one and --leak-threshold need it');
  const nPlusOneMin = positiveInt(values['n-plus-one'], '--n-plus-one', 5);
  if (nPlusOneMin < 2) throw new UsageError(`--n-plus-one: a statement repeated at least 2 times, not ${nPlusOneMin}`);
  const leakThresholdMs = usage(() => parseDuration(values['leak-threshold'] ?? '5s'), '--leak-threshold');
  if (leakThresholdMs < 2000) throw new UsageError(`--leak-threshold: at least 2s (HikariCP's floor: a shorter hold is normal work, not a leak), not ${values['leak-threshold']}`);
  const slowQueryMs = usage(() => parseDuration(values['slow-query'] ?? '20ms'), '--slow-query');
  if (values['no-vitals'] && (values['block-threshold'] || values['no-pause'])) throw new UsageError('profile: --no-vitals turns vitals off; --block-threshold and --no-pause need them');
  const vitals = values['no-vitals'] ? false : vitalsFlags(values['block-threshold'], values['no-pause'] ?? false);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const userStop = new AbortController();
  const onSignal = () => {
    if (userStop.signal.aborted) {
      session?.launched?.signalNow('SIGTERM');
      process.exit(ExitCode.interrupted);
    }
    log('perflens: stopping the load early; the profile taken so far is kept (press Ctrl-C again to abort)');
    userStop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // The routes under the current folder: anonymous handlers are named after them, and a 404 gets
  // "did you mean …?". Read once, and only when needed.
  let routes: WorkspaceRoute[] | undefined;
  const cwdRoutes = () => (routes ??= findWorkspaceRoutes(fsSourceHost(), process.cwd().split('\\').join('/')));

  let session: TargetSession | undefined;
  /** The queries so far, shown on each progress line. */
  let live = '';
  try {
    if (values.attach) {
      session = await TargetSession.attach(values.attach).catch(toCliError);
      log(`perflens: attached to ${session.description}`);
    } else {
      session = await TargetSession.launch(rest, { onOutput: quiet ? undefined : (line) => log(`[target] ${line}`) }).catch(toCliError);
      log(`perflens: started \`${session.description}\` (PID ${session.pid}); waiting for ${load.url}`);
    }
    const capture = await captureProfile(session, {
      load,
      samplingIntervalUs,
      waitTimeoutMs,
      signal: userStop.signal,
      acceptErrors: values['accept-errors'] ?? false,
      queries: captureQueries ? { leakThresholdMs } : false,
      vitals,
      // "did you mean …?" from the routes found under the current folder (read only on a 404 or 405).
      knownRoutes: () => knownRoutesOf(cwdRoutes()),
      onProgress: quiet ? undefined : (p) => log(formatProgress(p, live)),
      onQueries: (latest) => (live = formatLiveQueries(latest)),
      onPhase: (phase) => {
        if (phase === 'profiling') log(`perflens: profiling while ${describeLoad(load)}`);
      },
    }).catch(toCliError);
    const queries = capture.queries;
    const explainSlow =
      values.explain && queries && !capture.lost
        ? { minP95Ms: slowQueryMs, explain: async (text: string) => explainCapturedQuery(await session!.connect(), queries, text, false) }
        : undefined;

    const cwd = process.cwd();
    const run = await writeProfileRun(capture, {
      outDir,
      baseName: runBaseName(values.name ?? url.pathname),
      target: session.description,
      cwd,
      top,
      routeHandlers: () => handlerSites(cwdRoutes()),
      knownRoutes: () => knownRoutesOf(cwdRoutes()),
      nPlusOne: { minRepeats: nPlusOneMin },
      explainSlow,
    });
    await session.release();
    process.stdout.write(`${run.tables}\n`);
    const written = [run.profilePath, run.speedscopePath];
    if (values.json) written.push(await writeJsonReport(run.report, values.json));
    process.stdout.write(`Wrote ${written.map((p) => displayPath(p, cwd)).join(', ')}\n`);
    if (capture.lost) throw new CliError(capture.lost);
    return ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session?.release();
  }
}

/** A session's failure as the CLI reports it: its message as it stands. */
function toCliError(err: unknown): never {
  if (err instanceof SessionError) throw new CliError(err.message, err.code === 'CANCELLED' ? ExitCode.interrupted : ExitCode.failed);
  throw err;
}

function formatProgress(p: LoadProgress, queries: string): string {
  return `perflens: ${(p.elapsedMs / 1000).toFixed(0).padStart(3)} s  ${String(p.requests).padStart(7)} requests  ${p.rps.toFixed(0).padStart(6)} req/s  p99 ${p.p99.toFixed(1)} ms  ${progressFailures(p)}${queries ? `  ${queries}` : ''}`;
}
