// Property-based tests of the .cpuprofile parser with what users may feed it: generated valid
// profiles (the analysis must hold its invariants on them) and malformed ones (the parser must say
// what is wrong in its own error, never let a TypeError or RangeError out).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCpuProfile, ProfileFormatError, validateCpuProfile } from '../../server/analysis/parseCpuProfile';
import { buildProfileModel } from '../../server/analysis/profileModel';
import { buildReport } from '../../server/analysis/buildReport';
import { pathsOf, type PathSegment } from './fuzzPaths';

// At least 1000 cases per property; FUZZ_RUNS=20000 (say) searches harder.
const RUNS = Math.max(1000, Number(process.env.FUZZ_RUNS ?? 0));

type Json = Record<string, unknown>;

interface Generated {
  /** The profile object (not wrapped). */
  profile: Json;
  /** How it is written to text. */
  wrapper: 'none' | 'profile' | 'result';
  bom: boolean;
}

const functionName = fc.oneof(
  fc.constantFrom('(root)', '(program)', '(idle)', '(garbage collector)', '', 'main', 'handle', 'constructor', '__proto__'),
  fc.string({ maxLength: 12 }),
);
const url = fc.oneof(
  fc.constant(''),
  fc.constantFrom('file:///app/server.js', 'file:///app/lib/util.js', 'node:internal/timers', 'file:///C:/x/y%20z.js', 'file:///bad%ZZ.js', 'file://host/share/a.js', 'http://x/a.js'),
  fc.string({ maxLength: 12 }),
);
const position = fc.oneof(fc.integer({ min: -1, max: 200 }), fc.integer({ min: -1, max: 2_000_000 }));
const callFrame = fc.record(
  {
    functionName,
    url,
    scriptId: fc.oneof(fc.nat(40).map(String), fc.nat(40)),
    lineNumber: position,
    columnNumber: position,
  },
  { requiredKeys: ['functionName'] },
);
const positionTicks = fc.array(fc.record({ line: fc.integer({ min: 1, max: 5000 }), ticks: fc.integer({ min: 1, max: 1000 }) }), { maxLength: 4 });
const delta = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 2000 }) },
  { weight: 1, arbitrary: fc.integer({ min: -500, max: 0 }) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 10_000, noNaN: true }) },
);

/** A valid profile: a random tree (by children, parent links or both), samples on its nodes, in random node order. */
const validProfile: fc.Arbitrary<Generated> = fc.integer({ min: 1, max: 30 }).chain((n) =>
  fc
    .record({
      parentPicks: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: n, maxLength: n }),
      ids: fc.uniqueArray(fc.oneof(fc.integer({ min: 1, max: 3 * n }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 })), { minLength: n, maxLength: n }),
      frames: fc.array(callFrame, { minLength: n, maxLength: n }),
      ticks: fc.array(fc.option(positionTicks, { nil: undefined }), { minLength: n, maxLength: n }),
      hitCounts: fc.boolean(),
      order: fc.array(fc.double({ noNaN: true }), { minLength: n, maxLength: n }),
      links: fc.constantFrom('children', 'parent', 'both'),
      samples: fc.array(fc.nat(), { minLength: 1, maxLength: 300 }),
      deltas: fc.array(delta, { minLength: 300, maxLength: 300 }),
      startTime: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 2 ** 51 })),
      endSlack: fc.integer({ min: -5000, max: 5000 }),
      wrapper: fc.constantFrom('none', 'profile', 'result'),
      bom: fc.boolean(),
    })
    .map(({ parentPicks, ids, frames, ticks, hitCounts, order, links, samples, deltas, startTime, endSlack, wrapper, bom }) => {
      const parentOf = parentPicks.map((pick, i) => (i === 0 ? -1 : Math.floor(pick * i)));
      const nodes: Json[] = ids.map((id, i) => ({ id, callFrame: { ...frames[i] } }));
      nodes[0].callFrame = { functionName: '(root)', url: '', scriptId: '0', lineNumber: -1, columnNumber: -1 };
      for (let i = 1; i < n; i++) {
        if (links !== 'parent') ((nodes[parentOf[i]].children ??= []) as number[]).push(ids[i]);
        if (links !== 'children') nodes[i].parent = ids[parentOf[i]];
      }
      const sampleIds = samples.map((s) => ids[s % n]);
      const timeDeltas = deltas.slice(0, samples.length);
      for (let i = 0; i < n; i++) {
        if (ticks[i]) nodes[i].positionTicks = ticks[i];
        if (hitCounts) nodes[i].hitCount = sampleIds.filter((id) => id === ids[i]).length;
      }
      const shuffled = nodes.map((node, i) => ({ node, key: order[i] })).sort((a, b) => a.key - b.key).map((e) => e.node);
      const sum = timeDeltas.reduce((a, b) => a + b, 0);
      const endTime = Math.max(startTime, startTime + sum + endSlack);
      const profile: Json = { nodes: shuffled, startTime, endTime, samples: sampleIds, timeDeltas };
      return { profile, wrapper, bom } as Generated;
    }),
);

