import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createSourceMapResolver, type LoadedSourceMap, type SourceMapResolver } from '../analysis/sourceMapResolver';

export interface FileSourceMapOptions {
  /** Paths in warnings are shown relative to this folder when inside it (default: process.cwd()). */
  cwd?: string;
  /**
   * Script URL → `sourceMapURL` as the target reported it (`Debugger.scriptParsed`). Used instead of
   * the comment on disk: it also covers code compiled in memory (tsx, ts-node: inline data: URLs).
   */
  sourceMapUrls?: ReadonlyMap<string, string>;
}

const TYPESCRIPT = /\.[cm]?tsx?$/;

/** Scripts a compiler wrote, whose missing map deserves a warning (a hand-written .js has none). */
const COMPILED = /\b__esModule\b|\b__awaiter\b|\b__toCommonJS\b|\b__importDefault\b|\b__decorate\b|\b_interopRequireDefault\b/;

/**
 * Loads the source map of a script on this machine: a `file:` URL or an absolute path. Takes the
 * sourceMapURL the target reported if given, else the script's last `//# sourceMappingURL=` (or
 * `//@`) comment: a data: URL (base64 or not) or a path relative to the script; without either,
 * tries `script.js.map` beside it. `node:` and other internal scripts, and scripts under
 * node_modules without a map, give undefined silently; a missing or broken map of the user's own
 * compiled code (or TypeScript compiled in memory) gives one warning.
 */
export function loadSourceMapFromFile(scriptUrl: string, warn: (message: string) => void, options: FileSourceMapOptions = {}): LoadedSourceMap | undefined {
  const scriptPath = toPath(scriptUrl);
  if (!scriptPath) return undefined;
  const show = (path: string) => displayPath(path, options.cwd ?? process.cwd());
  const ours = !scriptPath.split(/[\\/]/).includes('node_modules');
  const reported = options.sourceMapUrls?.get(scriptUrl) || undefined;
  const script = reported ? '' : readText(scriptPath);
  if (script === undefined) {
    if (ours) warn(`script ${show(scriptPath)} not found: showing its locations as recorded`);
    return undefined;
  }
  const scriptFileUrl = pathToFileURL(scriptPath).href;
  const reference = reported ?? lastSourceMappingUrl(script);

  if (reference?.startsWith('data:')) {
    const map = decodeDataUrl(reference);
    if (map === undefined) {
      warn(`source map for ${show(scriptPath)} is not valid (its inline data: URL cannot be read): showing JavaScript locations`);
      return undefined;
    }
    return checked(map, scriptFileUrl, `its inline map`);
  }

  let mapUrl: URL;
  if (reference) {
    try {
      mapUrl = new URL(reference, scriptFileUrl);
    } catch {
      warn(`source map for ${show(scriptPath)} not found (its sourceMappingURL ${JSON.stringify(reference)} is not a URL): showing JavaScript locations`);
      return undefined;
    }
    if (mapUrl.protocol !== 'file:') {
      warn(`source map for ${show(scriptPath)} is remote (${mapUrl.href}) and is not fetched: showing JavaScript locations`);
      return undefined;
    }
  } else {
    mapUrl = new URL(`${scriptFileUrl}.map`);
  }
  const mapPath = fileURLToPath(mapUrl);
  const text = readText(mapPath);
  if (text === undefined) {
    if (!reference && ours && TYPESCRIPT.test(scriptPath)) {
      warn(`${show(scriptPath)} is TypeScript compiled in memory (tsx, ts-node) and its source map is not on disk: its lines are those of the compiled code`);
    } else if (reference || (ours && looksCompiled(scriptPath, script))) {
      warn(`source map for ${show(scriptPath)} not found (looked for ${show(mapPath)}): showing JavaScript locations`);
    }
    return undefined;
  }
  return checked(text, mapUrl.href, show(mapPath));

  function checked(text: string, url: string, where: string): LoadedSourceMap | undefined {
    let map: unknown;
    try {
      map = JSON.parse(text);
    } catch (err) {
      warn(`source map for ${show(scriptPath!)} is not valid JSON (${where}: ${(err as Error).message}): showing JavaScript locations`);
      return undefined;
    }
    const object = map as { mappings?: unknown; sections?: unknown };
    if (typeof object !== 'object' || object === null || (typeof object.mappings !== 'string' && !Array.isArray(object.sections))) {
      warn(`source map for ${show(scriptPath!)} is not valid (${where} has no \`mappings\`): showing JavaScript locations`);
      return undefined;
    }
    return { map: object, mapUrl: url };
  }
}

/** A resolver reading maps from disk, and the warnings it gathered (missing or broken maps). */
export function createFileSourceMapResolver(options: FileSourceMapOptions = {}): { resolver: SourceMapResolver; warnings: () => string[] } {
  const cwd = options.cwd ?? process.cwd();
  const resolver = createSourceMapResolver((url, warn) => loadSourceMapFromFile(url, warn, { ...options, cwd }), { displayPath: (path) => displayPath(path, cwd) });
  return { resolver, warnings: () => resolver.warnings() };
}

/** The last sourceMappingURL comment wins (a bundle may contain its inputs' comments). */
export function lastSourceMappingUrl(script: string): string | undefined {
  const marker = 'sourceMappingURL=';
  for (let at = script.lastIndexOf(marker); at >= 0; at = at === 0 ? -1 : script.lastIndexOf(marker, at - 1)) {
    const lineStart = script.lastIndexOf('\n', at) + 1;
    if (!/^\s*\/\/[#@]\s*$/.test(script.slice(lineStart, at))) continue;
    const value = /[^\s'"`]+/y;
    value.lastIndex = at + marker.length;
    const match = value.exec(script);
    if (match) return match[0];
  }
  return undefined;
}

/** The text of a `data:` URL, base64 or percent-encoded; undefined if it is malformed. */
export function decodeDataUrl(url: string): string | undefined {
  const comma = url.indexOf(',');
  if (comma < 0) return undefined;
  const meta = url.slice('data:'.length, comma);
  const data = url.slice(comma + 1);
  try {
    return /;base64$/i.test(meta) ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
  } catch {
    return undefined;
  }
}

function toPath(scriptUrl: string): string | undefined {
  if (scriptUrl.startsWith('file:')) {
    try {
      return fileURLToPath(scriptUrl);
    } catch {
      return undefined;
    }
  }
  return isAbsolute(scriptUrl) && !scriptUrl.startsWith('node:') ? scriptUrl : undefined;
}

function readText(path: string): string | undefined {
  try {
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

function looksCompiled(path: string, script: string): boolean {
  return COMPILED.test(script) || /[\\/](dist|build|out)[\\/]/.test(path);
}

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel) ? rel : path;
}
