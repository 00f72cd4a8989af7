import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cliError';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a sub-command's arguments. Everything after the first `--` is returned apart (a target
 * command line), untouched. Unknown flags and missing values become UsageErrors that name the flag.
 */
export function parseCommandLine<O extends Options>(argv: string[], options: O, command: string) {
  const dashDash = argv.indexOf('--');
  const own = dashDash === -1 ? argv : argv.slice(0, dashDash);
  const rest = dashDash === -1 ? [] : argv.slice(dashDash + 1);
  try {
    const parsed = parseArgs({ args: own, options, allowPositionals: true, strict: true });
    return { values: parsed.values, positionals: parsed.positionals, rest };
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${command}: ${message}. Run \`perflens ${command} --help\` for the options.`);
  }
}

/** A positive integer option, or a UsageError quoting what was given. */
export function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a whole number above 0`);
  return n;
}