function toText({ profile, wrapper, bom }: Generated): string {
  const value = wrapper === 'profile' ? { profile } : wrapper === 'result' ? { id: 3, result: { profile } } : profile;
  return `${bom ? '\ufeff' : ''}${JSON.stringify(value)}`;
}

type Outcome = { profile: ReturnType<typeof parseCpuProfile>; message?: undefined } | { profile?: undefined; message: string };

/** Parses, or gives the message of the parser's own refusal, which must say something. Any other error fails. */
function tryParse(run: () => ReturnType<typeof parseCpuProfile>): Outcome {
  try {
    return { profile: run() };
  } catch (err) {
    if (!(err instanceof ProfileFormatError)) throw new Error(`not a ProfileFormatError: ${(err as Error)?.stack ?? String(err)}`, { cause: err });
    assert.ok(err.message.length > 0, 'an empty message');
    assert.doesNotMatch(err.message, /undefined|\[object Object\]/, `a message naming nothing: ${err.message}`);
    return { message: err.message };
  }
}

/** What must hold of any profile the parser accepted: the analysis runs, and its numbers make sense. */
function checkAnalysis(profile: ReturnType<typeof parseCpuProfile>): void {
  const model = buildProfileModel(profile);
  assert.ok(Number.isFinite(model.durationMs) && model.durationMs >= 0, `durationMs ${model.durationMs}`);
  let selfSum = 0;
  let hits = 0;
  for (let i = 0; i < model.nodeCount; i++) {
    assert.ok(model.selfMs[i] >= 0, `selfMs[${i}] = ${model.selfMs[i]}`);
    selfSum += model.selfMs[i];
    hits += model.hitCount[i];
  }
  assert.equal(hits, model.sampleCount);
  // The times are floats (µs since some epoch); each difference rounds by at most an ulp of the largest time.
  let largestUs = Math.max(Math.abs(model.startTime), Math.abs(model.endTime));
  for (const t of model.sampleTimeUs) largestUs = Math.max(largestUs, Math.abs(t));
  const tolerance = (4 * (model.sampleCount + 2) * Number.EPSILON * largestUs) / 1000 + 1e-12;
  assert.ok(Math.abs(selfSum - model.durationMs) <= tolerance, `self times add up to ${selfSum}, not ${model.durationMs}`);

  const report = buildReport({ model, target: 'fuzz' });
  assert.equal(report.profile.samples, model.sampleCount);
  // Shares are self (or total) time over the duration; the float error above is all they may exceed 1 by.
  const shareTolerance = model.durationMs > 0 ? tolerance / model.durationMs + 1e-12 : 0;
  const inRange = (share: number, what: string) => assert.ok(share >= 0 && share <= 1 + shareTolerance, `${what} = ${share}`);
  inRange(report.profile.idleShare, 'idleShare');
  for (const f of report.functions) {
    inRange(f.selfShare, `selfShare of ${f.name}`);
    inRange(f.totalShare, `totalShare of ${f.name}`);
    assert.ok(f.selfMs <= f.totalMs + tolerance, `${f.name}: self ${f.selfMs} > total ${f.totalMs}`);
  }
  for (const l of report.lines) inRange(l.selfShare, `selfShare of ${l.file}:${l.line}`);
  assert.ok(Number.isFinite(report.profile.samplingIntervalUs), `samplingIntervalUs ${report.profile.samplingIntervalUs}`);
}

test('valid generated profiles parse, and the analysis holds its invariants', () => {
  fc.assert(
    fc.property(validProfile, (generated) => {
      const profile = parseCpuProfile(toText(generated));
      assert.equal(profile.nodes.length, (generated.profile.nodes as unknown[]).length);
      // Parent links become children: every non-root node is some node's child, exactly once.
      const childCount = profile.nodes.reduce((sum, node) => sum + (node.children?.length ?? 0), 0);
      assert.equal(childCount, profile.nodes.length - 1);
      checkAnalysis(profile);
    }),
    { numRuns: RUNS },
  );
});

// ---------------------------------------------------------------------------------------------
// Malformed input.

const weirdValue = fc.oneof(
  fc.constantFrom<unknown>(null, -1, 0, -0, 1.5, 1e308, -1e308, Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 53 + 2, 2 ** 31, '', '1', 'x', [], {}, true, false, [1], { id: 1 }),
  fc.jsonValue({ maxDepth: 2 }),
);
/** Values only an in-process caller (not JSON) can pass to validateCpuProfile. */
const nonJsonValue = fc.constantFrom<unknown>(NaN, Infinity, -Infinity, undefined);

