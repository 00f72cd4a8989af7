// Every route handler of a workspace folder with its full path: the prefixes other files apply
// (Express/Koa `use`, Fastify `register` and @fastify/autoload, Hono `route`, NestJS global prefix,
// versioning and RouterModule) resolved by following imports, requires and exports across files.
// Pure: reads only through the SourceHost. WorkspaceRouteIndex keeps the analysis between calls so
// an editor asking for one file's routes per keystroke does not re-read the workspace.
import type ts from 'typescript';
import { detectRouteSites, type RouteInfo, type RouteSite } from './detectRoutes';
import { FileContexts } from './fileContext';
import { joinRoute } from './joinPaths';
import { createModuleResolver } from './moduleResolver';
import { collectMounts, type MountEdge } from './mountEdges';
import { MountGraph, type PrefixChain } from './mountGraph';
import { collectNestSettings, NEST_HINT, nestPaths, type NestSettings } from './nestPrefixes';
import { pathParams } from './samplePath';
import { SourceCache } from './sourceCache';
import type { SourceHost } from './sourceHost';
import { ValueResolver } from './valueResolver';
import { listSourceFiles, trimSlash } from './workspaceFiles';

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

export interface WorkspaceRouteOptions {
  /** tsconfig.json for `paths`/`baseUrl` (default: FOLDER/tsconfig.json when there is one). */
  tsconfig?: string;
  /** At most this many files are read (default 4000). */
  maxFiles?: number;
}

