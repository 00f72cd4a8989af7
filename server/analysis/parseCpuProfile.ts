import type { Protocol } from 'devtools-protocol';
import { findJsonSyntaxError } from './jsonSyntaxError';
import { NodeIdIndex } from './nodeIdIndex';

type Profile = Protocol.Profiler.Profile;
type Json = Record<string, unknown>;

/** A file or object that is not a usable V8 CPU profile. The message says what is wrong, in words. */
export class ProfileFormatError extends Error {
  override name = 'ProfileFormatError';
}

/**
 * Parses a `.cpuprofile` (Chrome DevTools, `node --cpu-prof`, the inspector's `Profiler.stop`,
 * js-debug; also the `{"profile": {...}}` wrapper the inspector answers with) and checks it.
 * Throws a ProfileFormatError naming what is wrong. See validateCpuProfile for what is normalized.
 */
export function parseCpuProfile(text: string): Profile {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/^\s*$/.test(text)) throw new ProfileFormatError('the file is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProfileFormatError(describeJsonError(text, err));
  }
  return validateCpuProfile(value);
}

/**
 * Checks an already parsed value and returns it as a Profile. Normalizes in place: unwraps
 * `{profile}` (and a raw CDP `{result: {profile}}`), fills `children` from `parent` links when a
 * producer wrote those instead, and gives missing `url`/`scriptId`/`lineNumber`/`columnNumber`
 * their protocol defaults ('' / '0' / -1).
 */
export function validateCpuProfile(value: unknown): Profile {
  const profile = unwrap(value);
  const nodes = profile.nodes;
  if (nodes === undefined) throw fail(`\`nodes\` is missing (${keysOf(profile)}); a .cpuprofile has \`nodes\`, \`startTime\`, \`endTime\`, \`samples\` and \`timeDeltas\``);
  if (!Array.isArray(nodes)) throw fail(`\`nodes\` must be an array of call-tree nodes, not ${typeName(nodes)}`);
  if (nodes.length === 0) throw fail('`nodes` is empty: the profile has no call tree');
  for (const key of ['startTime', 'endTime'] as const) {
    const time = profile[key];
    if (time === undefined) throw fail(`\`${key}\` is missing`);
    if (typeof time !== 'number' || !Number.isFinite(time)) throw fail(`\`${key}\` must be a number (microseconds), not ${describe(time)}`);
  }
  if ((profile.endTime as number) < (profile.startTime as number)) throw fail(`\`endTime\` (${profile.endTime}) is before \`startTime\` (${profile.startTime})`);

  const index = checkNodes(nodes);
  checkSamples(profile, index);
  return profile as unknown as Profile;
}

function unwrap(value: unknown): Json {
  if (Array.isArray(value)) {
    const first = value[0] as Json | undefined;
    if (first && typeof first === 'object' && 'ph' in first && 'ts' in first) throw fail(foreign.trace);
    throw fail('the JSON is an array, not a CPU profile object');
  }
  if (typeof value !== 'object' || value === null) throw fail(`the JSON is ${typeName(value)}, not a CPU profile object`);
  let object = value as Json;
  if (object.nodes === undefined) {
    const result = object.result as Json | undefined;
    const inner = object.profile ?? (result && typeof result === 'object' ? result.profile : undefined);
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) object = inner as Json;
  }
  const other = foreignFormat(object);
  if (other) throw fail(other);
  return object;
}

const foreign = {
  speedscope: 'it is a speedscope file, not a .cpuprofile: open it in speedscope, or give the .cpuprofile it was made from',
  trace: 'it is a Chrome performance trace (trace events), not a .cpuprofile: record with `node --cpu-prof`, js-debug or the inspector\'s Profiler, or open the trace in Chrome DevTools\' Performance panel',
  heapSnapshot: 'it is a heap snapshot (.heapsnapshot), not a CPU profile',
  heapProfile: 'it is a sampling heap profile (.heapprofile), not a CPU profile',
  oldFormat: 'it is a CPU profile in the old Chrome format (a `head` tree, before 2016), which is not supported: record it again',
  v8Log: 'it is a preprocessed V8 tick log (`node --prof`, 0x), not a .cpuprofile: open it in speedscope',
  report: 'it is a PerfLens report, not a .cpuprofile: give the .cpuprofile written beside it',
};

function foreignFormat(object: Json): string | undefined {
  if (object.nodes !== undefined) return undefined;
  if ((typeof object.$schema === 'string' && object.$schema.includes('speedscope')) || (object.shared !== undefined && Array.isArray(object.profiles))) return foreign.speedscope;
  if (Array.isArray(object.traceEvents)) return foreign.trace;
  if (object.snapshot !== undefined && Array.isArray(object.strings)) return foreign.heapSnapshot;
  const head = object.head as Json | undefined;
  if (head && typeof head === 'object') return 'callFrame' in head ? foreign.heapProfile : foreign.oldFormat;
  if (Array.isArray(object.code) && Array.isArray(object.ticks)) return foreign.v8Log;
  if (Array.isArray(object.functions) && Array.isArray(object.lines) && 'version' in object) return foreign.report;
  return undefined;
}

