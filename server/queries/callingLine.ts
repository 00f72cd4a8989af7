// The line in the service's own code that sent a query (or checked out a connection): the first
// frame of the captured stack that is neither Node's own nor inside node_modules. A query builder
// or ORM (knex, kysely, drizzle, typeorm…) lives in node_modules, so its frames are passed over and
// the user's line that called it wins. Pure.
import { originOf } from '../analysis/codeOrigin';
import { scriptPath } from '../analysis/fileUrl';
import type { SourceMapResolver } from '../analysis/sourceMapResolver';
import type { StackFrame } from './captureTypes';
import type { CallingLine } from './queryReportTypes';

/** The PostgreSQL client's own packages: never the calling line, even when nothing else is left. */
const PG_PACKAGES = new Set(['pg', 'pg-pool', 'pg-cursor', 'pg-query-stream', 'pg-protocol', 'pg-native']);

/**
 * `stack` is every frame mapped through the source maps, top first; `site` the calling line: the
 * first frame of the user's own code, else (every frame in node_modules) the first frame outside
 * pg's own packages, as a 'dependency' with its package; else the first frame. Undefined for an
 * empty stack.
 */
export function callingLine(frames: StackFrame[], resolver?: SourceMapResolver): { site: CallingLine; stack: CallingLine[] } | undefined {
  if (frames.length === 0) return undefined;
  const stack = frames.map((frame) => mapFrame(frame, resolver));
  const site =
    stack.find((line) => line.origin === 'own') ??
    stack.find((line) => line.origin === 'dependency' && !PG_PACKAGES.has(line.package ?? '')) ??
    stack.find((line) => line.origin === 'dependency') ??
    stack[0];
  return { site, stack };
}

/** A frame as a CallingLine: the original source position when a source map has it (V8's column is 1-based, the resolver's 0-based), else its line's. */
export function mapFrame(frame: StackFrame, resolver?: SourceMapResolver): CallingLine {
  const script = originOf(frame.url, scriptPath(frame.url), frame.functionName);
  // A frame from a profile's line ticks has no column: the line's first mapping then.
  const position = script.origin === 'own' || script.origin === 'dependency' ? (resolver?.resolve(frame.url, frame.line, frame.column - 1) ?? resolver?.resolveLine(frame.url, frame.line)) : undefined;
  const file = position?.file ?? scriptPath(frame.url);
  const { origin, package: pkg } = position ? originOf(frame.url, file, frame.functionName) : script;
  const line: CallingLine = {
    file,
    line: position?.line ?? frame.line,
    column: position ? position.column + 1 : frame.column,
    functionName: frame.functionName,
    mapped: position !== undefined,
    origin,
  };
  if (pkg) line.package = pkg;
  return line;
}
