// What to tell the user when the endpoint's one check request did not answer 2xx: the status, the
// service's own words, and what to change (a path that exists, the query string or body it wants).
// Pure.
import { suggestPaths, type KnownRoute, type PathSuggestion } from './suggestPaths';

export interface RejectedAnswer {
  status: number;
  body: string;
  allow?: string;
  location?: string;
}

export interface EndpointRejection {
  status: number;
  /** The whole message for the user. */
  message: string;
  /** Routes the request probably meant (404, 405). */
  suggestions: PathSuggestion[];
  /** What the service answered, trimmed (JSON error messages extracted). */
  answer: string;
  /** What the user should change: the path, the method, the request (query, body, headers). */
  fix: 'path' | 'method' | 'request' | 'service';
}

/** A short, readable form of an error body: {"error": "..."} / {"message": "..."} → the text; HTML → ''. */
export function answerText(body: string): string {
  const text = body.trim();
  if (!text || /^<(!doctype|html)/i.test(text)) return '';
  try {
    const json = JSON.parse(text) as unknown;
    if (json && typeof json === 'object') {
      const o = json as Record<string, unknown>;
      for (const key of ['message', 'error', 'detail', 'title']) {
        const v = o[key];
        if (typeof v === 'string' && v) return v;
        if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join('; ');
      }
    }
  } catch {
    // Not JSON: the text as it is.
  }
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

export function describeRejection(method: string, url: string, answer: RejectedAnswer, known: readonly KnownRoute[] = []): EndpointRejection {
  const parsed = new URL(url);
  const request = `${method} ${parsed.pathname}${parsed.search}`;
  const said = answerText(answer.body);
  const quoted = said ? ` The service said: “${said}”.` : '';
  const { status } = answer;
  const base = { status, answer: said };
  if (status === 404 || status === 405) {
    const suggestions = suggestPaths(method, parsed.pathname, known);
    const allowed = status === 405 && answer.allow ? ` (it allows ${answer.allow})` : '';
    const mean = suggestions.length ? `; did you mean ${suggestions.map((s) => (s.method === method ? s.path : `${s.method} ${s.path}`)).join(' or ')}?` : status === 404 ? ': the service has no such route (check the path, and the prefix its app mounts the router under).' : '.';
    return { ...base, suggestions, fix: status === 405 && !suggestions.length ? 'method' : 'path', message: `${request} answered ${status}${allowed}${mean}${quoted}` };
  }
  if (status >= 300 && status < 400) {
    const to = answer.location ? ` to ${answer.location}` : '';
    return { ...base, suggestions: [], fix: 'path', message: `${request} answered ${status} (a redirect${to}): load would measure the redirect, not the endpoint. Profile the address it redirects to.${quoted}` };
  }
  if (status === 401 || status === 403) {
    return { ...base, suggestions: [], fix: 'request', message: `${request} answered ${status}: the endpoint wants credentials. Add the header it needs (Authorization, a cookie) to the request.${quoted}` };
  }
  if (status >= 400 && status < 500) {
    return { ...base, suggestions: [], fix: 'request', message: `${request} answered ${status}: the route wants a different request (a query string, a body, a header).${quoted}` };
  }
  return { ...base, suggestions: [], fix: 'service', message: `${request} answered ${status}: the endpoint fails, so load would measure its error path.${quoted}` };
}
