// Blocks located from a CPU profile taken over the same run: the samples V8 took while the loop
// was not turning say what ran. Pure.
import type { Protocol } from 'devtools-protocol';
import { originOf } from '../analysis/codeOrigin';
import { scriptPath } from '../analysis/fileUrl';
import { FrameKind } from '../analysis/functionTable';
import { buildProfileModel, type ProfileModel } from '../analysis/profileModel';
import type { StackFrame } from '../queries/captureTypes';
import type { ObservedBlock } from './vitalsTypes';

/** How many lines a script has, when known (the source map resolver's generatedLineCount). */
export type LineCount = (scriptUrl: string) => number | undefined;

export interface ProfileBlocks {
  /** The blocks, in the same order, located from the profile where it could (new objects; the input is not changed). */
  blocks: ObservedBlock[];
  /** How many blocks the profile located (or relocated). */
  located: number;
  /** Blocks whose window was mostly '(garbage collector)' samples (more than half of those not idle). */
  gcDominated: number;
}

/** The name V8 gives GC time in a profile: the frame of a block that was only garbage collection. */
export const GC_FRAME: StackFrame = { url: '', line: 0, column: 0, functionName: '(garbage collector)' };

/**
 * Locates blocks from a CPU profile (as V8 gives it, or merged from chunks: see mergeCpuProfiles)
 * on the same monotonic clock as StallEvent.endUs. Sample i was taken at startTime + the sum of
 * timeDeltas[0..i] µs; a block's window is [endUs − ms·1000, endUs], and the samples in it
 * (ends included) are read:
 * - '(idle)', '(program)' and '(root)' samples are passed over; '(garbage collector)' ones are
 *   counted (see `gcDominated`).
 * - each other sample votes for one function of its stack: the topmost of the user's own code,
 *   else the topmost of a dependency, else its top frame. The function with the most votes
 *   wins (ties: the one sampled last), and its most frequent full stack among those samples
 *   (ties: the latest) becomes the block's frames, top first, with location.source 'profile'.
 * - a window with only GC samples gets the one frame GC_FRAME; a window with no sample (outside
 *   the profile, or all idle) leaves the block as it was.
 * Frame positions: each frame whose node has time of its own is at its hottest line (positionTicks)
 * when the profile has line ticks, else at its function's start (a profile knows which functions
 * called which, not from which line). Lines and columns are 1-based.
 *
 * A block already located by pausing keeps its frames (they hold the exact line of every frame)
 * unless they have no frame of the user's own code and the profile's have: a pause that landed in
 * Node's own code after the user's function had returned then gives way to what the samples show.
 */
export function locateBlocksInProfile(blocks: readonly ObservedBlock[], profile: Protocol.Profiler.Profile | ProfileModel, options: { lineCount?: LineCount } = {}): ProfileBlocks {
  const model = 'sampleTimeUs' in profile ? profile : buildProfileModel(profile);
  const origins = new Map<number, ReturnType<typeof originOf>['origin']>();
  const originOfFunction = (fn: number) => {
    let origin = origins.get(fn);
    if (origin === undefined) {
      const frame = model.functions[fn];
      origins.set(fn, (origin = originOf(frame.url, scriptPath(frame.url), frame.functionName).origin));
    }
    return origin;
  };

  let located = 0;
  let gcDominated = 0;
  const out = blocks.map((block) => {
    const found = readWindow(model, block.endUs - block.ms * 1000, block.endUs, originOfFunction, options.lineCount);
    if (found.gc > 0 && found.gc * 2 > found.busy) gcDominated++;
    if (!found.frames) return block;
    if (block.location.source === 'pause' && block.location.frames.length > 0) {
      if (hasOwnFrame(block.location.frames) || !hasOwnFrame(found.frames)) return block;
    }
    located++;
    return { ...block, location: { source: 'profile' as const, frames: found.frames } };
  });
  return { blocks: out, located, gcDominated };
}

interface WindowReading {
  frames?: StackFrame[];
  /** Samples that were not idle, program or root. */
  busy: number;
  gc: number;
}

