// Every route handler of a workspace folder with its full path: the prefixes other files apply
// (Express/Koa `use`, Fastify `register` and @fastify/autoload, Hono `route`, NestJS global prefix,
// versioning and RouterModule) resolved by following imports, requires and exports across files.
// Pure: reads only through the SourceHost. WorkspaceRouteIndex keeps the analysis between calls so
// an editor asking for one file's routes per keystroke does not re-read the workspace.
import { FileContexts, type ContextSource } from './fileContext';
import { fullPathRoutes, type PathSources, type WorkspaceRoute } from './fullPaths';
import { createModuleResolver, type ModuleResolver } from './moduleResolver';
import { collectMounts, type MountEdge } from './mountEdges';
import { MountGraph } from './mountGraph';
import { collectNestSettings, NEST_HINT } from './nestPrefixes';
import { SourceCache } from './sourceCache';
import type { SourceHost } from './sourceHost';
import { ValueResolver } from './valueResolver';
import { listSourceFiles, trimSlash, wouldList } from './workspaceFiles';

export type { WorkspaceRoute } from './fullPaths';

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

/** All route handlers of a folder with their full paths (one-shot; see WorkspaceRouteIndex to keep the analysis). */
export function findWorkspaceRoutes(host: SourceHost, folder: string, options: WorkspaceRouteOptions = {}): WorkspaceRoute[] {
  return new WorkspaceRouteIndex(host, folder, options).all();
}

interface FileEdges {
  edges: MountEdge[];
  pluginFiles: string[];
  /** Every file read to find them: a change to any of these recomputes them. */
  dependsOn: Set<string>;
}

interface Hints {
  text: string | undefined;
  routes: boolean;
  mounts: boolean;
  nest: boolean;
}

interface Analysis extends PathSources {
  routeFiles: string[];
  routes: Map<string, WorkspaceRoute[]>;
}

/**
 * The routes of a workspace folder, kept between calls. Each file's mounts are cached with the files
 * their resolution read; a change to a file (`setText` for unsaved text, `invalidate` for the disk)
 * recomputes the mounts of that file and of the files that depend on it, and the routes of a file
 * are worked out when asked for. A new or deleted file starts over.
 */
