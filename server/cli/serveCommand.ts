import type { ServeReadyLine } from '../protocol/protocol';
import { ProfilerService } from '../rpc/profilerService';
import { RpcServer } from '../rpc/rpcServer';
import { forgetServerEnv } from '../rpc/serverEnv';
import { readToken } from '../rpc/sessionToken';
import { CliError, ExitCode, UsageError } from './cliError';
import { parseCommandLine } from './commandLine';

export const serveHelp = `Usage:
  perflens serve

Runs the profiler server that the PerfLens VS Code extension talks to: JSON messages over one
WebSocket on 127.0.0.1, on a port the OS picks.

  stdin    the first line is the session token, as JSON: {"token": "<at least 16 random characters>"}.
           Never on the command line or in the environment, where other users can read it.
           Closing stdin stops the server.
  stdout   one line once it listens: {"port": N, "pid": P}
  stderr   the log

Every connection must say hello with the token first. Connections from browsers (with an Origin
header) and with a Host other than 127.0.0.1:PORT or localhost:PORT are refused. On exit (stdin
closed, SIGTERM, SIGINT) a launched service is stopped and an attached one is detached from.
`;

const options = {
  help: { type: 'boolean', short: 'h' },
} as const;

/** How long shutting down may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 10_000;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, options, 'serve');
  if (values.help) {
    process.stdout.write(serveHelp);
    return ExitCode.ok;
  }
  if (positionals.length) throw new UsageError(`serve: unexpected argument ${JSON.stringify(positionals[0])}; the token comes on stdin, see \`perflens serve --help\``);
  const log = (line: string) => process.stderr.write(`perflens: ${line}\n`);
  // What the extension set for this process only (serverEnv) is not passed on to the services it launches.
  forgetServerEnv(process.env);

  const token = await readToken(process.stdin).catch((err: Error) => {
    process.stdin.destroy(); // else the open pipe keeps the process alive
    throw new CliError(`serve: ${err.message}`, ExitCode.usage);
  });

  let stopping: Promise<void> | undefined;
  let finished!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finished = resolve));
  const shutdown = (why: string) => {
    stopping ??= (async () => {
      log(`shutting down: ${why}`);
      const deadline = setTimeout(() => {
        log(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting anyway`);
        process.exit(ExitCode.failed);
      }, SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      await service.dispose().catch((err: Error) => log(`releasing the target failed: ${err.message}`));
      await server?.close().catch((err: Error) => log(`closing the server failed: ${err.message}`));
      process.stdin.destroy();
      clearTimeout(deadline);
      finished(ExitCode.ok);
    })();
    return stopping;
  };
  // The parent (the extension) holds our stdin: when it goes away, so do we.
  process.stdin.once('end', () => void shutdown('stdin closed'));
  process.stdin.once('close', () => void shutdown('stdin closed'));
  if (process.stdin.readableEnded) void shutdown('stdin closed');
  const onSignal = (signal: NodeJS.Signals) => void shutdown(`received ${signal}`);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // A bug must not leave a launched service running with nobody to stop it: release, then exit.
  const onCrash = (err: unknown) => {
    log(`unexpected error: ${(err as Error)?.stack ?? String(err)}`);
    void shutdown('an unexpected error').then(() => process.exit(ExitCode.failed));
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  let server: RpcServer | undefined;
  const service = new ProfilerService({ log, emit: (event, data) => server?.emit(event, data) });
  try {
    server = await RpcServer.listen({ token, handlers: service.handlers, log });
  } catch (err) {
    throw new CliError(`serve: could not listen on 127.0.0.1: ${(err as Error).message}`);
  }
  if (stopping) {
    await server.close();
  } else {
    const ready: ServeReadyLine = { port: server.port, pid: process.pid };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
    log(`listening on 127.0.0.1:${server.port} (PID ${process.pid}, parent PID ${process.ppid})`);
  }
  const code = await done;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  // Whatever still holds the event loop (a dying target's pipes, a load worker) must not keep us.
  setTimeout(() => process.exit(code), 1000).unref();
  return code;
}
