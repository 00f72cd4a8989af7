// Import specifiers to workspace files, with the TypeScript compiler's own resolution
// (ts.resolveModuleName) over the SourceCache: relative imports, index files, `.js` written for a
// `.ts` file, tsconfig `paths`/`baseUrl`. Packages (node_modules) are not followed: they hold no
// routes of the service. Pure: reads only through the cache.
import ts from 'typescript';
import { posix } from 'node:path';
import type { SourceCache } from './sourceCache';

export interface ModuleResolver {
  /** The workspace file `specifier` names from `fromFile`, or undefined (a package, a missing file). */
  resolve(specifier: string, fromFile: string): string | undefined;
}

/** A resolver for a folder; the tsconfig (default: FOLDER/tsconfig.json when there is one) gives `paths` and `baseUrl`. */
export function createModuleResolver(cache: SourceCache, folder: string, tsconfig?: string): ModuleResolver {
  const options = compilerOptions(cache, tsconfig ?? `${folder}/tsconfig.json`);
  const aliased = options.paths !== undefined || options.baseUrl !== undefined;
  const host: ts.ModuleResolutionHost = {
    fileExists: (path) => cache.fileExists(path),
    readFile: (path) => cache.readFile(path),
    directoryExists: (path) => cache.directoryExists(path),
    getCurrentDirectory: () => folder,
  };
  const resolutionCache = ts.createModuleResolutionCache(folder, (s) => s, options);
  const memo = new Map<string, string | undefined>();
  return {
    resolve(specifier, fromFile) {
      const bare = !specifier.startsWith('.') && !specifier.startsWith('/');
      if ((bare && !aliased) || specifier.startsWith('node:')) return undefined;
      const key = `${posix.dirname(fromFile)}\0${specifier}`;
      if (memo.has(key)) return memo.get(key);
      let file: string | undefined;
      try {
        const resolved = ts.resolveModuleName(specifier, fromFile, options, host, resolutionCache).resolvedModule;
        const name = resolved?.resolvedFileName;
        if (name && !resolved.isExternalLibraryImport && !/\.d\.[cm]?ts$/.test(name) && !name.includes('/node_modules/')) file = name;
      } catch {
        file = undefined;
      }
      memo.set(key, file);
      return file;
    },
  };
}

/** The tsconfig's compilerOptions that matter for resolution (following relative `extends`), under a lenient resolution mode that also finds .js files. */
function compilerOptions(cache: SourceCache, tsconfig: string): ts.CompilerOptions {
  const { paths, baseUrl, pathsBasePath } = readOptions(cache, tsconfig, 0);
  return {
    allowJs: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    ...(paths ? { paths, pathsBasePath } : {}),
    ...(baseUrl ? { baseUrl } : {}),
  };
}

function readOptions(cache: SourceCache, tsconfig: string, depth: number): ts.CompilerOptions {
  const text = depth > 4 ? undefined : cache.readFile(tsconfig);
  if (text === undefined) return {};
  try {
    const config = ts.parseConfigFileTextToJson(tsconfig, text).config as { compilerOptions?: unknown; extends?: unknown } | undefined;
    const base = typeof config?.extends === 'string' && config.extends.startsWith('.') ? readOptions(cache, withJson(posix.join(posix.dirname(tsconfig), config.extends)), depth + 1) : {};
    const raw = config?.compilerOptions;
    const own = raw && typeof raw === 'object' ? ts.convertCompilerOptionsFromJson(raw, posix.dirname(tsconfig), tsconfig).options : {};
    if (own.paths) own.pathsBasePath = posix.dirname(tsconfig);
    return { ...base, ...own };
  } catch {
    return {};
  }
}

function withJson(path: string): string {
  return path.endsWith('.json') ? path : `${path}.json`;
}
