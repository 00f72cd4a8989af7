// Which endpoint a request was for, named after the route that serves it when one matches
// (`GET /customers/:customerId/orders` for GET /customers/7/orders?x=1), else its method and path.
import type { KnownRoute } from '../routes/suggestPaths';
import type { CapturedRequest } from './captureTypes';

const isParam = (segment: string) => segment.startsWith(':') || /^\{.+\}$/.test(segment);

/** Names requests after the first route whose method and template match (`:id`, `{id}`, a trailing `*`). */
export function endpointNamer(routes: readonly KnownRoute[]): (request: CapturedRequest) => string {
  const templates = routes.map((r) => ({ name: `${r.method.toUpperCase()} ${r.path}`, method: r.method.toUpperCase(), segments: split(r.path) }));
  const cache = new Map<string, string>();
  return (request) => {
    const method = request.method.toUpperCase();
    const path = request.url.split(/[?#]/)[0] || '/';
    const key = `${method} ${path}`;
    let name = cache.get(key);
    if (name === undefined) {
      const segments = split(path);
      name = templates.find((t) => (t.method === method || t.method === 'ALL') && matches(t.segments, segments))?.name ?? key;
      cache.set(key, name);
    }
    return name;
  };
}

function split(path: string): string[] {
  return path.split('/').filter(Boolean);
}

function matches(template: string[], path: string[]): boolean {
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    if (t === '*' || t.startsWith('*')) return i === template.length - 1;
    const p = path[i];
    if (p === undefined) return false;
    if (!isParam(t) && t !== safeDecode(p)) return false;
  }
  return template.length === path.length;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
