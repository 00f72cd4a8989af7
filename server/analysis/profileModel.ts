import type { Protocol } from 'devtools-protocol';
import { buildFunctionTable, FrameKind } from './functionTable';
import { NodeIdIndex } from './nodeIdIndex';

type Profile = Protocol.Profiler.Profile;
type CallFrame = Protocol.Runtime.CallFrame;
type PositionTickInfo = Protocol.Profiler.PositionTickInfo;

/**
 * A CPU profile as flat arrays (structure of arrays), indexed by node position in `profile.nodes`
 * (not by CDP id; `indexOfId` converts). Sample arrays are in time order.
 */
export interface ProfileModel {
  nodeCount: number;
  /** CDP id of each node. */
  nodeId: Float64Array;
  /** Parent position, -1 for a root. */
  parent: Int32Array;
  /** Children of node n: childList[childStart[n] .. childStart[n + 1]). */
  childStart: Int32Array;
  childList: Int32Array;
  /** Depth-first preorder: every node after its parent, every subtree contiguous. */
  preorder: Int32Array;
  callFrame: CallFrame[];
  positionTicks: (PositionTickInfo[] | undefined)[];
  /** FrameKind of each node: (root), (program), (idle), (garbage collector) or code. */
  kind: Uint8Array;
  /** Time sampled with this node on top of the stack, ms. Sums to durationMs. */
  selfMs: Float64Array;
  /** Samples with this node on top of the stack (counted from `samples`). */
  hitCount: Uint32Array;
  /** Function of each node (index into `functions`): nodes grouped by name + url + line + column. */
  functionOf: Int32Array;
  functions: CallFrame[];
  /** FrameKind of each function. */
  functionKind: Uint8Array;

  sampleCount: number;
  /** Node position of each sample's top frame. */
  sampleNode: Int32Array;
  /** Absolute sample times, µs (the profile's clock). */
  sampleTimeUs: Float64Array;
  /** Time each sample stands for, ms: up to the next sample; the last runs to the end. */
  sampleWeightMs: Float64Array;

  /** The profile's clock, µs. */
  startTime: number;
  endTime: number;
  /** endTime - startTime in ms (widened if samples lie outside, which V8 never does). */
  durationMs: number;
  idleMs: number;
  programMs: number;
  gcMs: number;
  /** True when at least one node carries positionTicks (line-level data). */
  hasPositionTicks: boolean;
  /** Position of the node with this CDP id, or -1. */
  indexOfId(id: number): number;
}

/**
 * Builds the model of a profile that came from parseCpuProfile or straight from V8. Sample weights:
 * the times are sorted (stably) if any delta is negative; sample i weighs t(i+1) - t(i), the last
 * one endTime - t(last), and the gap startTime → t(0) goes to sample 0, so self times add up to
 * the duration exactly. Runs in linear time without recursion, whatever the tree's depth.
 */
export function buildProfileModel(profile: Profile): ProfileModel {
  const nodes = profile.nodes;
  const count = nodes.length;
  const nodeId = new Float64Array(count);
  const callFrame: CallFrame[] = new Array(count);
  const positionTicks: (PositionTickInfo[] | undefined)[] = new Array(count);
  let hasPositionTicks = false;
  for (let i = 0; i < count; i++) {
    const node = nodes[i];
    nodeId[i] = node.id;
    callFrame[i] = node.callFrame;
    const ticks = node.positionTicks;
    positionTicks[i] = ticks;
    if (ticks && ticks.length > 0) hasPositionTicks = true;
  }
  const ids = new NodeIdIndex(nodeId);
  const parent = parentsOf(nodes, ids);
  const { childStart, childList } = childrenOf(parent);
  const preorder = preorderOf(parent, childStart, childList);
  const { functionOf, functions, kindOf } = buildFunctionTable(callFrame);
  const kind = new Uint8Array(count);
  for (let i = 0; i < count; i++) kind[i] = kindOf[functionOf[i]];

  const samples = sampleTimes(profile, ids, firstRoot(parent));
  const { sampleCount, sampleNode, sampleTimeUs } = samples;
  const begin = sampleCount > 0 ? Math.min(profile.startTime, sampleTimeUs[0]) : profile.startTime;
  const end = sampleCount > 0 ? Math.max(profile.endTime, sampleTimeUs[sampleCount - 1]) : profile.endTime;
  const sampleWeightMs = new Float64Array(sampleCount);
  const selfUs = new Float64Array(count);
  const hitCount = new Uint32Array(count);
  for (let i = 0; i < sampleCount; i++) {
    let weightUs = (i + 1 < sampleCount ? sampleTimeUs[i + 1] : end) - sampleTimeUs[i];
    if (i === 0) weightUs += sampleTimeUs[0] - begin;
    sampleWeightMs[i] = weightUs / 1000;
    const node = sampleNode[i];
    selfUs[node] += weightUs;
    hitCount[node]++;
  }
  const selfMs = new Float64Array(count);
  let idleMs = 0;
  let programMs = 0;
  let gcMs = 0;
  for (let i = 0; i < count; i++) {
    const ms = selfUs[i] / 1000;
    selfMs[i] = ms;
    if (ms === 0) continue;
    if (kind[i] === FrameKind.idle) idleMs += ms;
    else if (kind[i] === FrameKind.program) programMs += ms;
    else if (kind[i] === FrameKind.gc) gcMs += ms;
  }

  return {
    nodeCount: count,
    nodeId,
    parent,
    childStart,
    childList,
    preorder,
    callFrame,
    positionTicks,
    kind,
    selfMs,
    hitCount,
    functionOf,
    functions,
    functionKind: kindOf,
    sampleCount,
    sampleNode,
    sampleTimeUs,
    sampleWeightMs,
    startTime: profile.startTime,
    endTime: profile.endTime,
    durationMs: (end - begin) / 1000,
    idleMs,
    programMs,
    gcMs,
    hasPositionTicks,
    indexOfId: (id) => ids.indexOf(id),
  };
}

