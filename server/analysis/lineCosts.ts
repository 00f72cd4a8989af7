import type { ProfileModel } from './profileModel';

/** Self time of one line of a script, in the profile's own (JavaScript) locations. */
export interface LineCostEntry {
  url: string;
  /** 1-based. */
  line: number;
  selfMs: number;
  samples: number;
  /** True when some of the time had no line data and was put on the function's declaration line. */
  approximated: boolean;
  /** The function the line most likely belongs to (index into model.functions). */
  functionIndex: number;
}

interface Entry extends LineCostEntry {
  /** Time per contributing function, when more than one function contributes. */
  byFunction?: Map<number, number>;
}

/**
 * Self time per (url, line) from positionTicks: a node's self time is spread over its lines by
 * ticks. Lines are keyed by url + line, not by node, because with inlining a callee's line ticks
 * appear under its caller's node. A node with self time but no ticks puts it on its function's
 * declaration line, marked approximated. Scripts without a url (natives, V8's special nodes) have
 * no lines. Sorted by self time.
 */
export function lineCosts(model: ProfileModel): LineCostEntry[] {
  const byUrl = new Map<string, Map<number, Entry>>();
  const add = (url: string, line: number, ms: number, samples: number, approximated: boolean, fn: number): void => {
    let lines = byUrl.get(url);
    if (!lines) byUrl.set(url, (lines = new Map()));
    const entry = lines.get(line);
    if (!entry) {
      lines.set(line, { url, line, selfMs: ms, samples, approximated, functionIndex: fn });
      return;
    }
    entry.selfMs += ms;
    entry.samples += samples;
    entry.approximated ||= approximated;
    if (entry.byFunction) entry.byFunction.set(fn, (entry.byFunction.get(fn) ?? 0) + ms);
    else if (entry.functionIndex !== fn) entry.byFunction = new Map([[entry.functionIndex, entry.selfMs - ms], [fn, ms]]);
  };

  const { nodeCount, callFrame, positionTicks, selfMs, hitCount, functionOf } = model;
  for (let node = 0; node < nodeCount; node++) {
    const ms = selfMs[node];
    if (ms === 0 && hitCount[node] === 0) continue;
    const frame = callFrame[node];
    if (frame.url === '') continue;
    const ticks = positionTicks[node];
    let tickSum = 0;
    if (ticks) for (let k = 0; k < ticks.length; k++) tickSum += ticks[k].ticks;
    if (ticks && tickSum > 0) {
      for (let k = 0; k < ticks.length; k++) add(frame.url, ticks[k].line, ms * (ticks[k].ticks / tickSum), ticks[k].ticks, false, functionOf[node]);
    } else if (frame.lineNumber >= 0) {
      add(frame.url, frame.lineNumber + 1, ms, hitCount[node], true, functionOf[node]);
    }
  }

  const result: LineCostEntry[] = [];
  for (const lines of byUrl.values()) {
    for (const entry of lines.values()) {
      const { byFunction, ...cost } = entry;
      if (byFunction) cost.functionIndex = owner(model, cost.line, byFunction);
      result.push(cost);
    }
  }
  return result.sort((a, b) => b.selfMs - a.selfMs || (a.url < b.url ? -1 : a.url > b.url ? 1 : a.line - b.line));
}

/**
 * The function a line belongs to, among those whose nodes had time on it: a function declared at
 * or above the line (an inlined callee rather than its caller further down), with the most time.
 */
function owner(model: ProfileModel, line: number, byFunction: Map<number, number>): number {
  let best = -1;
  let bestMs = -1;
  let bestAbove = false;
  for (const [fn, ms] of byFunction) {
    const above = model.functions[fn].lineNumber + 1 <= line;
    if ((above && !bestAbove) || (above === bestAbove && ms > bestMs)) {
      best = fn;
      bestMs = ms;
      bestAbove = above;
    }
  }
  return best;
}