const MUTATIONS = ['delete', 'replace', 'duplicateId', 'danglingChild', 'cycle', 'negativeDelta', 'hugeDelta', 'hugeTime', 'truncateArray', 'swapSample', 'badTicks'] as const;
interface Mutation {
  kind: (typeof MUTATIONS)[number];
  pick: number;
  other: number;
  value: unknown;
}
const mutation: fc.Arbitrary<Mutation> = fc.record({ kind: fc.constantFrom(...MUTATIONS), pick: fc.nat(), other: fc.nat(), value: weirdValue });

type Segment = PathSegment;


function containerAt(root: unknown, path: Segment[]): Json | unknown[] {
  let value = root as Json;
  for (const segment of path.slice(0, -1)) value = (value as Json)[segment as string] as Json;
  return value;
}

/** Applies a mutation to the profile object in place; returns the top-level key it touched. */
function mutate(profile: Json, m: Mutation): string | undefined {
  const nodes = Array.isArray(profile.nodes) ? (profile.nodes as Json[]).filter((n) => n && typeof n === 'object') : [];
  const node = (k: number) => nodes[k % nodes.length];
  const childrenOf = (n: Json) => (Array.isArray(n.children) ? n.children : (n.children = [])) as unknown[];
  switch (m.kind) {
    case 'delete':
    case 'replace': {
      const paths = pathsOf(profile);
      if (paths.length === 0) return undefined;
      const path = paths[m.pick % paths.length];
      const container = containerAt(profile, path);
      const last = path[path.length - 1];
      // A copy: fast-check hands out the same [] and {} each time (see fuzzExplainPlan).
      if (m.kind === 'replace') (container as Json)[last as string] = structuredClone(m.value);
      else if (Array.isArray(container)) container.splice(last as number, 1);
      else delete container[last as string];
      return String(path[0]);
    }
    case 'duplicateId':
      if (nodes.length < 2) return undefined;
      node(m.pick).id = node(m.pick + 1 + (m.other % (nodes.length - 1))).id;
      return 'nodes';
    case 'danglingChild':
      if (!nodes.length) return undefined;
      childrenOf(node(m.pick)).push(typeof m.value === 'number' ? m.value : 1e9 + m.other);
      return 'nodes';
    case 'cycle': {
      // The root becomes a child (or the child of its own descendant, by `parent`).
      if (!nodes.length) return undefined;
      const root = nodes.find((n) => !nodes.some((p) => Array.isArray(p.children) && p.children.includes(n.id))) ?? nodes[0];
      const other = node(m.pick);
      childrenOf(other).push(root.id);
      root.parent = other.id;
      return 'nodes';
    }
    case 'negativeDelta':
    case 'hugeDelta': {
      const deltas = profile.timeDeltas;
      if (!Array.isArray(deltas) || deltas.length === 0) return undefined;
      const huge = [Number.MAX_VALUE, -Number.MAX_VALUE, 1e308, -1e308][m.other % 4];
      deltas[m.pick % deltas.length] = m.kind === 'negativeDelta' ? -1 - (m.other % 1e6) : huge;
      return 'timeDeltas';
    }
    case 'hugeTime': {
      const key = m.pick % 2 ? 'startTime' : 'endTime';
      profile[key] = [Number.MAX_VALUE, -Number.MAX_VALUE, 1e300, -1e300, 2 ** 63][m.other % 5];
      return key;
    }
    case 'truncateArray': {
      const key = (['nodes', 'samples', 'timeDeltas'] as const)[m.pick % 3];
      const array = profile[key];
      if (!Array.isArray(array)) return undefined;
      array.length = m.other % (array.length + 1);
      return key;
    }
    case 'badTicks': {
      const withTicks = nodes.filter((n) => Array.isArray(n.positionTicks) && n.positionTicks.length > 0);
      if (!withTicks.length) return undefined;
      const ticks = withTicks[m.pick % withTicks.length].positionTicks as Json[];
      const tick = ticks[m.other % ticks.length];
      if (!tick || typeof tick !== 'object') return undefined;
      tick[m.other % 3 ? 'ticks' : 'line'] = [-1, -1000, 0.5, 1e308, Number.MAX_VALUE, 2 ** 53][m.other % 6];
      return 'nodes';
    }
    case 'swapSample': {
      const samples = profile.samples;
      if (!Array.isArray(samples) || samples.length === 0) return undefined;
      samples[m.pick % samples.length] = structuredClone(m.value);
      return 'samples';
    }
  }
}

/** The words a message about a top-level key must contain one of. */
const NAMES: Record<string, RegExp> = {
  nodes: /node|call tree|callFrame/,
  samples: /sample/,
  timeDeltas: /timeDeltas|sample/,
  startTime: /startTime/,
  endTime: /endTime/,
};

