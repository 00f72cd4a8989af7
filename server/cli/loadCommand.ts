import { dirname, resolve } from 'node:path';
import { executeLoadTest, LoadTestServiceError, LoadTestSetupError } from '../loadtest/executeLoadTest';
import { formatLoadTestSummary, toJUnit } from '../loadtest/loadTestReport';
import type { LoadTestProgress } from '../loadtest/runLoadTest';
import { progressFailures } from '../load/describeFailures';
import { writeFileAtomically } from './writeFileAtomically';
import { CliError, UsageError } from './cliError';
import { parseCommandLine } from './commandLine';

/** Exit codes of `perflens load`, as k6 has them. */
export const LoadExitCode = {
  passed: 0,
  /** A threshold was breached (or an abortOnFail threshold stopped the run). */
  thresholdsBreached: 99,
  /** The load-test file or an option is invalid. */
  invalidConfig: 104,
  /** Stopped by a signal (Ctrl-C); the summary is still written. */
  interrupted: 105,
} as const;

export const loadHelp = `Usage:
  perflens load FILE.load.json [--summary-export FILE.json] [--junit FILE.xml] [--profile]

Runs the load test a *.load.json file describes (its JSON Schema is schemas/load-test.schema.json):
starts the service when the file names its command, runs the scenarios, and checks the thresholds.
\${PORT} in the file stands for a free port PerfLens picks. A service PerfLens starts also has its
PostgreSQL queries captured (the queries table, and the db_* thresholds: db_query_duration,
db_queries_per_request, db_pool_wait).

Options:
  --summary-export FILE   write the results as JSON
  --junit FILE            write JUnit XML, one test case per threshold
  --profile               sample the service's CPU during the run (needs target.command); the
                          .cpuprofile and speedscope files are written next to the summary
  --out DIR               where profiles go (default .perflens/profiles)
  --allow-host HOST       allow load to a non-loopback host besides the file's allowHosts
  --quiet                 no progress lines

Exit codes: 0 every threshold holds; 99 a threshold was breached; 104 invalid file or option;
105 stopped by a signal (the summary is still printed and written); 1 the service failed.
`;

const options = {
  'summary-export': { type: 'string' },
  junit: { type: 'string' },
  profile: { type: 'boolean' },
  out: { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class ConfigError extends CliError {
  constructor(message: string) {
    super(message, LoadExitCode.invalidConfig);
  }
}

export async function loadCommand(argv: string[]): Promise<number> {
  const { values, positionals, rest } = usageAsConfig(() => parseCommandLine(argv, options, 'load'));
  if (values.help) {
    process.stdout.write(loadHelp);
    return 0;
  }
  if (positionals.length !== 1 || rest.length) throw new ConfigError('load: give exactly one load-test file, e.g. `perflens load perf/checkout.load.json`');
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) return;
    log('perflens: stopping; the summary covers what ran so far');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { report, exitCode } = await executeLoadTest({
      path: positionals[0],
      allowHosts: values['allow-host'],
      profile: values.profile,
      outDir: values.out ?? (values['summary-export'] ? dirname(resolve(values['summary-export'])) : undefined),
      signal: stop.signal,
      onProgress: values.quiet ? undefined : (p) => log(formatProgress(p)),
      onTargetOutput: values.quiet ? undefined : (line) => log(`[target] ${line}`),
      log,
    }).catch((err: unknown) => {
      if (err instanceof LoadTestSetupError) throw new ConfigError(err.kind === 'profile-needs-command' ? 'load: --profile needs target.command in the file, so PerfLens starts the service with its inspector' : `load: ${err.message}`);
      if (err instanceof LoadTestServiceError) throw stop.signal.aborted || err.code === 'CANCELLED' ? new CliError('stopped before the load started', LoadExitCode.interrupted) : new CliError(err.message);
      throw err;
    });
    process.stdout.write(`${formatLoadTestSummary(report, { cwd: process.cwd() })}\n`);
    if (values['summary-export']) await writeFileAtomically(values['summary-export'], `${JSON.stringify(report, null, 2)}\n`);
    if (values.junit) await writeFileAtomically(values.junit, toJUnit(report));
    if (report.profile) process.stdout.write(`CPU profile: ${report.profile.cpuprofile}\n`);
    return exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function usageAsConfig<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UsageError) throw new ConfigError(err.message);
    throw err;
  }
}

function formatProgress(p: LoadTestProgress): string {
  return `perflens: ${(p.elapsedMs / 1000).toFixed(0).padStart(3)}/${(p.totalMs / 1000).toFixed(0)} s  ${p.scenario.padEnd(12)} ${p.rps.toFixed(0).padStart(6)} req/s  p99 ${p.p99.toFixed(1)} ms  ${progressFailures(p)}`;
}
