import { decodedMappings, FlattenMap, GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, originalPositionFor, type Bias, type TraceMap } from '@jridgewell/trace-mapping';
import type { Protocol } from 'devtools-protocol';
import { fileUrlToPath } from './fileUrl';

/** A source map as read by a loader. `mapUrl` is absolute (a file: URL) so sources resolve to absolute paths. */
export interface LoadedSourceMap {
  map: string | object;
  mapUrl: string;
}

/**
 * Finds the source map of a script, or returns undefined (no map, or not a script on disk).
 * Called at most once per script; `warn` reports a missing or broken map.
 */
export type SourceMapLoad = (scriptUrl: string, warn: (message: string) => void) => LoadedSourceMap | undefined;

export interface OriginalPosition {
  /** Absolute path when the source is a file: URL (or a path), else the source URL. */
  file: string;
  /** 1-based. */
  line: number;
  /** 0-based. */
  column: number;
  name?: string;
}

export interface SourceMapResolver {
  /** `line1` 1-based, `column0` 0-based (trace-mapping's convention). Tries the closest mapping at or before the column, then after it. */
  resolve(scriptUrl: string, line1: number, column0: number): OriginalPosition | undefined;
  /** A CDP call frame (0-based line and column), e.g. a function's declaration. */
  resolveFrame(callFrame: Pick<Protocol.Runtime.CallFrame, 'url' | 'lineNumber' | 'columnNumber'>): OriginalPosition | undefined;
  /** A whole line (positionTicks: 1-based, no column): the first mapping on the line, else the last one before. */
  resolveLine(scriptUrl: string, line1: number): OriginalPosition | undefined;
  /** Whether the script has a usable source map. */
  hasMap(scriptUrl: string): boolean;
  /** How many lines of the script its map covers (about the script's length), when it has a map. */
  generatedLineCount(scriptUrl: string): number | undefined;
  /** Missing and broken maps seen so far, one message per script. */
  warnings(): string[];
}

export interface SourceMapResolverOptions {
  /** Shortens paths in warnings, e.g. relative to the workspace. */
  displayPath?: (path: string) => string;
}

/** Source mapping without I/O: `load` supplies the maps (see sourcemaps/fileSourceMapLoader). */
export function createSourceMapResolver(load: SourceMapLoad, options: SourceMapResolverOptions = {}): SourceMapResolver {
  const maps = new Map<string, { map: TraceMap; mapUrl: string } | null>();
  const messages: string[] = [];
  const show = (url: string) => {
    const path = fileUrlToPath(url) ?? url;
    return options.displayPath ? options.displayPath(path) : path;
  };
  const broken = (scriptUrl: string, mapUrl: string, err: unknown) => {
    maps.set(scriptUrl, null);
    const reason = err instanceof Error ? err.message : String(err);
    messages.push(`source map for ${show(scriptUrl)} is not valid (${show(mapUrl)}: ${reason}): showing JavaScript locations`);
  };

  const mapOf = (scriptUrl: string): TraceMap | undefined => {
    const known = maps.get(scriptUrl);
    if (known !== undefined) return known?.map;
    maps.set(scriptUrl, null);
    const loaded = scriptUrl ? load(scriptUrl, (message) => messages.push(message)) : undefined;
    if (!loaded) return undefined;
    try {
      const map = FlattenMap(loaded.map as Parameters<typeof FlattenMap>[0], loaded.mapUrl);
      maps.set(scriptUrl, { map, mapUrl: loaded.mapUrl });
      return map;
    } catch (err) {
      broken(scriptUrl, loaded.mapUrl, err);
      return undefined;
    }
  };

  const lookup = (scriptUrl: string, line1: number, column0: number, first: Bias): OriginalPosition | undefined => {
    if (!(line1 >= 1) || !(column0 >= 0)) return undefined;
    const map = mapOf(scriptUrl);
    if (!map) return undefined;
    try {
      let found = originalPositionFor(map, { line: line1, column: column0, bias: first });
      if (found.source == null) found = originalPositionFor(map, { line: line1, column: column0, bias: -first as Bias });
      if (found.source == null || found.line == null) return undefined;
      const position: OriginalPosition = { file: fileUrlToPath(found.source) ?? found.source, line: found.line, column: found.column };
      if (found.name != null) position.name = found.name;
      return position;
    } catch (err) {
      // trace-mapping decodes `mappings` lazily: a corrupt string throws here, not when loading.
      broken(scriptUrl, maps.get(scriptUrl)?.mapUrl ?? scriptUrl, err);
      return undefined;
    }
  };

  return {
    resolve: (scriptUrl, line1, column0) => lookup(scriptUrl, line1, column0, GREATEST_LOWER_BOUND),
    resolveFrame: (frame) => lookup(frame.url, frame.lineNumber + 1, frame.columnNumber, GREATEST_LOWER_BOUND),
    resolveLine: (scriptUrl, line1) => lookup(scriptUrl, line1, 0, LEAST_UPPER_BOUND),
    hasMap: (scriptUrl) => mapOf(scriptUrl) !== undefined,
    generatedLineCount: (scriptUrl) => {
      const map = mapOf(scriptUrl);
      try {
        return map ? decodedMappings(map).length : undefined;
      } catch {
        return undefined;
      }
    },
    warnings: () => [...messages],
  };
}
