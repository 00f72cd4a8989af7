// Property-based tests of the load-test file parser with what users may type: random JSON texts,
// and the fixtures with keys removed, renamed and retyped. Either the file parses, or it is
// refused with a LoadTestConfigError whose every problem names the key and, in a text, its line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { formatJsonPath, LoadTestConfigError, parseJsonPath, parseLoadTestFile, type JsonPathSegment, type LoadTestFile, type LoadTestProblem } from '../../server/loadtest/loadTestFile';
import { pathsOf } from './fuzzPaths';

// At least 1000 cases per property; FUZZ_RUNS=20000 (say) searches harder.
const RUNS = Math.max(1000, Number(process.env.FUZZ_RUNS ?? 0));

const fixtures = ['full.load.json', 'minimal.load.json', 'bodies.load.json', 'invalid-many.load.json'].map((name) =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'loadtests', name), 'utf8')) as unknown,
);

type Outcome = { file: LoadTestFile; problems?: undefined } | { file?: undefined; problems: LoadTestProblem[] };

/** Parses; a refusal must be a LoadTestConfigError with well-formed problems. Anything else thrown fails. */
function parse(text: string): Outcome {
  try {
    return { file: parseLoadTestFile(text, 'fuzz.load.json') };
  } catch (err) {
    if (!(err instanceof LoadTestConfigError)) throw new Error(`not a LoadTestConfigError: ${(err as Error)?.stack ?? String(err)}`, { cause: err });
    assert.ok(err.problems.length > 0, 'a LoadTestConfigError without problems');
    const lineCount = text.split('\n').length;
    for (const p of err.problems) {
      assert.equal(typeof p.message, 'string');
      assert.ok(p.message.trim().length > 0, `an empty message at ${p.path}`);
      assert.doesNotMatch(p.message, /\bundefined\b|\[object Object\]|\bNaN\b/, `a message naming nothing: ${p.message}`);
      assert.ok(parseJsonPath(p.path) !== undefined, `not a path: ${p.path}`);
      assert.ok(err.message.includes(p.message), 'the error message lists every problem');
      if (p.path) assert.ok(err.message.includes(`${p.path}: `), `the error message names ${p.path}`);
      if (text.trim() !== '') {
        assert.ok(p.line !== undefined && p.column !== undefined, `no line for ${p.path}: ${p.message}`);
        assert.ok(p.line >= 1 && p.line <= lineCount && p.column >= 1, `line ${p.line}, column ${p.column} is outside the text`);
      }
    }
    // In file order.
    const offsets = err.problems.filter((p) => p.line !== undefined).map((p) => offsetOf(text, p.line!, p.column!));
    assert.ok(offsets.every((o, i) => i === 0 || o >= offsets[i - 1]), `problems out of file order: ${JSON.stringify(err.problems)}`);
    return { problems: err.problems };
  }
}

/** The value at a path and whether it is there (an index only into an array, a key only into an object). */
function valueAt(data: unknown, segments: readonly JsonPathSegment[]): { found: boolean; value?: unknown } {
  let value = data;
  for (const segment of segments) {
    if (typeof segment === 'number' ? !Array.isArray(value) || segment >= value.length : !isObject(value) || !Object.hasOwn(value, segment)) return { found: false };
    value = (value as Record<string, unknown>)[segment as string];
  }
  return { found: true, value };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Offset of a line and column (both from 1). */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  return offset + column - 1;
}

