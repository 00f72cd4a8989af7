// "GET /articles answered 404; did you mean /api/articles?": the known routes closest to a path that
// the service does not answer. Pure.
import { acceptsSegment, isParamSegment, pathSegments } from './routeTemplate';
import { editDistance } from '../text/editDistance';

export interface KnownRoute {
  method: string;
  /** A route template: '/api/customers/:customerId/orders'. */
  path: string;
}

export interface PathSuggestion {
  method: string;
  /** A concrete path, with the requested path's own values where the template has parameters. */
  path: string;
}


/**
 * Up to `limit` known routes that the request probably meant, best first: a route that ends with
 * the requested path (its prefix was missing), then routes within a few edits of it. Routes of the
 * same method come before others; ALL matches any method.
 */
export function suggestPaths(method: string, requested: string, known: readonly KnownRoute[], limit = 3): PathSuggestion[] {
  const want = pathSegments(requested);
  const scored: Array<PathSuggestion & { score: number }> = [];
  for (const route of known) {
    const template = pathSegments(route.path);
    const methodPenalty = route.method === method || route.method === 'ALL' ? 0 : 100;
    const suffix = prefixed(template, want);
    if (suffix !== undefined) {
      if (suffix !== normalize(requested)) scored.push({ method: route.method === 'ALL' ? method : route.method, path: suffix, score: methodPenalty + 1 });
      else if (methodPenalty) scored.push({ method: route.method, path: suffix, score: methodPenalty });
      continue;
    }
    const filled = fill(template, want);
    const distance = editDistance(filled, normalize(requested));
    if (distance <= Math.max(2, Math.floor(normalize(requested).length / 4))) scored.push({ method: route.method === 'ALL' ? method : route.method, path: filled, score: methodPenalty + 10 + distance });
  }
  scored.sort((a, b) => a.score - b.score || a.path.length - b.path.length || (a.path < b.path ? -1 : 1));
  // Another method only when nothing of the requested one comes close.
  const otherMethodFrom = scored.findIndex((s) => s.score >= 100);
  if (otherMethodFrom > 0) scored.length = otherMethodFrom;
  const seen = new Set<string>();
  const out: PathSuggestion[] = [];
  for (const { method: m, path } of scored) {
    const key = `${m} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: m, path });
    if (out.length === limit) break;
  }
  return out;
}

/** When the template's last segments accept the requested ones: the template's leading literal segments + the request. */
function prefixed(template: string[], want: string[]): string | undefined {
  if (template.length < want.length) return undefined;
  const offset = template.length - want.length;
  let literal = want.length === 0;
  for (let i = 0; i < want.length; i++) {
    if (!acceptsSegment(template[offset + i], want[i])) return undefined;
    literal ||= !isParamSegment(template[offset + i]);
  }
  if (!literal) return undefined; // '/helth' is no '/api/articles/:slug'
  const lead = template.slice(0, offset);
  if (lead.some(isParamSegment)) return undefined;
  return `/${[...lead, ...want].join('/')}`;
}

/** The template with its parameters filled from the requested segments at the same places. */
function fill(template: string[], want: string[]): string {
  return `/${template.map((t, i) => (isParamSegment(t) && want[i] !== undefined ? want[i] : t)).join('/')}`;
}

function normalize(path: string): string {
  return `/${pathSegments(path).join('/')}`;
}
