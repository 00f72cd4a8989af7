import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseCpuProfile, ProfileFormatError } from '../analysis/parseCpuProfile';
import { CliError, ExitCode, UsageError } from './cliError';
import { parseCommandLine, positiveInt } from './commandLine';
import { analyseProfile, displayPath, writeJsonReport } from '../session/profileFiles';

export const summarizeHelp = `Usage:
  perflens summarize FILE.cpuprofile [--json FILE] [--top N]

Prints the top functions and lines by self time of any .cpuprofile (Chrome DevTools, node --cpu-prof,
VS Code's js-debug, perflens profile), resolving source maps found next to the scripts.

Options:
  --json FILE   also write the report as JSON
  --top N       rows per table (default 15)
`;

const options = {
  json: { type: 'string' },
  top: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The longest string V8 can hold; a profile file larger than this cannot be parsed as one string. */
const MAX_STRING_BYTES = 512 * 1024 * 1024;

export async function summarizeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, options, 'summarize');
  if (values.help) {
    process.stdout.write(summarizeHelp);
    return ExitCode.ok;
  }
  if (positionals.length !== 1) throw new UsageError('summarize: give exactly one .cpuprofile file, e.g. `perflens summarize app.cpuprofile`');
  const file = resolve(positionals[0]);
  const info = await stat(file).catch(() => {
    throw new CliError(`summarize: ${positionals[0]} does not exist`);
  });
  if (!info.isFile()) throw new CliError(`summarize: ${positionals[0]} is not a file`);
  if (info.size > MAX_STRING_BYTES) throw new CliError(`summarize: ${positionals[0]} is ${(info.size / 2 ** 20).toFixed(0)} MB, more than the ${MAX_STRING_BYTES / 2 ** 20} MB a single profile can be read as; profile a shorter run or a coarser --sampling-interval`);
  const text = await readFile(file, 'utf8');
  let profile;
  try {
    profile = parseCpuProfile(text);
  } catch (err) {
    if (err instanceof ProfileFormatError) throw new CliError(`summarize: ${positionals[0]} is not a usable CPU profile: ${err.message}`);
    throw err;
  }
  const cwd = process.cwd();
  const analysis = analyseProfile(profile, { target: basename(file), cwd, top: positiveInt(values.top, '--top', 15) });
  process.stdout.write(`${analysis.tables}\n`);
  if (values.json) process.stdout.write(`Wrote ${displayPath(await writeJsonReport(analysis.report, values.json), cwd)}\n`);
  return ExitCode.ok;
}