/** The string a text starts with, if it starts with a JSON string (`"\/name"` is `/name`). */
function keyAt(text: string): string | undefined {
  const token = /^"(?:[^"\\]|\\.)*"/.exec(text);
  try {
    return token ? (JSON.parse(token[0]) as string) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where a problem points must be what its path names: the key (for an object member) or the value
 * (for an array element or the root) of the deepest part of the path that the file has.
 */
function checkLocation(text: string, data: unknown, problem: LoadTestProblem): void {
  if (problem.line === undefined || problem.column === undefined || problem.path === '') return;
  const segments = parseJsonPath(problem.path)!;
  // Only a missing key is named by a path the file does not have.
  if (!problem.message.startsWith('is required')) assert.ok(valueAt(data, segments).found, `${problem.path} is not in the file: ${problem.message}`);
  let depth = segments.length;
  while (depth > 0 && !valueAt(data, segments.slice(0, depth)).found) depth--;
  const at = text.slice(offsetOf(text, problem.line, problem.column));
  const where = `${problem.path} (${problem.message}) is shown at line ${problem.line}, column ${problem.column}: ${JSON.stringify(at.slice(0, 30))}`;
  if (depth === 0) return assert.ok(at.startsWith(text.trimStart()[0]), where);
  const last = segments[depth - 1];
  if (typeof last === 'string') assert.equal(keyAt(at), last, `${where}, not at the key ${JSON.stringify(last)}`);
  else assert.ok(at.startsWith(JSON.stringify(valueAt(data, segments.slice(0, depth)).value)[0]), `${where}, not at element ${last}`);
}

/** What a file that parsed promises its users. */
function checkParsed(file: LoadTestFile): void {
  assert.ok(file.requests.length > 0 && file.scenarios.length > 0);
  assert.ok(Number.isSafeInteger(file.target.waitTimeoutMs) && file.target.waitTimeoutMs > 0);
  assert.equal(new Set(file.requests.map((r) => r.name)).size, file.requests.length, 'request names are unique');
  assert.equal(new Set(file.scenarios.map((s) => s.name)).size, file.scenarios.length, 'scenario names are unique');
  for (const r of file.requests) assert.ok(Number.isInteger(r.weight) && r.weight >= 1 && r.path.startsWith('/'), JSON.stringify(r));
  for (const s of file.scenarios) {
    assert.ok(Number.isSafeInteger(s.durationMs) && s.durationMs > 0, `${s.name}: durationMs ${s.durationMs}`);
    if (s.timeoutMs !== undefined) assert.ok(Number.isSafeInteger(s.timeoutMs) && s.timeoutMs > 0, `${s.name}: timeoutMs ${s.timeoutMs}`);
  }
}

const layout = fc.constantFrom<[number | string | undefined, boolean]>([undefined, false], [2, false], ['\t', false], [2, true], [4, false]);
function toText(data: unknown, [indent, crlf]: [number | string | undefined, boolean]): string {
  const text = JSON.stringify(data, null, indent) ?? 'null';
  return crlf ? text.replace(/\n/g, '\r\n') : text;
}

test('any JSON text is parsed or refused with located problems', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), layout, (value, how) => {
      const text = toText(value, how);
      const outcome = parse(text);
      if (outcome.file) return checkParsed(outcome.file);
      for (const problem of outcome.problems) checkLocation(text, value, problem);
    }),
    { numRuns: RUNS },
  );
});

// ---------------------------------------------------------------------------------------------
// Near-valid files: a fixture with a few mutations.

/** Objects whose keys the schema closes (additionalProperties: false), by where they are. */
function isClosedObject(path: readonly JsonPathSegment[]): boolean {
  const shape = path.map((s) => (typeof s === 'number' ? '#' : s)).join('/');
  return ['', 'target', 'requests/#', 'scenarios/#'].includes(shape);
}

/**
 * Whether an unknown key in this object must be reported. A scenario's keys depend on its type, so
 * they are checked only when it has a known one (else the type is the problem reported, which is fine).
 */
function reportsUnknownKeys(root: unknown, path: readonly JsonPathSegment[]): boolean {
  if (!isClosedObject(path)) return false;
  if (path[0] !== 'scenarios') return true;
  return ['sustained', 'ramp', 'spike', 'arrival-rate'].includes((valueAt(root, path).value as Record<string, unknown>).type as string);
}
const KNOWN_KEYS = new Set(['$schema', 'target', 'requests', 'scenarios', 'execution', 'allowHosts', 'thresholds', 'baseUrl', 'command', 'cwd', 'env', 'waitTimeout', 'name', 'method', 'path', 'headers', 'body', 'weight', 'type', 'duration', 'timeout', 'connections', 'rate', 'from', 'to', 'steps', 'baseline', 'spike', 'spikeDuration']);
const REQUIRED: Record<string, string[]> = { '': ['target', 'requests', 'scenarios'], target: ['baseUrl'], 'requests/#': ['path'], 'scenarios/#': ['type', 'duration'] };

