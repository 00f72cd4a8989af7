import { CliError, ExitCode } from './cliError';
import { heapCommand, heapHelp } from './heapCommand';
import { loadCommand, loadHelp } from './loadCommand';
import { profileCommand, profileHelp } from './profileCommand';
import { routesCommand, routesHelp } from './routesCommand';
import { serveCommand, serveHelp } from './serveCommand';
import { summarizeCommand, summarizeHelp } from './summarizeCommand';
import { watchCommand, watchHelp } from './watchCommand';

const usage = `PerfLens: find and fix performance problems in a Node.js service.

Usage: perflens <command> [options]

Commands:
  profile     put load on an endpoint while the CPU profiler samples the service; print hot functions and lines
  summarize   print the hot functions and lines of a .cpuprofile file
  watch       watch a service's event loop, GC, memory and CPU live, with every block located
  heap        take heap snapshots, summarise and diff them, and find a leak in an endpoint (exit 99 above --fail-on-growth)
  load        run a load test (*.load.json) and gate on its thresholds (exit 99 on a breach)
  routes      list the service's route handlers with their full paths (prefixes followed across files)
  serve       run the profiler server for the VS Code extension (WebSocket on 127.0.0.1; token on stdin)

Run \`perflens <command> --help\` for a command's options.
`;

const commands: Record<string, { run(argv: string[]): Promise<number>; help: string }> = {
  profile: { run: profileCommand, help: profileHelp },
  summarize: { run: summarizeCommand, help: summarizeHelp },
  watch: { run: watchCommand, help: watchHelp },
  heap: { run: heapCommand, help: heapHelp },
  load: { run: loadCommand, help: loadHelp },
  routes: { run: routesCommand, help: routesHelp },
  serve: { run: serveCommand, help: serveHelp },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return name ? ExitCode.ok : ExitCode.usage;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`perflens: unknown command ${JSON.stringify(name)}\n\n${usage}`);
    return ExitCode.usage;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`perflens: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      const e = err as Error;
      process.stderr.write(`perflens: unexpected error: ${e?.message ?? String(err)}\n${process.env.PERFLENS_DEBUG ? `${e?.stack}\n` : 'Set PERFLENS_DEBUG=1 to see where it happened.\n'}`);
      process.exitCode = ExitCode.failed;
    }
  },
);
