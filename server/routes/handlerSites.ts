import type { RouteHandlerSite } from '../analysis/routeHandlerNames';
import type { KnownRoute } from './suggestPaths';
import type { WorkspaceRoute } from './fullPaths';

/** The routes whose handler is written in place, as the profile analysis looks them up (1-based lines). */
export function handlerSites(routes: readonly WorkspaceRoute[]): RouteHandlerSite[] {
  return routes.flatMap((r) => (r.handlerLine === undefined ? [] : [{ file: r.file, line: r.handlerLine + 1, method: r.method, path: r.path }]));
}

/** Method and full path of each route, for "did you mean …?". */
export function knownRoutesOf(routes: readonly WorkspaceRoute[]): KnownRoute[] {
  return routes.map((r) => ({ method: r.method, path: r.path }));
}
