// `perflens heap snapshot | summary | diff | leak`: heap snapshots taken from a service, read from
// files, diffed, and the leak hunt on one endpoint that can gate a release (--fail-on-growth).
import { resolve } from 'node:path';
import { formatHeapDiff, formatHeapSummary } from '../heap/formatHeap';
import { snapshotWarning } from '../heap/captureSnapshot';
import type { HeapLeakReport } from '../heap/heapTypes';
import { handlerSites, knownRoutesOf } from '../routes/handlerSites';
import type { WorkspaceRoute } from '../routes/fullPaths';
import { findWorkspaceRoutes } from '../routes/workspaceRoutes';
import { fsSourceHost } from '../workspace/fsSourceHost';
import { parseDuration } from '../load/parseDuration';
import { diffSnapshotFiles, summarizeSnapshotFile, takeSnapshot } from '../session/heapJobs';
import { findLeak } from '../session/findLeak';
import { displayPath, runBaseName } from '../session/profileFiles';
import { SessionError } from '../session/sessionError';
import { TargetSession } from '../session/targetSession';
import { formatBytes } from '../text/formatBytes';
import { parseSize } from '../text/parseSize';
import { CliError, ExitCode, UsageError } from './cliError';
import { parseCommandLine, positiveInt } from './commandLine';
import { describeLoad, loadFlagOptions, loadFromFlags, usage } from './loadFlags';

/** Exit codes of `perflens heap leak` beyond the usual ones. */
export const HeapExitCode = {
  /** Retained growth per request went past --fail-on-growth (as a breached load-test threshold). */
  growthBreached: 99,
} as const;

export const heapHelp = `Usage:
  perflens heap snapshot (--attach SPEC | -- <command>) [--out DIR] [--name NAME] [--url URL]
  perflens heap summary FILE.heapsnapshot [--json] [--top N]
  perflens heap diff A.heapsnapshot B.heapsnapshot [C.heapsnapshot] [--json] [--top N]
  perflens heap leak --url URL (--attach SPEC | -- <command>) [options]

snapshot  takes a heap snapshot of a running service (or one it starts with its inspector on
          127.0.0.1: give --url to wait until it answers, else the snapshot shows it starting)
          and streams it to DIR/NAME.heapsnapshot (opens in Chrome DevTools); prints the file's
          path. The service pauses while V8 writes it and may need about twice its heap.
summary   by constructor (count, shallow and retained size), the largest objects with their
          retainer paths, duplicated strings. Reads snapshots larger than memory in bounded memory.
diff      leak suspects: objects new in B that are still alive in C (or in B with two files),
          grouped by constructor and retainer path. The files must be snapshots of one running
          process, oldest first (object ids mean nothing across processes).
leak      Find Leak in Endpoint: snapshot, load, snapshot, the same load, snapshot, with a sampling
          heap profile of the first load; prints the suspects, their growth per request and the
          lines that allocated them.

Options:
  --attach SPEC             a running Node process: PID (opens its inspector with SIGUSR1),
                            port:N (an open inspector port) or a ws:// inspector URL
  --out DIR                 where files go (default .perflens/heap)
  --name NAME               snapshot: the file is NAME.heapsnapshot (default heap-<time>);
                            leak: NAME-1…3.heapsnapshot, NAME.heapprofile (default from the URL)
  --json                    print the JSON (HeapSummary, HeapDiff, HeapLeakReport) instead of tables
  --top N                   rows per table (default 15)
  --quiet                   don't echo the target's output or progress

leak (and snapshot's --url, to wait until the service answers before taking it):
  --url URL                 the endpoint to load; only loopback unless --allow-host
  --duration D              how long each of the two loads runs (default 10s)
  --connections N           concurrent connections (default 10)
  --rate N                  arrival rate, requests/s over all connections
  --method M, --header 'Name: value', --body TEXT, --timeout D   as perflens profile has them
  --wait-timeout D          how long to wait for URL to answer (default 30s)
  --allow-host HOST         allow load to a non-loopback host; repeat for more
  --accept-errors           load the endpoint even when its check request does not answer 2xx
  --fail-on-growth SIZE     exit 99 when retained growth per request exceeds SIZE (512B, 1KB, 2MB)

Exit codes: 0 done (leak: growth within --fail-on-growth); 99 growth above --fail-on-growth;
1 failed (an invalid snapshot, the service went away, a full disk); 2 bad command line;
130 stopped by Ctrl-C (partial files removed).
`;