/** From `children` lists, or from `parent` ids for producers that write those instead. */
function parentsOf(nodes: Profile['nodes'], ids: NodeIdIndex): Int32Array {
  const count = nodes.length;
  const parent = new Int32Array(count).fill(-1);
  let linked = false;
  for (let i = 0; i < count; i++) {
    const children = nodes[i].children;
    if (!children) continue;
    for (let k = 0; k < children.length; k++) {
      const child = ids.indexOf(children[k]);
      if (child >= 0 && child !== i) {
        parent[child] = i;
        linked = true;
      }
    }
  }
  if (!linked) {
    for (let i = 0; i < count; i++) {
      const parentId = (nodes[i] as { parent?: number }).parent;
      if (parentId !== undefined) parent[i] = ids.indexOf(parentId);
    }
  }
  return parent;
}

function childrenOf(parent: Int32Array): { childStart: Int32Array; childList: Int32Array } {
  const count = parent.length;
  const childStart = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) if (parent[i] >= 0) childStart[parent[i] + 1]++;
  for (let i = 0; i < count; i++) childStart[i + 1] += childStart[i];
  const childList = new Int32Array(childStart[count]);
  const cursor = childStart.slice(0, count);
  for (let i = 0; i < count; i++) if (parent[i] >= 0) childList[cursor[parent[i]]++] = i;
  return { childStart, childList };
}

/** Iterative depth-first preorder from every root; children keep their order. */
function preorderOf(parent: Int32Array, childStart: Int32Array, childList: Int32Array): Int32Array {
  const count = parent.length;
  const preorder = new Int32Array(count);
  const stack = new Int32Array(count);
  const seen = new Uint8Array(count);
  let out = 0;
  for (let root = 0; root < count; root++) {
    if (parent[root] >= 0) continue;
    let top = 0;
    stack[top++] = root;
    while (top > 0) {
      const node = stack[--top];
      preorder[out++] = node;
      seen[node] = 1;
      for (let k = childStart[node + 1] - 1; k >= childStart[node]; k--) stack[top++] = childList[k];
    }
  }
  // Only a malformed tree (a cycle, which validateCpuProfile rejects) leaves nodes unvisited.
  for (let i = 0; out < count && i < count; i++) if (!seen[i]) preorder[out++] = i;
  return preorder;
}

function firstRoot(parent: Int32Array): number {
  for (let i = 0; i < parent.length; i++) if (parent[i] < 0) return i;
  return 0;
}

interface Samples {
  sampleCount: number;
  sampleNode: Int32Array;
  sampleTimeUs: Float64Array;
}

/** Absolute times from the deltas, sorted stably when a delta is negative. */
function sampleTimes(profile: Profile, ids: NodeIdIndex, fallbackNode: number): Samples {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const sampleCount = Math.min(samples.length, deltas.length);
  let sampleNode = new Int32Array(sampleCount);
  let sampleTimeUs = new Float64Array(sampleCount);
  let time = profile.startTime;
  let ordered = true;
  for (let i = 0; i < sampleCount; i++) {
    const delta = deltas[i];
    if (delta < 0) ordered = false;
    time += delta;
    sampleTimeUs[i] = time;
    const node = ids.indexOf(samples[i]);
    sampleNode[i] = node >= 0 ? node : fallbackNode;
  }
  if (!ordered) {
    const times = sampleTimeUs;
    const order = Array.from({ length: sampleCount }, (_, i) => i).sort((a, b) => times[a] - times[b] || a - b);
    const nodes = sampleNode;
    sampleNode = new Int32Array(sampleCount);
    sampleTimeUs = new Float64Array(sampleCount);
    for (let i = 0; i < sampleCount; i++) {
      sampleNode[i] = nodes[order[i]];
      sampleTimeUs[i] = times[order[i]];
    }
  }
  return { sampleCount, sampleNode, sampleTimeUs };
}
