// V8 names an arrow function `(anonymous)`; when it is a route handler, the route names it better:
// `GET /report` reads in a table, a hover and the flame graph. Pure.

/** A route handler written in place, where the profile will find it. */
export interface RouteHandlerSite {
  /** Absolute path of the source file (the original TypeScript when there is one). */
  file: string;
  /** 1-based line where the handler function starts. */
  line: number;
  method: string;
  path: string;
}

/** (file, 1-based line) → the route's name for an anonymous function there, if it is a handler. */
export type HandlerNamer = (file: string, line: number) => string | undefined;

export function routeHandlerNamer(sites: readonly RouteHandlerSite[]): HandlerNamer {
  const byPlace = new Map<string, Map<string, string[]>>();
  for (const site of sites) {
    const key = `${site.file}\u0000${site.line}`;
    const byPath = byPlace.get(key) ?? new Map<string, string[]>();
    const methods = byPath.get(site.path) ?? [];
    if (!methods.includes(site.method)) methods.push(site.method);
    byPath.set(site.path, methods);
    byPlace.set(key, byPath);
  }
  return (file, line) => {
    const byPath = byPlace.get(`${file}\u0000${line}`);
    if (!byPath) return undefined;
    return [...byPath].map(([path, methods]) => `${methods.join('|')} ${path}`).join(', ');
  };
}
