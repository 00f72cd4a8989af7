// Pure: which of a load test's requests a request the service received was, by its method and URL,
// so that what the query agent saw in the service carries the load-test request's `name` (the tag
// thresholds filter on, and the endpoint the queries section names).
import type { RequestSpec } from './loadTestFile';

/** The URL a request of the file is sent to: the base URL (its path kept) and the request's path. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * Names a received request (method, and path with query as the service saw it) after the file's
 * request sent to that method and URL; when none is, after the only one sent to that path with any
 * query string. undefined when none matches, or several could (the same path with other queries).
 */
export function loadRequestNamer(requests: ReadonlyArray<Pick<RequestSpec, 'name' | 'method' | 'path'>>, baseUrl: string): (request: { method: string; url: string }) => string | undefined {
  const exact = new Map<string, string>();
  const byPath = new Map<string, Set<string>>();
  for (const spec of requests) {
    const target = parse(joinUrl(baseUrl, spec.path));
    if (!target) continue;
    const method = spec.method.toUpperCase();
    const full = `${method} ${target.pathname}${target.search}`;
    if (!exact.has(full)) exact.set(full, spec.name);
    const path = `${method} ${target.pathname}`;
    if (!byPath.has(path)) byPath.set(path, new Set());
    byPath.get(path)!.add(spec.name);
  }
  const cache = new Map<string, string | undefined>();
  return (request) => {
    const method = request.method.toUpperCase();
    const key = `${method} ${request.url}`;
    if (cache.has(key)) return cache.get(key);
    const received = parse(request.url);
    let name: string | undefined;
    if (received) {
      name = exact.get(`${method} ${received.pathname}${received.search}`);
      if (name === undefined) {
        const candidates = byPath.get(`${method} ${received.pathname}`);
        if (candidates?.size === 1) name = [...candidates][0];
      }
    }
    cache.set(key, name);
    return name;
  };
}

/** Path and query in one spelling (percent-encoding as WHATWG URL writes it), for both sides. */
function parse(url: string): URL | undefined {
  try {
    return new URL(url, 'http://perflens.invalid');
  } catch {
    return undefined;
  }
}