/** Files that may declare routes (a cheap test before parsing). */
const ROUTE_HINT = /\.(?:get|post|put|patch|delete|del|head|options|all|route|on)\s*\(|@(?:Get|Post|Put|Patch|Delete|All|Head|Options)\b/;
/** Files that may mount a router, or create an app and hand it to a function. (Files that only export are read when followed.) */
const MOUNT_HINT = /\.(?:use|register|route|listen)\s*\(|\b(?:express|fastify|Fastify|Router)\s*\(|new\s+(?:Hono|Koa|Router)\b/;

/** Route sites per parse: a keystroke in one file re-detects that file only. */
const sitesByParse = new WeakMap<ts.SourceFile, RouteSite[]>();

function routeSites(sourceFile: ts.SourceFile, resolver: Parameters<typeof detectRouteSites>[1]): RouteSite[] {
  let sites = sitesByParse.get(sourceFile);
  if (!sites) {
    sites = detectRouteSites(sourceFile, resolver);
    sitesByParse.set(sourceFile, sites);
  }
  return sites;
}

/** All route handlers of a folder with their full paths (one-shot; see WorkspaceRouteIndex to keep the analysis). */
export function findWorkspaceRoutes(host: SourceHost, folder: string, options: WorkspaceRouteOptions = {}): WorkspaceRoute[] {
  return new WorkspaceRouteIndex(host, folder, options).all();
}

export class WorkspaceRouteIndex {
  readonly folder: string;
  private readonly cache: SourceCache;
  private readonly contexts: FileContexts;
  private files: string[] | undefined;
  private fileSet = new Set<string>();
  private readonly extraFiles = new Set<string>();
  private byFile: Map<string, WorkspaceRoute[]> | undefined;
  private cut = false;

  constructor(
    host: SourceHost,
    folder: string,
    private readonly options: WorkspaceRouteOptions = {},
  ) {
    this.folder = trimSlash(folder);
    this.cache = new SourceCache(host);
    this.contexts = new FileContexts(this.cache);
  }

  /** Every route of the workspace, by file then position. */
  all(): WorkspaceRoute[] {
    return [...this.analysis().values()].flat();
  }

  /** One file's routes with their full paths. `text`: the file's unsaved text, which wins over the host's. */
  routesOf(file: string, text?: string): WorkspaceRoute[] {
    if (text !== undefined) this.setText(file, text);
    if (!this.fileSet.has(file) && !this.extraFiles.has(file)) {
      this.extraFiles.add(file);
      this.byFile = undefined;
    }
    return this.analysis().get(file) ?? [];
  }

  /** Unsaved text for a file (undefined: read it from the host again). */
  setText(file: string, text: string | undefined): void {
    if (this.cache.setOverlay(file, text)) this.byFile = undefined;
  }

  /** A file changed, appeared or went away (no file: anything may have). The next call re-analyses, re-reading only what changed. */
  invalidate(file?: string): void {
    this.byFile = undefined;
    this.cache.invalidate(file);
    if (file === undefined || !this.fileSet.has(file) || this.cache.readFile(file) === undefined) this.files = undefined;
  }

  /** True when the folder had more files than the analysis reads. */
  get truncated(): boolean {
    this.analysis();
    return this.cut;
  }

  private analysis(): Map<string, WorkspaceRoute[]> {
    if (!this.byFile) {
      try {
        this.byFile = this.analyse();
      } catch {
        this.byFile = new Map();
      }
    }
    return this.byFile;
  }

  private analyse(): Map<string, WorkspaceRoute[]> {
    if (!this.files) {
      const list = listSourceFiles(this.cache, this.folder, { maxFiles: this.options.maxFiles });
      this.files = list.files;
      this.fileSet = new Set(list.files);
      this.cut = list.truncated;
    }
    const modules = createModuleResolver(this.cache, this.folder, this.options.tsconfig);
    const values = new ValueResolver(this.contexts, modules);
    const files = [...this.files, ...[...this.extraFiles].filter((f) => !this.fileSet.has(f))];
    const edges: MountEdge[] = [];
    const routeFiles = new Set<string>();
    for (const file of files) {
      const text = this.cache.readFile(file);
      if (text === undefined) continue;
      if (ROUTE_HINT.test(text)) routeFiles.add(file);
      if (!MOUNT_HINT.test(text)) continue;
      const context = this.contexts.get(file);
      if (!context) continue;
      const mounts = collectMounts(context, values, this.cache, this.folder);
      edges.push(...mounts.edges);
      for (const plugin of mounts.pluginFiles) if (ROUTE_HINT.test(this.cache.readFile(plugin) ?? '')) routeFiles.add(plugin);
    }
    const nestContexts = files.filter((f) => NEST_HINT.test(this.cache.readFile(f) ?? '')).flatMap((f) => this.contexts.get(f) ?? []);
    const nest = collectNestSettings(nestContexts, values);
    const graph = new MountGraph(edges);
    const byFile = new Map<string, WorkspaceRoute[]>();
    for (const file of routeFiles) {
      const routes = this.routesIn(file, values, graph, nest);
      if (routes.length) byFile.set(file, routes);
    }
    return new Map([...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private routesIn(file: string, values: ValueResolver, graph: MountGraph, nest: NestSettings): WorkspaceRoute[] {
    const context = this.contexts.get(file);
    if (!context) return [];
    const routes: WorkspaceRoute[] = [];
    const seen = new Set<string>();
    for (const site of routeSites(context.sourceFile, context.resolver)) {
      const { route } = site;
      let full: Array<{ path: string; prefixUnknown: boolean }>;
      if (route.framework === 'nestjs' && site.member) {
        full = nestPaths(site, nest, values);
      } else {
        const receiver = site.receiver as ts.Expression;
        const keys = values.instanceKeys(receiver);
        let chains: PrefixChain[] = keys.length ? keys.flatMap((k) => graph.prefixes(k)) : [{ prefix: '', unknown: false }];
        // A router mounted nowhere we can see is mounted somewhere we cannot: its prefix is not known.
        if (keys.length && !keys.some((k) => graph.isMounted(k)) && values.resolve(receiver).some((t) => t.kind === 'instance' && values.isRouterCreation(t.node))) {
          chains = chains.map((c) => ({ ...c, unknown: true }));
        }
        full = chains.map((c) => ({ path: joinRoute(c.prefix, route.path, route.framework), prefixUnknown: c.unknown }));
      }
      for (const { path, prefixUnknown } of full) {
        const id = `${route.line}:${route.character}:${route.method}:${path}`;
        if (seen.has(id)) continue;
        seen.add(id);
        routes.push({ ...route, file, path, localPath: route.path, params: pathParams(path), ...(prefixUnknown ? { prefixUnknown } : {}) });
      }
    }
    return routes;
  }
}
