import { handlerSites } from '../routes/handlerSites';
import { findWorkspaceRoutes } from '../routes/workspaceRoutes';
import type { WorkspaceRoute } from '../routes/fullPaths';
import { fsSourceHost } from '../workspace/fsSourceHost';
import { parseDuration } from '../load/parseDuration';
import { MAX_TIMER_MS } from '../load/loadTypes';
import { SessionError } from '../session/sessionError';
import { TargetSession } from '../session/targetSession';
import { VitalsWatch } from '../session/vitalsWatch';
import { buildVitalsSection } from '../vitals/buildVitalsSection';
import { formatLiveBlockLine, formatLiveStallLine, formatVitalsLine, formatVitalsTable } from '../vitals/formatVitals';
import { CliError, ExitCode, UsageError } from './cliError';
import { parseCommandLine } from './commandLine';
import { vitalsFlags } from './vitalsFlags';

export const watchHelp = `Usage:
  perflens watch --attach <PID|port:N|ws://...> [options]
  perflens watch [options] -- <command to start the service>

Watches a running service (or one it starts with its inspector on 127.0.0.1) with or without load:
one line a second with its event-loop delay (p50, p99, max, the histogram's resolution
subtracted), event-loop utilisation, CPU, GC pause time, heap, RSS and external memory; a line for
every block (a time the event loop did not turn), located at the function and line the thread was
in. Ends on Ctrl-C, after --duration, or when the service goes away, with a summary and a diagnosis.
Leaves an attached service as it was.

Options:
  --attach SPEC             a running Node process: PID (opens its inspector with SIGUSR1),
                            port:N (an open inspector port) or a ws:// inspector URL
  --duration D              stop after D (10s, 5m); default: until Ctrl-C
  --json                    JSON lines instead: {"type":"vitals"|"block"|"stall"|"summary", ...}
  --block-threshold D       a stall at least this long is a block (default 100ms, at least 20ms)
  --no-pause                don't locate blocks (that pauses the service's thread for about a
                            millisecond through the inspector; a debugger attached to the
                            service would see it)
  --quiet                   don't echo the target's output
`;

const options = {
  attach: { type: 'string' },
  duration: { type: 'string' },
  json: { type: 'boolean' },
  'block-threshold': { type: 'string' },
  'no-pause': { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function watchCommand(argv: string[]): Promise<number> {
  const { values, positionals, rest } = parseCommandLine(argv, options, 'watch');
  if (values.help) {
    process.stdout.write(watchHelp);
    return ExitCode.ok;
  }
  if (positionals.length) throw new UsageError(`watch: unexpected argument ${JSON.stringify(positionals[0])}; put the command that starts the service after \`--\``);
  if (values.attach && rest.length) throw new UsageError('watch: give either --attach or a command after `--`, not both');
  if (!values.attach && !rest.length) throw new UsageError('watch: say which service to watch: --attach <PID|port:N|ws URL> or a command after `--` (e.g. `-- node dist/server.js`)');
  let durationMs: number | undefined;
  if (values.duration !== undefined) {
    try {
      durationMs = parseDuration(values.duration);
    } catch (err) {
      throw new UsageError(`--duration: ${(err as Error).message}`);
    }
    if (durationMs <= 0 || durationMs > MAX_TIMER_MS) throw new UsageError(`--duration: between 1ms and ${MAX_TIMER_MS} ms, not ${values.duration}`);
  }
  const vitals = vitalsFlags(values['block-threshold'], values['no-pause'] ?? false);
  const json = values.json ?? false;
  const cwd = process.cwd();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const emit = (type: string, data: object) => out(JSON.stringify({ type, ...data }));

  let routes: WorkspaceRoute[] | undefined;
  const routeHandlers = () => handlerSites((routes ??= findWorkspaceRoutes(fsSourceHost(), cwd.split('\\').join('/'))));

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let session: TargetSession | undefined;
  let watch: VitalsWatch | undefined;
  let ended: string | undefined;
  try {
    if (values.attach) {
      session = await TargetSession.attach(values.attach).catch(toCliError);
      log(`perflens: attached to ${session.description}; watching (Ctrl-C to stop)`);
    } else {
      session = await TargetSession.launch(rest, { onOutput: values.quiet ? undefined : (line) => log(`[target] ${line}`) }).catch(toCliError);
      log(`perflens: started \`${session.description}\` (PID ${session.pid}); watching (Ctrl-C to stop)`);
    }
    const target = session;
    target.onEnded((end) => {
      if (!end.released) stop.abort();
    });
    const connection = await target.connect().catch(async (err: Error) => {
      // A service that dies at start (a missing script) closes its inspector first: say how it ended.
      await target.describeLoss();
      const why = target.ended && !target.ended.released ? `${target.ended.description} before PerfLens could reach its inspector` : err.message;
      throw new CliError(`could not watch ${target.description}: ${why}${target.formatTail()}`);
    });
    watch = await VitalsWatch.start(connection, { ...vitals, routeHandlers, cwd }, {
      vitals: (live) => (json ? emit('vitals', live) : out(formatVitalsLine(live.sample))),
      block: (block) => (json ? emit('block', block) : out(formatLiveBlockLine(block, { cwd }))),
      stall: (stall) => (json ? emit('stall', stall) : out(formatLiveStallLine(stall, { cwd }))),
      ended: (why) => {
        ended = why;
        stop.abort();
      },
    }).catch(async (err: Error) => {
      // The inspector opened, then the service died (a missing script exits a moment later): say how it ended.
      // A dying Node waits for its debugger to disconnect ("Cannot find context" on the agent's
      // evaluate, not a closed socket), so let go of the inspector before waiting for the exit.
      await connection.close().catch(() => undefined);
      await target.describeLoss();
      const why = target.ended && !target.ended.released ? `${target.ended.description} while PerfLens was putting its agent in` : `the agent could not be put into the service (${err.message})`;
      throw new CliError(`could not watch ${target.description}: ${why}${target.formatTail()}`);
    });
    const missing = watch.status.missing;
    if (missing.length && !json) log(`perflens: this Node (${watch.status.node}) cannot measure: ${missing.join('; ')}`);
    let timer: NodeJS.Timeout | undefined;
    if (durationMs !== undefined) timer = setTimeout(() => stop.abort(), durationMs);
    await new Promise<void>((resolve) => (stop.signal.aborted ? resolve() : stop.signal.addEventListener('abort', () => resolve(), { once: true })));
    clearTimeout(timer);
    // The inspector connection closes a moment before a dying service's exit is seen: prefer the exit.
    if (ended !== undefined || (target.ended && !target.ended.released)) {
      await target.describeLoss();
      ended = target.ended?.description ?? ended;
    }

    const capture = watch.capture();
    if (ended) capture.warnings.push(`the service went away: ${ended}`);
    const section = buildVitalsSection(capture, { ...watch.locateContext, cwd });
    if (json) emit('summary', { vitals: section });
    else out(`\n${formatVitalsTable(section, { cwd, top: 10 })}`);
    if (ended) throw new CliError(`the service went away while watched: ${ended}${target.formatTail()}`);
    return ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await watch?.stop();
    await session?.release();
  }
}

function toCliError(err: unknown): never {
  if (err instanceof SessionError) throw new CliError(err.message);
  throw err;
}