/** Checks every node and the tree they form; returns the id index. Fills `children` from `parent`. */
function checkNodes(nodes: unknown[]): NodeIdIndex {
  const count = nodes.length;
  const ids = new Float64Array(count);
  let hasChildren = false;
  let hasParent = false;
  for (let i = 0; i < count; i++) {
    const node = nodes[i] as Json;
    if (typeof node !== 'object' || node === null || Array.isArray(node)) throw fail(`nodes[${i}] is ${typeName(node)}, not a node object`);
    const id = node.id;
    if (typeof id !== 'number' || !Number.isInteger(id)) throw fail(wrong(`nodes[${i}]`, 'id', 'an integer', id));
    ids[i] = id;
    const where = `node ${id} (nodes[${i}])`;
    checkCallFrame(node.callFrame, where);
    if (node.children !== undefined) {
      if (!Array.isArray(node.children)) throw fail(`${where}: \`children\` must be an array of node ids, not ${typeName(node.children)}`);
      hasChildren = true;
    }
    if (node.parent !== undefined) {
      if (typeof node.parent !== 'number') throw fail(`${where}: \`parent\` must be a node id, not ${describe(node.parent)}`);
      hasParent = true;
    }
    if (node.hitCount !== undefined && typeof node.hitCount !== 'number') throw fail(`${where}: \`hitCount\` must be a number, not ${describe(node.hitCount)}`);
    if (node.positionTicks !== undefined) checkPositionTicks(node.positionTicks, where);
  }
  const index = new NodeIdIndex(ids);
  if (index.duplicateId !== undefined) throw fail(`node id ${index.duplicateId} appears twice in \`nodes\``);

  const parentOf = new Int32Array(count).fill(-1);
  if (hasChildren) {
    for (let i = 0; i < count; i++) {
      const children = (nodes[i] as Json).children as unknown[] | undefined;
      if (!children) continue;
      for (const childId of children) {
        const j = typeof childId === 'number' ? index.indexOf(childId) : -1;
        if (j < 0) throw fail(`node ${ids[i]} lists child ${describe(childId)}, which is not in \`nodes\``);
        if (parentOf[j] !== -1) throw fail(`node ${childId} is listed as a child of both node ${ids[parentOf[j]]} and node ${ids[i]}`);
        parentOf[j] = i;
      }
    }
  } else if (hasParent) {
    for (let i = 0; i < count; i++) {
      const parentId = (nodes[i] as Json).parent as number | undefined;
      if (parentId === undefined) continue;
      const j = index.indexOf(parentId);
      if (j < 0) throw fail(`node ${ids[i]} names parent ${parentId}, which is not in \`nodes\``);
      parentOf[i] = j;
    }
    for (let i = 0; i < count; i++) {
      if (parentOf[i] < 0) continue;
      const parent = nodes[parentOf[i]] as Json;
      ((parent.children ??= []) as number[]).push(ids[i]);
    }
  }
  checkAcyclic(parentOf, ids);
  return index;
}

function checkCallFrame(value: unknown, where: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(`${where} has no \`callFrame\``);
  const frame = value as Json;
  if (typeof frame.functionName !== 'string') throw fail(wrong(where, 'callFrame.functionName', 'a string', frame.functionName));
  if (frame.url === undefined) frame.url = '';
  else if (typeof frame.url !== 'string') throw fail(wrong(where, 'callFrame.url', 'a string', frame.url));
  if (frame.scriptId === undefined) frame.scriptId = '0';
  else if (typeof frame.scriptId === 'number') frame.scriptId = String(frame.scriptId);
  else if (typeof frame.scriptId !== 'string') throw fail(wrong(where, 'callFrame.scriptId', 'a string', frame.scriptId));
  for (const key of ['lineNumber', 'columnNumber'] as const) {
    if (frame[key] === undefined) frame[key] = -1;
    else if (typeof frame[key] !== 'number') throw fail(wrong(where, `callFrame.${key}`, 'a number', frame[key]));
  }
}

function checkPositionTicks(value: unknown, where: string): void {
  if (!Array.isArray(value)) throw fail(`${where}: \`positionTicks\` must be an array, not ${typeName(value)}`);
  for (const tick of value as Json[]) {
    if (typeof tick !== 'object' || tick === null || typeof tick.line !== 'number' || typeof tick.ticks !== 'number') {
      throw fail(`${where}: every \`positionTicks\` entry needs a numeric \`line\` and \`ticks\`, got ${describe(tick)}`);
    }
    // Ticks share out the node's self time: a negative or fractional count would make line costs negative or NaN.
    if (!Number.isSafeInteger(tick.ticks) || (tick.ticks as number) < 0) throw fail(`${where}: \`positionTicks\` \`ticks\` must be a count (a whole number ≥ 0), not ${describe(tick.ticks)}`);
    if (!Number.isFinite(tick.line)) throw fail(`${where}: \`positionTicks\` \`line\` must be a line number, not ${describe(tick.line)}`);
  }
}

