/** Exit codes of the `perflens` CLI. */
export const ExitCode = {
  ok: 0,
  /** The run failed: the target died, the URL never answered, a file could not be read. */
  failed: 1,
  /** The command line was wrong. */
  usage: 2,
  /** Stopped by a signal (Ctrl-C) before anything could be written. */
  interrupted: 130,
} as const;

/** An error whose message is for the user as it stands: printed without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = 'UsageError';
  }
}
