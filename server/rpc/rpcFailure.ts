import { HostNotAllowedError } from '../load/hostPolicy';
import type { ErrorCode, RpcError } from '../protocol/protocol';
import { SessionError } from '../session/sessionError';

/** A request failed with one of the protocol's error codes; the message is for the user. */
export class RpcFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcFailure';
  }
}

/** Any error as the protocol's `error` member. Errors nobody foresaw become INTERNAL. */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcFailure || err instanceof SessionError) return { code: err.code, message: err.message, ...(err.data !== undefined ? { data: err.data } : {}) };
  if (err instanceof HostNotAllowedError) return { code: 'HOST_NOT_ALLOWED', message: err.message };
  return { code: 'INTERNAL', message: `internal error: ${(err as Error)?.message ?? String(err)}` };
}