const weirdValue = fc.oneof(
  fc.constantFrom<unknown>(null, 0, -1, 1.5, 1e21, 2 ** 53, '', ' ', '0s', '10x', '1h1h', '99999999999999999999s', 'http://', 'ftp://x', '/a b', 'GET', 'ramp', 'spike', [], {}, true, [1], { a: 1 }, '${PORT}', '\u0000', 'a\r\nb'),
  fc.jsonValue({ maxDepth: 2 }),
);
const keyTypo = fc.oneof(
  fc.constantFrom('upper', 'append', 'drop', 'swap'),
  fc.constantFrom('0', '__proto__', 'constructor', 'a/b', 'x~1y', 'has space', '"quoted"', 'ünï', '', '1'),
);

const MUTATIONS = ['remove', 'rename', 'retype', 'addKey', 'duplicate'] as const;
interface Mutation {
  kind: (typeof MUTATIONS)[number];
  pick: number;
  value: unknown;
  typo: string;
}
const mutation: fc.Arbitrary<Mutation> = fc.record({ kind: fc.constantFrom(...MUTATIONS), pick: fc.nat(), value: weirdValue, typo: keyTypo });


function renamed(key: string, typo: string): string {
  switch (typo) {
    case 'upper':
      return key.toUpperCase();
    case 'append':
      return `${key}z`;
    case 'drop':
      return key.slice(0, -1);
    case 'swap':
      return key.length > 1 ? key[1] + key[0] + key.slice(2) : `${key}${key}`;
    default:
      return typo;
  }
}

/** What a mutation promises about the problems, if the file is refused. */
interface Expectation {
  /** A problem's path must be this one. */
  path: string;
  /** And its message must say this. */
  says: RegExp;
}