const options = {
  ...loadFlagOptions,
  attach: { type: 'string' },
  out: { type: 'string' },
  name: { type: 'string' },
  json: { type: 'boolean' },
  top: { type: 'string' },
  quiet: { type: 'boolean' },
  'wait-timeout': { type: 'string' },
  'accept-errors': { type: 'boolean' },
  'fail-on-growth': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseCommandLine<typeof options>>['values'];

const DEFAULT_OUT = '.perflens/heap';

export async function heapCommand(argv: string[]): Promise<number> {
  const [sub, ...args] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(heapHelp);
    return sub ? ExitCode.ok : ExitCode.usage;
  }
  const { values, positionals, rest } = parseCommandLine(args, options, 'heap');
  if (values.help) {
    process.stdout.write(heapHelp);
    return ExitCode.ok;
  }
  const only = (allowed: readonly string[]) => {
    for (const flag of Object.keys(values)) if (!allowed.includes(flag)) throw new UsageError(`heap ${sub}: --${flag} does not apply here. Run \`perflens heap --help\` for each command's options.`);
  };
  switch (sub) {
    case 'snapshot':
      only(['attach', 'out', 'name', 'quiet', 'url', 'wait-timeout']);
      if (positionals.length) throw new UsageError(`heap snapshot: unexpected argument ${JSON.stringify(positionals[0])}; put the command that starts the service after \`--\``);
      return snapshotCommand(values, rest);
    case 'summary':
      only(['json', 'top']);
      noCommand(sub, rest);
      if (positionals.length !== 1) throw new UsageError('heap summary: give exactly one .heapsnapshot file, e.g. `perflens heap summary app.heapsnapshot`');
      return summaryCommand(positionals[0], values);
    case 'diff':
      only(['json', 'top']);
      noCommand(sub, rest);
      if (positionals.length !== 2 && positionals.length !== 3) throw new UsageError(`heap diff: give two or three .heapsnapshot files (baseline, after the load[, after it again]), not ${positionals.length}`);
      return diffCommand(positionals, values);
    case 'leak':
      only(['attach', 'out', 'name', 'quiet', 'url', 'wait-timeout', 'json', 'top', 'duration', 'connections', 'rate', 'method', 'header', 'body', 'timeout', 'allow-host', 'accept-errors', 'fail-on-growth']);
      if (positionals.length) throw new UsageError(`heap leak: unexpected argument ${JSON.stringify(positionals[0])}; put the command that starts the service after \`--\``);
      return leakCommand(values, rest);
    default:
      throw new UsageError(`heap: unknown command ${JSON.stringify(sub)}: use snapshot, summary, diff or leak. Run \`perflens heap --help\`.`);
  }
}