test('mutated profiles are accepted (and analysable) or refused with a ProfileFormatError naming what is wrong', () => {
  fc.assert(
    fc.property(validProfile, fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.constantFrom('none', 'profile', 'result'), (generated, mutations, wrapper) => {
      const profile = structuredClone(generated.profile);
      const touched = new Set(mutations.map((m) => mutate(profile, m)).filter((k): k is string => k !== undefined));
      const outcome = tryParse(() => parseCpuProfile(toText({ profile, wrapper, bom: false })));
      if (outcome.profile) return checkAnalysis(outcome.profile);
      const known = [...touched].filter((key) => NAMES[key]);
      if (known.length === touched.size && known.length > 0) {
        assert.ok(known.some((key) => NAMES[key].test(outcome.message)), `a message about ${[...touched].join(', ')} names none of them: ${outcome.message}`);
      }
    }),
    { numRuns: RUNS },
  );
});

test('values JSON cannot hold (NaN, Infinity, undefined) are refused by validateCpuProfile, not passed on', () => {
  fc.assert(
    fc.property(validProfile, fc.nat(), nonJsonValue, (generated, pick, value) => {
      const profile = structuredClone(generated.profile);
      const paths = pathsOf(profile);
      const path = paths[pick % paths.length];
      (containerAt(profile, path) as Json)[path[path.length - 1] as string] = value;
      const { profile: parsed } = tryParse(() => validateCpuProfile(profile));
      if (parsed) checkAnalysis(parsed);
    }),
    { numRuns: RUNS },
  );
});

test('any JSON value is accepted or refused with a ProfileFormatError', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
      const { profile } = tryParse(() => parseCpuProfile(JSON.stringify(value) ?? 'null'));
      if (profile) checkAnalysis(profile);
    }),
    { numRuns: RUNS },
  );
});

test('truncated profile text is refused as JSON that stops early', () => {
  fc.assert(
    fc.property(validProfile, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (generated, at) => {
      const text = JSON.stringify(generated.profile);
      const cut = text.slice(0, Math.floor(at * text.length));
      const { message } = tryParse(() => parseCpuProfile(cut));
      assert.ok(message !== undefined, 'a truncated text parsed');
      assert.match(message, /the file is empty|not valid JSON/);
      if (cut.trim() !== '') assert.match(message, /truncated|line \d+, column \d+/);
    }),
    { numRuns: RUNS },
  );
});

test('profile text with characters changed, and random strings or bytes, never crash the parser', () => {
  const edited = fc.tuple(validProfile, fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 4 })).map(([generated, edits]) => {
    let text = toText(generated);
    for (const [at, removed, inserted] of edits) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + inserted + text.slice(i + removed);
    }
    return text;
  });
  const bytes = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString(b[0] & 1 ? 'latin1' : 'utf8'));
  const strings = fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '1', '-', 'e', ' ', '\\', 'n', 'u'), maxLength: 60 }));
  fc.assert(
    fc.property(fc.oneof(edited, bytes, strings), (text) => {
      const { profile } = tryParse(() => parseCpuProfile(text));
      if (profile) checkAnalysis(profile);
    }),
    { numRuns: RUNS },
  );
});

test('deeply nested JSON and deep call trees neither overflow the stack nor hang', () => {
  const nested = fc.tuple(fc.integer({ min: 1000, max: 50_000 }), fc.constantFrom('[', '{"nodes":', '{"profile":', '{"a":['), fc.boolean()).map(([depth, open, closed]) => {
    const close = open === '[' ? ']' : open === '{"a":[' ? ']}' : '}';
    return open.repeat(depth) + (closed ? `1${close.repeat(depth)}` : '');
  });
  const chain = fc.tuple(fc.integer({ min: 100, max: 1500 }), fc.array(fc.nat(), { minLength: 1, maxLength: 20 }), fc.boolean()).map(([n, samples, byParent]) => {
    const nodes = Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      callFrame: { functionName: i % 3 ? `f${i % 5}` : 'recursive', url: 'file:///app/deep.js', scriptId: '1', lineNumber: i % 40, columnNumber: 0 },
      ...(byParent ? (i > 0 ? { parent: i } : {}) : i + 1 < n ? { children: [i + 2] } : {}),
    }));
    return JSON.stringify({ nodes, startTime: 0, endTime: 10 * samples.length, samples: samples.map((s) => (s % n) + 1), timeDeltas: samples.map(() => 10) });
  });
  fc.assert(
    fc.property(fc.oneof(nested, chain), (text) => {
      const { profile } = tryParse(() => parseCpuProfile(text));
      if (profile) checkAnalysis(profile);
    }),
    { numRuns: RUNS },
  );
});
