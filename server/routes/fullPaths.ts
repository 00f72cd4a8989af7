// A file's routes with their full paths: each route's receiver is looked up in the mount graph (every
// chain of mounts from a root gives one path), NestJS routes get the app's global prefix, version
// and RouterModule path. Pure.
import type ts from 'typescript';
import { detectRouteSites, type RouteInfo, type RouteSite } from './detectRoutes';
import type { FileContext } from './fileContext';
import { joinMount, joinRoute } from './joinPaths';
import type { MountGraph, PrefixChain } from './mountGraph';
import { nestPaths, type NestSettings } from './nestPrefixes';
import { pathParams } from './samplePath';
import type { ValueResolver } from './valueResolver';

export interface WorkspaceRoute extends RouteInfo {
  /** Absolute, '/'-separated path of the file declaring the route. */
  file: string;
  /** The full path: every prefix that applies, joined (e.g. '/api/users/:id'). */
  path: string;
  /** The path as its own file gives it (with prefixes known in that file: RouteInfo.path). */
  localPath: string;
  /** Some prefix on the way is computed or could not be followed: `path` holds only what is known. */
  prefixUnknown?: boolean;
}

/** Route sites per parse, when they depend on no other file: a keystroke in one file re-detects that file only. */
const sitesByParse = new WeakMap<ts.SourceFile, RouteSite[]>();

/** The file's route sites; paths that are constants from other files are evaluated through `values`. */
function routeSites(context: FileContext, values: ValueResolver): RouteSite[] {
  const known = sitesByParse.get(context.sourceFile);
  if (known) return known;
  let crossFile = false;
  const sites = detectRouteSites(context.sourceFile, context.resolver, (expr) => {
    const value = values.constString(expr);
    if (value !== undefined) crossFile = true;
    return value;
  });
  if (!crossFile) sitesByParse.set(context.sourceFile, sites);
  return sites;
}

/** What full paths are worked out from. */
export interface PathSources {
  values: ValueResolver;
  graph: MountGraph;
  nest: NestSettings;
}

/** A file's routes with the prefixes the mount graph (or Nest's settings) gives them. */
export function fullPathRoutes(context: FileContext | undefined, { values, graph, nest }: PathSources): WorkspaceRoute[] {
  if (!context) return [];
  const routes: WorkspaceRoute[] = [];
  const seen = new Set<string>();
  for (const site of routeSites(context, values)) {
    const { route } = site;
    let full: Array<{ path: string; prefixUnknown: boolean }>;
    if (route.framework === 'nestjs' && site.member) {
      full = nestPaths(site, nest, values);
    } else {
      const receiver = site.receiver as ts.Expression;
      const keys = values.instanceKeys(receiver);
      // A receiver of unknown origin (a destructured parameter, a global): where it is mounted is not known either.
      let chains: PrefixChain[] = keys.length ? keys.flatMap((k) => graph.prefixes(k)) : [{ prefix: '', unknown: true }];
      // A router mounted nowhere we can see is mounted somewhere we cannot: its prefix is not known.
      if (keys.length && !keys.some((k) => graph.isMounted(k)) && values.resolve(receiver).some((t) => t.kind === 'instance' && values.isRouterCreation(t.node))) {
        chains = chains.map((c) => ({ ...c, unknown: true }));
      }
      // Joined from the path as written, so '/' gets the same treatment under a prefix from this file or another.
      full = chains.map((c) => ({ path: joinRoute(joinMount(c.prefix, site.prefix ?? ''), site.written ?? route.path, route.framework), prefixUnknown: c.unknown }));
    }
    for (const { path, prefixUnknown } of full) {
      const id = `${route.line}:${route.character}:${route.method}:${path}`;
      if (seen.has(id)) continue;
      seen.add(id);
      routes.push({ ...route, file: context.file, path, localPath: route.path, params: pathParams(path), ...(prefixUnknown ? { prefixUnknown } : {}) });
    }
  }
  return routes;
}
