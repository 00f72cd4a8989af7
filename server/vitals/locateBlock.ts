// Where a block happened, from the frames the thread was in: the user's own function, named by
// its route when it is an anonymous route handler, and the Node function it had called into when
// the thread was inside Node's own or native code. Pure.
import type { CodeOrigin } from '../analysis/codeOrigin';
import { routeHandlerNamer, type RouteHandlerSite } from '../analysis/routeHandlerNames';
import type { SourceMapResolver } from '../analysis/sourceMapResolver';
import type { StackFrame } from '../queries/captureTypes';
import { mapFrame } from '../queries/callingLine';
import type { CallingLine } from '../queries/queryReportTypes';
import { NATIVE_LANDING_MS, type BlockLocation, type LiveBlock, type ObservedBlock } from './vitalsTypes';

export interface LocateContext {
  /** Maps the frames' JavaScript positions to the TypeScript sources. */
  resolver?: SourceMapResolver;
  /** The workspace's route handlers written in place (original files, 1-based start lines). */
  routeHandlers?: readonly RouteHandlerSite[];
}

/** A block's place: what BlockGroup and LiveBlock say about where the thread was. */
export interface BlockPlace {
  /** The function named (see locateFrames); '(unknown)' when not located. */
  function: string;
  /** Absolute path (the original source when mapped), or a `node:` URL for Node's own code; '' when not located or native. */
  file: string;
  line: number;
  column: number;
  located: boolean;
  /** Whose code the named frame is; undefined when not located. */
  origin?: CodeOrigin;
  endpoint?: string;
  inside?: string;
  /** Every frame, mapped, top first. */
  stack: CallingLine[];
}

export const UNKNOWN_FUNCTION = '(unknown)';

const UNLOCATED: Readonly<BlockPlace> = { function: UNKNOWN_FUNCTION, file: '', line: 0, column: 0, located: false, stack: [] };

/**
 * The frames' place. The frame named is the first of the user's own code (origin 'own'); with
 * none, the first dependency frame; with none either, the first frame (Node's own, or the
 * '(garbage collector)' a profile can give). With `inNative` (see locateLocation), `inside` is set
 * when frames above the named one are Node's own or native: the one of them nearest the named
 * frame (the Node function it called, e.g. `pbkdf2Sync`, `readFileSync`), dependency frames in
 * between passed over.
 *
 * Route handlers: an anonymous function is named by its route (`GET /block`) when it is in a
 * handler, and `endpoint` is set from the topmost frame of the user's code that is in one. A
 * handler site knows only where its function starts, and a paused frame only its current line,
 * so "in a handler" is approximated: same file, at or after the handler's start line, the
 * nearest such start winning. A function written after a handler in the same file and called from
 * elsewhere is then taken for part of it; in practice the handler's own frame is lower on the same
 * stack, which gives the same endpoint.
 */
export function locateFrames(frames: readonly StackFrame[], ctx: LocateContext = {}, options: { inNative?: boolean } = { inNative: true }): BlockPlace {
  if (frames.length === 0) return { ...UNLOCATED, stack: [] };
  const stack = frames.map((frame) => mapFrame(frame, ctx.resolver));
  const handlerOf = handlerIndex(ctx.routeHandlers);

  let at = stack.findIndex((line) => line.origin === 'own');
  if (at < 0) at = stack.findIndex((line) => line.origin === 'dependency');
  if (at < 0) at = 0;
  const site = stack[at];

  const place: BlockPlace = { function: site.functionName || '(anonymous)', file: site.file, line: site.line, column: site.column, located: true, origin: site.origin, stack };
  if (site.origin === 'own' && isAnonymous(site.functionName)) {
    const route = handlerOf(site.file, site.line);
    if (route) place.function = route;
  }
  for (let i = at - 1; options.inNative && i >= 0; i--) {
    if (stack[i].origin === 'node' || stack[i].origin === 'runtime') {
      place.inside = stack[i].functionName || '(anonymous)';
      break;
    }
  }
  for (const line of stack) {
    if (line.origin !== 'own') continue;
    const route = handlerOf(line.file, line.line);
    if (route) {
      place.endpoint = route;
      break;
    }
  }
  return place;
}

/** A block as the live panel shows it. */
export function toLiveBlock(block: ObservedBlock, ctx: LocateContext = {}): LiveBlock {
  return liveBlockOf(block, locateLocation(block.location, ctx));
}

/**
 * A block location's place. A pause that landed at once found the thread running JavaScript: Node
 * frames above the user's are then calls its loop makes every turn (`performance.now`), not where
 * it was stuck, and `inside` is not set. One that landed late found it coming back from native code.
 */
export function locateLocation(location: BlockLocation, ctx: LocateContext = {}): BlockPlace {
  const inNative = location.source !== 'pause' || location.pauseLatencyMs === undefined || location.pauseLatencyMs >= NATIVE_LANDING_MS;
  return locateFrames(location.frames, ctx, { inNative });
}

/** A block and its place (already found) as a LiveBlock. */
export function liveBlockOf(block: ObservedBlock, place: BlockPlace): LiveBlock {
  const live: LiveBlock = {
    endWallMs: block.endWallMs,
    ms: block.ms,
    function: place.function,
    file: place.file,
    line: place.line,
    column: place.column,
    located: place.located,
    source: place.located ? block.location.source : 'none',
  };
  if (place.endpoint) live.endpoint = place.endpoint;
  if (place.inside) live.inside = place.inside;
  return live;
}

function isAnonymous(name: string): boolean {
  return name === '' || name === '(anonymous)' || name === '<anonymous>';
}

type HandlerLookup = (file: string, line: number) => string | undefined;

const noHandlers: HandlerLookup = () => undefined;
const indexes = new WeakMap<readonly RouteHandlerSite[], HandlerLookup>();

/** (file, any line) → the route of the handler it is in (see locateFrames), memoized per list of sites. */
function handlerIndex(sites: readonly RouteHandlerSite[] | undefined): HandlerLookup {
  if (!sites || sites.length === 0) return noHandlers;
  const known = indexes.get(sites);
  if (known) return known;
  const namer = routeHandlerNamer(sites);
  const startsByFile = new Map<string, number[]>();
  for (const site of sites) {
    const starts = startsByFile.get(site.file) ?? [];
    if (!starts.includes(site.line)) starts.push(site.line);
    startsByFile.set(site.file, starts);
  }
  for (const starts of startsByFile.values()) starts.sort((a, b) => a - b);
  const lookup: HandlerLookup = (file, line) => {
    const starts = startsByFile.get(file);
    if (!starts) return undefined;
    // The last start at or before the line.
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= line) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : namer(file, starts[lo - 1]);
  };
  indexes.set(sites, lookup);
  return lookup;
}