function noCommand(sub: string, rest: string[]): void {
  if (rest.length) throw new UsageError(`heap ${sub} reads files and starts no service: drop \`-- ${rest.join(' ')}\``);
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function snapshotCommand(values: Values, rest: string[]): Promise<number> {
  const target = targetChoice('snapshot', values, rest);
  const name = values.name === undefined ? runBaseName('heap') : fileName(values.name);
  const waitFor = values.url === undefined ? undefined : usage(() => new URL(values.url!), '--url').href;
  const waitTimeoutMs = usage(() => parseDuration(values['wait-timeout'] ?? '30s'), '--wait-timeout');
  const quiet = values.quiet ?? false;
  return withSession(target, quiet, async (session, signal) => {
    if (waitFor) {
      log(`perflens: waiting for ${waitFor} to answer`);
      await session.waitForUrl(waitFor, { timeoutMs: waitTimeoutMs, signal });
    }
    const progress = progressPrinter(quiet);
    const taken = await takeSnapshot(session, {
      outDir: values.out ?? DEFAULT_OUT,
      name,
      signal,
      onBefore: (heapUsed) => log(`perflens: ${snapshotWarning(heapUsed)}`),
      onProgress: (p) => progress(p.message),
    });
    progress.done();
    log(`perflens: wrote ${formatBytes(taken.bytes)} in ${(taken.durationMs / 1000).toFixed(1)} s`);
    process.stdout.write(`${taken.file}\n`);
    return ExitCode.ok;
  });
}

async function summaryCommand(file: string, values: Values): Promise<number> {
  const top = positiveInt(values.top, '--top', 15);
  const progress = progressPrinter(false);
  const summary = await withInterrupt((signal) => summarizeSnapshotFile(resolve(file), { signal, top, shown: () => file, onProgress: (message) => progress(message) }));
  progress.done();
  process.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatHeapSummary(summary, { top, cwd: process.cwd() })}\n`);
  return ExitCode.ok;
}

async function diffCommand(files: string[], values: Values): Promise<number> {
  const top = positiveInt(values.top, '--top', 15);
  const progress = progressPrinter(false);
  const shown = new Map(files.map((f) => [resolve(f), f]));
  const diff = await withInterrupt((signal) => diffSnapshotFiles(files.map((f) => resolve(f)), { signal, top, shown: (f) => shown.get(f) ?? f, onProgress: (message) => progress(message) }));
  progress.done();
  process.stdout.write(values.json ? `${JSON.stringify(diff, null, 2)}\n` : `${formatHeapDiff(diff, { top, cwd: process.cwd() })}\n`);
  return ExitCode.ok;
}

async function leakCommand(values: Values, rest: string[]): Promise<number> {
  if (!values.url) throw new UsageError('heap leak: --url is required (the endpoint to put load on), e.g. --url http://127.0.0.1:3000/leak');
  const target = targetChoice('leak', values, rest);
  const { load, url } = loadFromFlags({ ...values, url: values.url });
  const waitTimeoutMs = usage(() => parseDuration(values['wait-timeout'] ?? '30s'), '--wait-timeout');
  const failOnGrowthBytes = values['fail-on-growth'] === undefined ? undefined : usage(() => parseSize(values['fail-on-growth']!), '--fail-on-growth');
  const top = positiveInt(values.top, '--top', 15);
  const json = values.json ?? false;
  const quiet = values.quiet ?? false;
  const cwd = process.cwd();
  let routes: WorkspaceRoute[] | undefined;
  const cwdRoutes = () => (routes ??= findWorkspaceRoutes(fsSourceHost(), cwd.split('\\').join('/')));
  return withSession(target, quiet, async (session, signal) => {
    log(`perflens: three heap snapshots with ${describeLoad(load)} between each (the service pauses for each snapshot and may need about twice its heap)`);
    const progress = progressPrinter(quiet);
    const report = await findLeak(session, {
      load,
      waitTimeoutMs,
      outDir: values.out ?? DEFAULT_OUT,
      baseName: values.name === undefined ? runBaseName(url.pathname) : fileName(values.name),
      target: session.description,
      cwd,
      signal,
      acceptErrors: values['accept-errors'] ?? false,
      knownRoutes: () => knownRoutesOf(cwdRoutes()),
      routeHandlers: () => handlerSites(cwdRoutes()),
      failOnGrowthBytes,
      top,
      onProgress: (p) => progress(p.message),
    });
    progress.done();
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatLeakReport(report, top, cwd)}\n`);
    if (report.gate?.breached) {
      log(`perflens: retained growth ${formatBytes(report.growthPerRequest)} per request is above --fail-on-growth ${formatBytes(report.gate.limitPerRequest)}`);
      return HeapExitCode.growthBreached;
    }
    return ExitCode.ok;
  });
}