export class WorkspaceRouteIndex {
  readonly folder: string;
  private readonly cache: SourceCache;
  private readonly contexts: FileContexts;
  private files: string[] | undefined;
  private fileSet = new Set<string>();
  private readonly extraFiles = new Set<string>();
  private modules: ModuleResolver | undefined;
  private readonly edgesByFile = new Map<string, FileEdges>();
  private readonly hints = new Map<string, Hints>();
  private current: Analysis | undefined;
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
    const analysis = this.analysis();
    return analysis.routeFiles.flatMap((file) => this.routesFor(analysis, file));
  }

  /** One file's routes with their full paths. `text`: the file's unsaved text, which wins over the host's. */
  routesOf(file: string, text?: string): WorkspaceRoute[] {
    if (text !== undefined) this.setText(file, text);
    this.analysis();
    if (!this.fileSet.has(file) && !this.extraFiles.has(file)) {
      this.extraFiles.add(file);
      this.current = undefined;
    }
    const analysis = this.analysis();
    return analysis.routeFiles.includes(file) ? this.routesFor(analysis, file) : [];
  }

  /** Unsaved text for a file (undefined: read it from the host again). */
  setText(file: string, text: string | undefined): void {
    if (this.cache.setOverlay(file, text)) this.changed(file);
  }

  /** A file changed, appeared or went away (no file: anything may have). The next call re-reads what that touches. */
  invalidate(file?: string): void {
    this.cache.invalidate(file);
    if (file !== undefined) {
      const known = this.fileSet.has(file) || this.extraFiles.has(file);
      // Build output, tests, dependencies: not listed, so only what read them is redone (a watch build writes many).
      if (!known && !wouldList(this.cache, this.folder, file)) {
        if ([...this.edgesByFile.values()].some((e) => e.dependsOn.has(file))) this.changed(file);
        return;
      }
      if (known && this.cache.readFile(file) !== undefined) {
        this.changed(file);
        return;
      }
    }
    this.files = undefined;
    this.modules = undefined;
    this.edgesByFile.clear();
    this.current = undefined;
  }

  /** True when the folder had more files than the analysis reads. */
  get truncated(): boolean {
    this.analysis();
    return this.cut;
  }

  private changed(file: string): void {
    this.current = undefined;
    for (const [owner, entry] of this.edgesByFile) if (owner === file || entry.dependsOn.has(file)) this.edgesByFile.delete(owner);
  }

  private analysis(): Analysis {
    if (!this.current) {
      try {
        this.current = this.analyse();
      } catch {
        this.current = { values: this.resolver(), graph: new MountGraph([]), nest: { modulePaths: new Map() }, routeFiles: [], routes: new Map() };
      }
    }
    return this.current;
  }

  private resolver(contexts: ContextSource = this.contexts): ValueResolver {
    this.modules ??= createModuleResolver(this.cache, this.folder, this.options.tsconfig);
    return new ValueResolver(contexts, this.modules);
  }

  private analyse(): Analysis {
    if (!this.files) {
      const list = listSourceFiles(this.cache, this.folder, { maxFiles: this.options.maxFiles });
      this.files = list.files;
      this.fileSet = new Set(list.files);
      this.cut = list.truncated;
    }
    const files = [...this.files, ...[...this.extraFiles].filter((f) => !this.fileSet.has(f))];
    const edges: MountEdge[] = [];
    const routeFiles = new Set<string>();
    const nestFiles: string[] = [];
    for (const file of files) {
      const hints = this.hintsOf(file);
      if (hints.routes) routeFiles.add(file);
      if (hints.nest) nestFiles.push(file);
      if (!hints.mounts) continue;
      const mounts = this.edgesOf(file);
      edges.push(...mounts.edges);
      for (const plugin of mounts.pluginFiles) if (this.hintsOf(plugin).routes) routeFiles.add(plugin);
    }
    const values = this.resolver();
    const nestContexts = nestFiles.flatMap((f) => this.contexts.get(f) ?? []);
    return { values, graph: new MountGraph(edges), nest: collectNestSettings(nestContexts, values), routeFiles: [...routeFiles].sort(), routes: new Map() };
  }

  /** What a file's text may hold, tested again only when the text changes. */
  private hintsOf(file: string): Hints {
    const text = this.cache.readFile(file);
    const known = this.hints.get(file);
    if (known && known.text === text) return known;
    const hints = { text, routes: text !== undefined && ROUTE_HINT.test(text), mounts: text !== undefined && MOUNT_HINT.test(text), nest: text !== undefined && NEST_HINT.test(text) };
    this.hints.set(file, hints);
    return hints;
  }

  /** A file's mounts, from the cache unless a file they depend on changed. */
  private edgesOf(file: string): FileEdges {
    let entry = this.edgesByFile.get(file);
    if (!entry) {
      const dependsOn = new Set<string>([file]);
      const contexts = this.contexts.recording(dependsOn);
      const context = contexts.get(file);
      const mounts = context ? collectMounts(context, this.resolver(contexts), this.cache, this.folder) : { edges: [], pluginFiles: [] };
      entry = { ...mounts, dependsOn };
      this.edgesByFile.set(file, entry);
    }
    return entry;
  }

  private routesFor(analysis: Analysis, file: string): WorkspaceRoute[] {
    let routes = analysis.routes.get(file);
    if (!routes) {
      try {
        routes = fullPathRoutes(this.contexts.get(file), analysis);
      } catch {
        routes = [];
      }
      analysis.routes.set(file, routes);
    }
    return routes;
  }
}
