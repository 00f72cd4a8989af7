// The flags that describe the load on one endpoint (--url, --duration, --connections, --rate,
// --method, --header, --body, --timeout, --allow-host), shared by `perflens profile` and
// `perflens heap leak`, and how they become LoadOptions.
import { checkLoadTarget } from '../load/hostPolicy';
import { MAX_TIMER_MS, SENDABLE_METHODS, type LoadOptions } from '../load/loadTypes';
import { parseDuration, parseHeader } from '../load/parseDuration';
import { UsageError } from './cliError';
import { positiveInt } from './commandLine';

/** For parseCommandLine: spread into a command's own options. */
export const loadFlagOptions = {
  url: { type: 'string' },
  duration: { type: 'string' },
  connections: { type: 'string' },
  rate: { type: 'string' },
  method: { type: 'string' },
  header: { type: 'string', multiple: true },
  body: { type: 'string' },
  timeout: { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
} as const;

export interface LoadFlagValues {
  url?: string;
  duration?: string;
  connections?: string;
  rate?: string;
  method?: string;
  header?: string[];
  body?: string;
  timeout?: string;
  'allow-host'?: string[];
}

/** The load the flags ask for (defaults: 10s, 10 connections, GET, 10s timeout); UsageErrors name the flag. */
export function loadFromFlags(values: LoadFlagValues & { url: string }): { load: LoadOptions; url: URL } {
  const url = usage(() => checkLoadTarget(values.url, values['allow-host'] ?? []), '--url');
  const method = (values.method ?? 'GET').toUpperCase();
  if (!SENDABLE_METHODS.includes(method)) throw new UsageError(`--method: must be one of ${SENDABLE_METHODS.join(', ')}, not ${JSON.stringify(values.method)}`);
  const load: LoadOptions = {
    url: url.href,
    method,
    headers: Object.fromEntries((values.header ?? []).map((h) => usage(() => parseHeader(h), '--header'))),
    body: values.body,
    connections: positiveInt(values.connections, '--connections', 10),
    rate: values.rate === undefined ? undefined : positiveInt(values.rate, '--rate', 0),
    durationMs: usage(() => timerLength(parseDuration(values.duration ?? '10s')), '--duration'),
    timeoutMs: usage(() => timerLength(parseDuration(values.timeout ?? '10s')), '--timeout'),
  };
  return { load, url };
}

/** Runs `fn`, turning its error into a UsageError that names `flag`. */
export function usage<T>(fn: () => T, flag: string): T {
  try {
    return fn();
  } catch (err) {
    const message = (err as Error).message;
    throw new UsageError(message.startsWith(flag) ? message : `${flag}: ${message}`);
  }
}

function timerLength(ms: number): number {
  if (ms > MAX_TIMER_MS) throw new Error(`at most ${MAX_TIMER_MS / 86_400_000 | 0} days (${MAX_TIMER_MS} ms), not ${ms} ms`);
  return ms;
}

/** "GET http://… runs for 10.0 s at 10 connections", for a progress line. */
export function describeLoad(load: LoadOptions): string {
  const shape = load.rate ? `${load.rate} req/s` : `${load.connections} connections`;
  return `${load.method} ${load.url} runs for ${(load.durationMs / 1000).toFixed(1)} s at ${shape}`;
}
