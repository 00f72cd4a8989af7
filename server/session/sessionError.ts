import type { ErrorCode } from '../protocol/protocol';

/**
 * A profiling session failed in a way the user should read as it stands. `code` is the protocol's
 * stable error code; the CLI prints the message, the RPC server answers with both.
 */
export class SessionError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra data for the caller, e.g. the partial result of a run whose target died. */
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}
