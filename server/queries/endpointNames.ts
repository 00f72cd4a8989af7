// Which endpoint a request was for, named after the route that serves it when one matches
// (`GET /customers/:customerId/orders` for GET /customers/7/orders?x=1), else its method and path.
import { matchesTemplate, pathSegments } from '../routes/routeTemplate';
import type { KnownRoute } from '../routes/suggestPaths';
import type { CapturedRequest } from './captureTypes';

/** Names requests after the first route whose method and template match (`:id`, `{id}`, a trailing `*`). */
export function endpointNamer(routes: readonly KnownRoute[]): (request: CapturedRequest) => string {
  const templates = routes.map((r) => ({ name: `${r.method.toUpperCase()} ${r.path}`, method: r.method.toUpperCase(), segments: pathSegments(r.path) }));
  const cache = new Map<string, string>();
  return (request) => {
    const method = request.method.toUpperCase();
    const path = request.url.split(/[?#]/)[0] || '/';
    const key = `${method} ${path}`;
    let name = cache.get(key);
    if (name === undefined) {
      const segments = pathSegments(path);
      name = templates.find((t) => (t.method === method || t.method === 'ALL') && matchesTemplate(t.segments, segments))?.name ?? key;
      cache.set(key, name);
    }
    return name;
  };
}
