import type { Protocol } from 'devtools-protocol';
import { FrameKind } from './functionTable';
import type { ProfileModel } from './profileModel';

/** One function's cost, in the profile's own (JavaScript) locations. */
export interface FunctionCostEntry {
  /** Index into model.functions. */
  functionIndex: number;
  callFrame: Protocol.Runtime.CallFrame;
  kind: FrameKind;
  selfMs: number;
  /** Time with the function anywhere on the stack; a recursive function counts each sample once. */
  totalMs: number;
  /** Samples with the function on top of the stack. */
  samples: number;
}

/**
 * Per-function self and total time, sorted by self time (then total). (root) and (idle) are left
 * out; (program) and (garbage collector) stay. Functions with no time at all are left out.
 */
export function functionCosts(model: ProfileModel): FunctionCostEntry[] {
  const { nodeCount, parent, preorder, functionOf, selfMs, hitCount } = model;
  const functionCount = model.functions.length;
  const fnSelf = new Float64Array(functionCount);
  const fnTotal = new Float64Array(functionCount);
  const fnSamples = new Uint32Array(functionCount);

  // Subtree totals per node: children come after their parent in preorder, so walk it backwards.
  const nodeTotal = Float64Array.from(selfMs);
  for (let k = nodeCount - 1; k > 0; k--) {
    const node = preorder[k];
    const p = parent[node];
    if (p >= 0) nodeTotal[p] += nodeTotal[node];
  }

  // A node adds its subtree to its function's total only if the function is not already on the
  // path above it: recursion counts each sample once. The path is kept while walking the preorder.
  const onPath = new Int32Array(functionCount);
  const path = new Int32Array(nodeCount);
  let depth = 0;
  for (let k = 0; k < nodeCount; k++) {
    const node = preorder[k];
    const p = parent[node];
    while (depth > 0 && path[depth - 1] !== p) onPath[functionOf[path[--depth]]]--;
    const fn = functionOf[node];
    if (onPath[fn] === 0) fnTotal[fn] += nodeTotal[node];
    onPath[fn]++;
    path[depth++] = node;
    fnSelf[fn] += selfMs[node];
    fnSamples[fn] += hitCount[node];
  }

  const result: FunctionCostEntry[] = [];
  for (let fn = 0; fn < functionCount; fn++) {
    const kind = model.functionKind[fn] as FrameKind;
    if (kind === FrameKind.root || kind === FrameKind.idle) continue;
    if (fnTotal[fn] === 0 && fnSamples[fn] === 0) continue;
    result.push({ functionIndex: fn, callFrame: model.functions[fn], kind, selfMs: fnSelf[fn], totalMs: fnTotal[fn], samples: fnSamples[fn] });
  }
  return result.sort((a, b) => b.selfMs - a.selfMs || b.totalMs - a.totalMs || a.functionIndex - b.functionIndex);
}