function formatLeakReport(report: HeapLeakReport, top: number, cwd: string): string {
  const loads = report.loads.map((l, i) => `load ${i + 1}: ${l.requests.toLocaleString('en-US')} requests in ${(l.durationMs / 1000).toFixed(1)} s (${l.rps.toFixed(0)} req/s, p99 ${l.latency.p99.toFixed(1)} ms${l.errors.failed ? `, ${l.errors.failed} failed` : ''})`);
  const files = [...report.files.snapshots, report.files.heapProfile, report.files.speedscope].filter((f): f is string => !!f).map((f) => displayPath(f, cwd));
  const gate = report.gate ? [`--fail-on-growth ${formatBytes(report.gate.limitPerRequest)} per request: ${report.gate.breached ? 'BREACHED' : 'holds'} (${formatBytes(report.growthPerRequest)} per request)`] : [];
  return [report.headline, '', ...loads, ...gate, '', formatHeapDiff({ ...report, kind: 'heap-diff' }, { top, cwd }), '', `Wrote ${files.join(', ')}`].join('\n');
}

type TargetChoice = { attach: string } | { command: string[] };

function targetChoice(sub: string, values: Values, rest: string[]): TargetChoice {
  if (values.attach && rest.length) throw new UsageError(`heap ${sub}: give either --attach or a command after \`--\`, not both`);
  if (values.attach) return { attach: values.attach };
  if (rest.length) return { command: rest };
  throw new UsageError(`heap ${sub}: say which service: --attach <PID|port:N|ws URL> or a command after \`--\` (e.g. \`-- node dist/server.js\`)`);
}

/** A --name as a file's base name: no folders, no .heapsnapshot suffix. */
function fileName(name: string): string {
  const base = name.replace(/\.heapsnapshot$/, '');
  if (!base || /[\\/]/.test(base) || base === '.' || base === '..') throw new UsageError(`--name ${JSON.stringify(name)}: a file name without folders (use --out DIR for the folder)`);
  return base;
}

/**
 * Starts or attaches to the service, runs `work` and releases the service in every case. Ctrl-C
 * aborts the work's signal (partial files are removed); a second Ctrl-C stops at once.
 */
async function withSession(target: TargetChoice, quiet: boolean, work: (session: TargetSession, signal: AbortSignal) => Promise<number>): Promise<number> {
  let session: TargetSession | undefined;
  return withInterrupt(
    async (signal) => {
      if ('attach' in target) {
        session = await TargetSession.attach(target.attach);
        log(`perflens: attached to ${session.description}`);
      } else {
        session = await TargetSession.launch(target.command, { onOutput: quiet ? undefined : (line) => log(`[target] ${line}`) });
        log(`perflens: started \`${session.description}\` (PID ${session.pid})`);
      }
      try {
        return await work(session, signal);
      } finally {
        await session.release();
      }
    },
    () => session?.launched?.signalNow('SIGTERM'),
  );
}

/** Runs `work` with a signal Ctrl-C aborts; SessionErrors become CliErrors (CANCELLED exits 130). */
async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>, onSecond?: () => void): Promise<T> {
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) {
      onSecond?.();
      process.exit(ExitCode.interrupted);
    }
    log('perflens: stopping; partial files are removed (press Ctrl-C again to quit at once)');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(stop.signal);
  } catch (err) {
    if (err instanceof SessionError) throw new CliError(err.message, err.code === 'CANCELLED' ? ExitCode.interrupted : ExitCode.failed);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Progress on stderr: rewritten in place on a terminal; else each new step, and a step's updates at most every 2 s. */
function progressPrinter(quiet: boolean): ((message: string) => void) & { done(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  let lastStep = '';
  let shown = false;
  const print = (message: string) => {
    if (quiet) return;
    const now = Date.now();
    const step = message.split(':')[0];
    if (tty) {
      process.stderr.write(`\r\x1b[Kperflens: ${message}`);
      shown = true;
    } else if (step !== lastStep || now - last >= 2000) {
      last = now;
      lastStep = step;
      log(`perflens: ${message}`);
    }
  };
  return Object.assign(print, {
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  });
}
