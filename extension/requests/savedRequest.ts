// The request PerfLens sends to a route, as the user set it: path parameter values, query string,
// headers and body, remembered per route in the workspace. Pure (the store is handed a Memento-like
// object), so the URL building is tested alone.
import { fillPathParams, pathParams } from '../../server/routes/samplePath';

export interface SavedRequest {
  method: string;
  /** The route template it belongs to: '/customers/:customerId/orders'. */
  route: string;
  /** Values of the path parameters, each non-empty. */
  params: Record<string, string>;
  /** Query string without '?': 'q=gift&limit=5' ('' for none). */
  query: string;
  headers: Record<string, string>;
  body?: string;
  /** A path typed by the user that replaces the route's (after "did you mean …?"). */
  pathOverride?: string;
}

export interface Memento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

const KEY = 'perflens.requests';

export const requestKey = (method: string, route: string) => `${method} ${route}`;

/** Every remembered request of a workspace, keyed by 'METHOD /route'. */
export class RequestStore {
  constructor(private readonly state: Memento) {}

  all(): SavedRequest[] {
    return Object.values(this.state.get<Record<string, SavedRequest>>(KEY) ?? {}).sort((a, b) => requestKey(a.method, a.route).localeCompare(requestKey(b.method, b.route)));
  }

  /** The remembered request of a route, or a fresh one (taking path values remembered by earlier versions). */
  get(method: string, route: string): SavedRequest {
    const saved = this.state.get<Record<string, SavedRequest>>(KEY)?.[requestKey(method, route)];
    if (saved) return { ...saved, params: { ...saved.params }, headers: { ...saved.headers } };
    const legacy = this.state.get<Record<string, string>>(`params:${method} ${route}`) ?? {};
    const params = Object.fromEntries(Object.entries(legacy).filter(([, v]) => v !== ''));
    return { method, route, params, query: '', headers: {} };
  }

  async save(request: SavedRequest): Promise<void> {
    const all = { ...this.state.get<Record<string, SavedRequest>>(KEY) };
    all[requestKey(request.method, request.route)] = request;
    await this.state.update(KEY, all);
  }

  async forget(method: string, route: string): Promise<void> {
    const all = { ...this.state.get<Record<string, SavedRequest>>(KEY) };
    delete all[requestKey(method, route)];
    await this.state.update(KEY, all);
    await this.state.update(`params:${method} ${route}`, undefined);
  }
}

/** Path parameters of the route that still have no (non-empty) value. */
export function missingParams(request: SavedRequest): string[] {
  if (request.pathOverride) return [];
  return pathParams(request.route).filter((name) => !request.params[name]);
}

/** Why a path parameter value cannot be used, or undefined when it can. */
export function checkParamValue(name: string, value: string): string | undefined {
  if (value.trim() === '') return `:${name} needs a value: an empty one makes a path the service does not answer (e.g. /customers//orders)`;
  if (/[?#]/.test(value)) return `a value for :${name} cannot hold "?" or "#": put query strings in the request's query string`;
  return undefined;
}

/** Why a query string cannot be used ('' is fine: none), or undefined. */
export function checkQuery(query: string): string | undefined {
  const text = query.replace(/^\?/, '');
  if (/\s/.test(text)) return 'a query string has no spaces: encode them as %20 or +';
  if (text.split('&').some((pair) => pair !== '' && pair.startsWith('='))) return 'each part of a query string needs a name: name=value';
  return undefined;
}

/** The path the request goes to: its route with its values filled in, and its query string. */
export function requestPath(request: SavedRequest): string {
  const path = request.pathOverride ?? fillPathParams(request.route, request.params);
  const query = request.query.replace(/^\?/, '');
  return query ? `${path}?${query}` : path;
}

/** The absolute URL on `baseUrl` (a path prefix of baseUrl is kept: http://h/api + /x → http://h/api/x). */
export function requestUrl(baseUrl: string, request: SavedRequest): string {
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  return new URL(`${prefix}${requestPath(request)}`, base.origin).href;
}

/** The method autocannon sends: the route's, with ALL as GET. */
export function wireMethod(request: SavedRequest): string {
  return request.method === 'ALL' ? 'GET' : request.method;
}
