/**
 * Where load may go. PerfLens puts heavy traffic on a URL; by default only on this machine's
 * loopback, so a typo or a pasted production URL cannot turn it into a denial of service.
 * Pure: decides from the text alone and never resolves names (`localhost.evil.com` is not loopback).
 */

/** The URL's host is neither loopback nor allowed explicitly. */
export class HostNotAllowedError extends Error {
  readonly code = 'HOST_NOT_ALLOWED';

  constructor(
    /** The refused host as it would be written for --allow-host (IPv6 in brackets). */
    readonly host: string,
  ) {
    super(`refusing to put load on ${host}: load goes only to loopback unless you allow the host: add --allow-host ${host}`);
    this.name = 'HostNotAllowedError';
  }
}

/**
 * Parses `url` and checks that load may be sent there: loopback (127.0.0.0/8, localhost, ::1)
 * always, any other host only when `allowHosts` lists it as `host` or `host:port`.
 * Returns the parsed URL; throws a plain Error for a malformed URL or entry, HostNotAllowedError otherwise.
 */
export function checkLoadTarget(url: string, allowHosts: string[]): URL {
  const target = parseHttpUrl(url);
  if (isLoopback(target.hostname)) return target;
  const port = effectivePort(target);
  const allowed = allowHosts.map(parseAllowEntry).some((entry) => entry.hostname === target.hostname && (entry.port === undefined || entry.port === port));
  if (!allowed) throw new HostNotAllowedError(target.hostname);
  return target;
}

/** True for the loopback forms, given a WHATWG-normalised hostname (lower case, IPv6 in brackets). */
export function isLoopback(hostname: string): boolean {
  if (hostname === 'localhost') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)) return true;
  // ::1, and IPv4-mapped 127.x.y.z, which the URL parser writes as ::ffff:7fxx:xxxx.
  return hostname === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(hostname);
}

function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error(`invalid URL ${JSON.stringify(text)}: give an absolute http:// or https:// URL, e.g. http://127.0.0.1:3000/`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const hint = text.includes('://') ? '' : ` (did you mean http://${text.trim()}?)`;
    throw new Error(`unsupported URL ${JSON.stringify(text)}: load is sent only over http:// or https://${hint}`);
  }
  if (!url.hostname) throw new Error(`invalid URL ${JSON.stringify(text)}: it names no host`);
  return url;
}

function effectivePort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

interface AllowEntry {
  hostname: string;
  port?: string;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address, normalised like URL hostnames. */
function parseAllowEntry(entry: string): AllowEntry {
  const text = entry.trim();
  const invalid = () => new Error(`invalid --allow-host ${JSON.stringify(entry)}: give a host or host:port, e.g. --allow-host staging.internal:8080`);
  let host = text;
  let port: string | undefined;
  const bracketed = /^(\[[^\]]+\])(?::(\d+))?$/.exec(text);
  if (bracketed) {
    [, host, port] = bracketed;
  } else if (text.split(':').length === 2) {
    [host, port] = text.split(':');
    if (!/^\d+$/.test(port)) throw invalid();
  } else if (text.includes(':')) {
    host = `[${text}]`; // bare IPv6
  }
  if (!host || /[/?#@\s]/.test(host)) throw invalid();
  let hostname: string;
  try {
    hostname = new URL(`http://${host}/`).hostname;
  } catch {
    throw invalid();
  }
  if (port !== undefined) {
    const n = Number(port);
    if (n < 1 || n > 65535) throw invalid();
    port = String(n);
  }
  return { hostname, port };
}