/** Applies a mutation in place; returns what the problems must then contain, when that is certain. */
function mutate(root: Record<string, unknown>, m: Mutation): Expectation | undefined {
  const paths = pathsOf(root);
  const objectMembers = paths.filter((p) => typeof p[p.length - 1] === 'string');
  switch (m.kind) {
    case 'remove': {
      if (!objectMembers.length) return undefined;
      const path = objectMembers[m.pick % objectMembers.length];
      const parent = valueAt(root, path.slice(0, -1)).value as Record<string, unknown>;
      const key = path[path.length - 1] as string;
      delete parent[key];
      const shape = path.slice(0, -1).map((s) => (typeof s === 'number' ? '#' : s)).join('/');
      return Object.hasOwn(REQUIRED, shape) && REQUIRED[shape].includes(key) ? { path: formatJsonPath(path), says: /is required/ } : undefined;
    }
    case 'rename': {
      const closed = objectMembers.filter((p) => isClosedObject(p.slice(0, -1)));
      if (!closed.length) return undefined;
      const path = closed[m.pick % closed.length];
      const parent = valueAt(root, path.slice(0, -1)).value as Record<string, unknown>;
      const key = path[path.length - 1] as string;
      const to = renamed(key, m.typo);
      if (KNOWN_KEYS.has(to) || Object.hasOwn(parent, to)) return undefined;
      const checked = reportsUnknownKeys(root, path.slice(0, -1));
      Object.defineProperty(parent, to, { value: parent[key], enumerable: true, writable: true, configurable: true });
      delete parent[key];
      // Which keys a scenario may have depends on its type: without one, the missing type is the problem.
      if (path[0] === 'scenarios' && key === 'type') return { path: formatJsonPath(path), says: /is required/ };
      if (!checked) return undefined;
      return { path: formatJsonPath([...path.slice(0, -1), to]), says: new RegExp(`unknown key \`${escape(to)}\``) };
    }
    case 'retype': {
      if (!paths.length) return undefined;
      const path = paths[m.pick % paths.length];
      (valueAt(root, path.slice(0, -1)).value as Record<string, unknown>)[path[path.length - 1] as string] = structuredClone(m.value);
      return undefined;
    }
    case 'addKey': {
      const objects = [[], ...paths].filter((p) => isObject(valueAt(root, p).value));
      const path = objects[m.pick % objects.length];
      const target = valueAt(root, path).value as Record<string, unknown>;
      const key = renamed('extra', m.typo);
      if (Object.hasOwn(target, key)) return undefined;
      Object.defineProperty(target, key, { value: structuredClone(m.value), enumerable: true, writable: true, configurable: true });
      return reportsUnknownKeys(root, path) && !KNOWN_KEYS.has(key) ? { path: formatJsonPath([...path, key]), says: /unknown key/ } : undefined;
    }
    case 'duplicate': {
      // A second copy of a request or scenario: same name, so a uniqueness problem.
      const key = m.pick % 2 ? 'requests' : 'scenarios';
      const list = root[key];
      if (!Array.isArray(list) || list.length === 0) return undefined;
      list.push(structuredClone(list[m.pick % list.length]));
      return undefined;
    }
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('fixtures with keys removed, renamed, retyped or added are parsed or refused, naming the key where it is', () => {
  fc.assert(
    fc.property(fc.constantFrom(...fixtures), fc.oneof(fc.tuple(mutation), fc.array(mutation, { minLength: 2, maxLength: 3 })), layout, (fixture, mutations, how) => {
      const data = structuredClone(fixture) as Record<string, unknown>;
      const expected: Expectation[] = [];
      for (const m of mutations) {
        const expectation = mutate(data, m);
        if (expectation) expected.push(expectation);
      }
      const text = toText(data, how);
      const outcome = parse(text);
      // A later mutation can undo an earlier one (remove what was renamed...): expectations hold for one alone.
      const last = mutations.length === 1 ? expected[0] : undefined;
      if (outcome.file) {
        assert.equal(last, undefined, `accepted, though ${last?.path} should be a problem`);
        return checkParsed(outcome.file);
      }
      for (const problem of outcome.problems) checkLocation(text, data, problem);
      if (last) {
        assert.ok(
          outcome.problems.some((p) => p.path === last.path && last.says.test(p.message)),
          `no problem at ${last.path} matching ${last.says}: ${JSON.stringify(outcome.problems)}`,
        );
      }
    }),
    { numRuns: RUNS },
  );
});

test('fixture texts with characters changed are parsed or refused with located problems', () => {
  fc.assert(
    fc.property(fc.constantFrom(...fixtures), layout, fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 3 }), (fixture, how, edits) => {
      let text = toText(fixture, how);
      for (const [at, removed, inserted] of edits) {
        const i = at % (text.length + 1);
        text = text.slice(0, i) + inserted + text.slice(i + removed);
      }
      const outcome = parse(text);
      if (outcome.file) return checkParsed(outcome.file);
      let data: unknown;
      try {
        data = JSON.parse(text.replace(/^\uFEFF/, ''));
      } catch {
        // A syntax error: one problem for the whole file, at the position of the error.
        assert.equal(outcome.problems.length, 1);
        assert.equal(outcome.problems[0].path, '');
        assert.match(outcome.problems[0].message, /not valid JSON/);
        return;
      }
      for (const problem of outcome.problems) checkLocation(text, data, problem);
    }),
    { numRuns: RUNS },
  );
});

test('random strings never crash the parser', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '1', ' ', '\n', 'a', '\\'), maxLength: 40 })), (text) => {
      const outcome = parse(text);
      if (outcome.file) checkParsed(outcome.file);
    }),
    { numRuns: RUNS },
  );
});