/** Every parent chain must end at a root; a cycle would hang every tree walk. */
function checkAcyclic(parentOf: Int32Array, ids: Float64Array): void {
  const count = parentOf.length;
  const state = new Uint8Array(count); // 0 unseen, 1 on the current walk, 2 reaches a root
  const path = new Int32Array(count);
  let roots = 0;
  for (let i = 0; i < count; i++) {
    if (parentOf[i] < 0) roots++;
    let length = 0;
    let j = i;
    while (j !== -1 && state[j] === 0) {
      state[j] = 1;
      path[length++] = j;
      j = parentOf[j];
    }
    if (j !== -1 && state[j] === 1) throw fail(`the call tree has a cycle through node ${ids[j]}`);
    for (let k = 0; k < length; k++) state[path[k]] = 2;
  }
  if (roots === 0) throw fail('the call tree has no root node');
}

function checkSamples(profile: Json, index: NodeIdIndex): void {
  const { samples, timeDeltas } = profile;
  if (samples === undefined && timeDeltas === undefined) {
    throw fail('the profile has no samples (`samples` and `timeDeltas` are missing; only the call tree was saved): record it again with `node --cpu-prof`, Chrome DevTools or js-debug');
  }
  if (samples === undefined) throw fail('the profile has no samples: `samples` is missing but `timeDeltas` is there');
  if (timeDeltas === undefined) throw fail('`timeDeltas` is missing: the samples have no times');
  if (!Array.isArray(samples)) throw fail(`\`samples\` must be an array of node ids, not ${typeName(samples)}`);
  if (!Array.isArray(timeDeltas)) throw fail(`\`timeDeltas\` must be an array of numbers, not ${typeName(timeDeltas)}`);
  if (samples.length !== timeDeltas.length) throw fail(`\`samples\` has ${samples.length} entries but \`timeDeltas\` has ${timeDeltas.length}: they must be the same length`);
  if (samples.length === 0) throw fail('the profile has no samples (`samples` is empty): it was stopped before the first sample; profile for longer');
  const startTime = profile.startTime as number;
  let time = startTime;
  let earliest = Math.min(startTime, profile.endTime as number);
  let latest = Math.max(startTime, profile.endTime as number);
  if (!Number.isFinite(latest - earliest)) throw fail(`\`startTime\` (${startTime}) and \`endTime\` (${profile.endTime}) are too far apart to be a duration in microseconds`);
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i];
    if (typeof id !== 'number' || index.indexOf(id) < 0) throw fail(`samples[${i}] refers to node ${describe(id)}, which is not in \`nodes\``);
    const delta = timeDeltas[i];
    if (typeof delta !== 'number' || !Number.isFinite(delta)) throw fail(wrong('the profile', `timeDeltas[${i}]`, 'a number', delta));
    // Each delta may be finite and their sum not: the sample times (and every duration) would be Infinity or NaN.
    time += delta;
    earliest = Math.min(earliest, time);
    latest = Math.max(latest, time);
    if (!Number.isFinite(latest - earliest)) throw fail(`\`timeDeltas[${i}]\` (${delta}) puts sample ${i} at ${time} µs, too far from the others to be a duration`);
  }
}

function describeJsonError(text: string, err: unknown): string {
  const found = findJsonSyntaxError(text);
  const length = text.trimEnd().length;
  if (!found) return `not valid JSON: ${err instanceof Error ? err.message : String(err)}`;
  if (found.position >= length) {
    return `not valid JSON: it looks truncated (the text stops after ${length} characters in the middle of a value; was the file cut off while being written?)`;
  }
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < found.position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const snippet = JSON.stringify(text.slice(found.position, found.position + 20));
  return `not valid JSON at line ${line}, column ${found.position - lineStart + 1} (character ${found.position}): expected ${found.expected}, found ${snippet}`;
}

/** `node 3 (nodes[2]): \`callFrame.url\` is missing` or `… must be a string, not 12`. */
function wrong(where: string, field: string, expected: string, value: unknown): string {
  return value === undefined ? `${where}: \`${field}\` is missing` : `${where}: \`${field}\` must be ${expected}, not ${describe(value)}`;
}

function fail(message: string): ProfileFormatError {
  return new ProfileFormatError(message);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeName(value);
}

function keysOf(object: Json): string {
  const keys = Object.keys(object);
  if (keys.length === 0) return 'the object is empty';
  const shown = keys.slice(0, 8).map((k) => `\`${k}\``).join(', ');
  return `the object has ${shown}${keys.length > 8 ? ', …' : ''}`;
}
