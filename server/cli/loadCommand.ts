import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, dirname, resolve } from 'node:path';
import { checkLoadTarget } from '../load/hostPolicy';
import { LoadTestConfigError, parseLoadTestFile, PORT_PLACEHOLDER, withPort, type LoadTestFile } from '../loadtest/loadTestFile';
import { buildLoadTestReport, formatLoadTestSummary, toJUnit, type LoadTestReport } from '../loadtest/loadTestReport';
import { runLoadTest, type LoadTestProgress, type LoadTestRun } from '../loadtest/runLoadTest';
import { defaultSamplingIntervalUs } from '../profiling/samplingInterval';
import { profileWhile } from '../profiling/profileUnderLoad';
import { analyseProfile, runBaseName, writeCpuProfile, writeSpeedscope } from '../session/profileFiles';
import { TargetSession } from '../session/targetSession';
import { splitCommandLine } from '../target/splitCommandLine';
import { compileThresholds, ThresholdConfigError, type CompiledThreshold } from '../thresholds/thresholdSet';
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
\${PORT} in the file stands for a free port PerfLens picks.

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
  const path = resolve(positionals[0]);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const text = await readFile(path, 'utf8').catch(() => {
    throw new ConfigError(`load: ${positionals[0]} cannot be read (does it exist?)`);
  });
  const { file, thresholds } = parseConfig(text.includes(PORT_PLACEHOLDER) ? withPort(text, await freePort()) : text, positionals[0]);
  const baseUrl = file.target.baseUrl;
  try {
    checkLoadTarget(baseUrl, [...file.allowHosts, ...(values['allow-host'] ?? [])]);
  } catch (err) {
    throw new ConfigError(`load: target.baseUrl: ${(err as Error).message}`);
  }
  if (values.profile && !file.target.command) throw new ConfigError('load: --profile needs target.command in the file, so PerfLens starts the service with its inspector');

  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) return;
    log('perflens: stopping; the summary covers what ran so far');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let session: TargetSession | undefined;
  try {
    if (file.target.command) {
      const command = splitCommandLine(file.target.command);
      session = await TargetSession.launch(command, { cwd: resolve(dirname(path), file.target.cwd), env: file.target.env, onOutput: values.quiet ? undefined : (line) => log(`[target] ${line}`) });
      log(`perflens: started \`${file.target.command}\` (PID ${session.pid}); waiting for ${baseUrl}`);
      await session.waitForUrl(baseUrl, { timeoutMs: file.target.waitTimeoutMs, signal: stop.signal }).catch((err: Error) => {
        throw stop.signal.aborted ? new CliError('stopped before the load started', LoadExitCode.interrupted) : new CliError(err.message);
      });
    }
    const drive = (signal: AbortSignal) => runLoadTest({ file, baseUrl, thresholds, signal, onProgress: values.quiet ? undefined : (p) => log(formatProgress(p)) });
    let run: LoadTestRun;
    let profileFiles: LoadTestReport['profile'];
    if (values.profile && session) {
      const connection = await session.connect();
      const durationMs = file.scenarios.reduce((a, s) => a + s.durationMs, 0);
      const profiled = await profileWhile({ connection, samplingIntervalUs: defaultSamplingIntervalUs(durationMs), signal: stop.signal }, drive, (r) => r.durationMs);
      run = profiled.value;
      const outDir = values.out ?? (values['summary-export'] ? dirname(resolve(values['summary-export'])) : '.perflens/profiles');
      const name = runBaseName(basename(path).replace(/\.load\.json$|\.json$/, ''));
      const analysis = analyseProfile(profiled.profile, { target: file.target.command!, cwd: process.cwd(), top: 10 });
      profileFiles = { cpuprofile: await writeCpuProfile(profiled.profile, outDir, name), speedscope: await writeSpeedscope(analysis, outDir, name) };
    } else {
      run = await drive(stop.signal);
    }
    const report = buildLoadTestReport(run, { file: positionals[0], baseUrl });
    if (profileFiles) report.profile = profileFiles;
    process.stdout.write(`${formatLoadTestSummary(report)}\n`);
    if (values['summary-export']) await writeFileAtomically(values['summary-export'], `${JSON.stringify(report, null, 2)}\n`);
    if (values.junit) await writeFileAtomically(values.junit, toJUnit(report));
    if (profileFiles) process.stdout.write(`CPU profile: ${profileFiles.cpuprofile}\n`);
    if (run.stopped?.by === 'signal') return LoadExitCode.interrupted;
    return report.passed ? LoadExitCode.passed : LoadExitCode.thresholdsBreached;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session?.release();
  }
}

/** The file and its thresholds, or a ConfigError listing every problem with its place. */
function parseConfig(text: string, name: string): { file: LoadTestFile; thresholds: CompiledThreshold[] } {
  let file: LoadTestFile;
  try {
    file = parseLoadTestFile(text, name);
  } catch (err) {
    if (err instanceof LoadTestConfigError) throw new ConfigError(`load: ${err.message}`);
    throw err;
  }
  try {
    return { file, thresholds: compileThresholds(file.thresholds) };
  } catch (err) {
    if (err instanceof ThresholdConfigError) throw new ConfigError(`load: ${name}: ${err.message}`);
    throw err;
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
  return `perflens: ${(p.elapsedMs / 1000).toFixed(0).padStart(3)}/${(p.totalMs / 1000).toFixed(0)} s  ${p.scenario.padEnd(12)} ${p.rps.toFixed(0).padStart(6)} req/s  p99 ${p.p99.toFixed(1)} ms  errors ${p.errors}`;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}