function readWindow(model: ProfileModel, fromUs: number, toUs: number, originOfFunction: (fn: number) => string, lineCount: LineCount | undefined): WindowReading {
  const reading: WindowReading = { busy: 0, gc: 0 };
  if (!(toUs >= fromUs)) return reading;
  const times = model.sampleTimeUs;
  const votes = new Map<number, { n: number; last: number; leaves: Map<number, { n: number; last: number }> }>();
  for (let i = firstAtOrAfter(times, fromUs); i < model.sampleCount && times[i] <= toUs; i++) {
    const leaf = model.sampleNode[i];
    const kind = model.kind[leaf];
    if (kind === FrameKind.idle || kind === FrameKind.program || kind === FrameKind.root) continue;
    reading.busy++;
    if (kind === FrameKind.gc) {
      reading.gc++;
      continue;
    }
    const fn = model.functionOf[voteOf(model, leaf, originOfFunction)];
    let vote = votes.get(fn);
    if (!vote) votes.set(fn, (vote = { n: 0, last: i, leaves: new Map() }));
    vote.n++;
    vote.last = i;
    const byLeaf = vote.leaves.get(leaf) ?? { n: 0, last: i };
    byLeaf.n++;
    byLeaf.last = i;
    vote.leaves.set(leaf, byLeaf);
  }
  const winner = best(votes);
  if (winner) reading.frames = framesOf(model, best(winner.value.leaves)!.key, lineCount);
  else if (reading.gc > 0) reading.frames = [{ ...GC_FRAME }];
  return reading;
}

/** The node of a sample's stack that gets its vote (see locateBlocksInProfile). */
function voteOf(model: ProfileModel, leaf: number, originOfFunction: (fn: number) => string): number {
  let dependency = -1;
  for (let node = leaf; node >= 0; node = model.parent[node]) {
    if (model.kind[node] !== FrameKind.code) continue;
    const origin = originOfFunction(model.functionOf[node]);
    if (origin === 'own') return node;
    if (origin === 'dependency' && dependency < 0) dependency = node;
  }
  return dependency >= 0 ? dependency : leaf;
}

/** The entry with the most samples; ties: the one sampled last. */
function best<K, V extends { n: number; last: number }>(tally: Map<K, V>): { key: K; value: V } | undefined {
  let found: { key: K; value: V } | undefined;
  for (const [key, value] of tally) {
    if (!found || value.n > found.value.n || (value.n === found.value.n && value.last > found.value.last)) found = { key, value };
  }
  return found;
}

/** The stack from a node up to the root (the root left out), top first, as StackFrames. */
function framesOf(model: ProfileModel, leaf: number, lineCount: LineCount | undefined): StackFrame[] {
  const frames: StackFrame[] = [];
  for (let node = leaf; node >= 0; node = model.parent[node]) {
    if (model.kind[node] === FrameKind.root) continue;
    const call = model.callFrame[node];
    const frame: StackFrame = { url: call.url, line: call.lineNumber + 1, column: call.columnNumber + 1, functionName: call.functionName };
    // A node with time of its own is put at its hottest line; a frame that only called others
    // stays at its function's start (a profile does not know from which line it called).
    const line = hottestLine(model.positionTicks[node], lineCount?.(call.url));
    if (line !== undefined) {
      frame.line = line;
      frame.column = 1;
    }
    frames.push(frame);
  }
  return frames;
}

/**
 * The line with the most ticks. A callee inlined from another script leaves its own line numbers in
 * its caller's ticks: lines past the end of the script (`lines`, when known) are passed over.
 */
function hottestLine(ticks: readonly Protocol.Profiler.PositionTickInfo[] | undefined, lines: number | undefined): number | undefined {
  let line: number | undefined;
  let most = 0;
  for (const tick of ticks ?? []) {
    if (lines !== undefined && tick.line > lines) continue;
    if (tick.ticks > most) {
      most = tick.ticks;
      line = tick.line;
    }
  }
  return line;
}

function hasOwnFrame(frames: readonly StackFrame[]): boolean {
  return frames.some((f) => originOf(f.url, scriptPath(f.url), f.functionName).origin === 'own');
}

/** Index of the first time ≥ `us` in ascending times. */
function firstAtOrAfter(times: Float64Array, us: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < us) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
