import type { Client } from 'autocannon';

/**
 * The parts of autocannon 9's http client (lib/httpClient.js) that the per-request timeout lives in.
 * Not in its typings: kept to this file, and checked before use.
 */
interface ClientInternals {
  timeout: number;
  paused?: boolean;
  timeoutTicker?: { reschedule(ms: number): void };
  _doRequest(...args: unknown[]): unknown;
}

/** Far enough out that a paused connection never times out; the next request sets it back. */
const PAUSED_TIMEOUT_MS = 3_600_000;

/**
 * Gives one autocannon client a millisecond timeout, for autocannon's `timeout` option takes whole
 * seconds (≥ 1). With a rate, a connection that has sent its share for the current second pauses
 * with no request in flight; autocannon's timer keeps running then and would report a timeout for
 * a request that was never sent once the timeout is shorter than the pause, so a paused connection's
 * timer is pushed out until its next request.
 * Call from autocannon's `setupClient` hook (run in the client's constructor, before its first request).
 */
export function applyRequestTimeout(client: Client, timeoutMs: number, rateLimited: boolean): void {
  const internals = client as unknown as ClientInternals;
  if (typeof internals.timeout !== 'number' || typeof internals._doRequest !== 'function') {
    throw new Error('this autocannon version has no per-client timeout to set (expected autocannon 9)');
  }
  internals.timeout = timeoutMs;
  if (!rateLimited) return;
  const doRequest = internals._doRequest;
  internals._doRequest = function (this: ClientInternals, ...args: unknown[]) {
    const result = doRequest.apply(this, args);
    if (this.paused) this.timeoutTicker?.reschedule(PAUSED_TIMEOUT_MS);
    return result;
  };
}
