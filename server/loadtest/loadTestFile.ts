/**
 * The load-test file (`*.load.json`): its types, and parseLoadTestFile, which turns the text into a
 * checked LoadTestFile with defaults applied or throws a LoadTestConfigError listing every problem.
 * Pure: callers read the file. The JSON Schema (schemas/load-test.schema.json) is the contract
 * editors use as users type; this module applies it with ajv, then checks what a schema cannot say.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../schemas/load-test.schema.json';
import { findJsonSyntaxError } from '../analysis/jsonSyntaxError';
import { parseDuration, parseHeader } from '../load/parseDuration';
import { formatJsonPath, locateJsonPath, offsetToLineColumn, type JsonPathSegment } from './jsonLocation';
import { editDistance } from '../text/editDistance';

export { formatJsonPath, locateJsonPath, parseJsonPath, type JsonLocation, type JsonPathSegment } from './jsonLocation';

export const SCENARIO_TYPES = ['sustained', 'ramp', 'spike', 'arrival-rate'] as const;
export type ScenarioType = (typeof SCENARIO_TYPES)[number];

export interface LoadTestTarget {
  /** http(s) URL without query or fragment; request paths are appended to it. */
  baseUrl: string;
  /** Starts the service; absent when it is already running. */
  command?: string;
  /** Working directory of the command, relative to the file's folder (default `.`). */
  cwd: string;
  env: Record<string, string>;
  /** How long to wait for the started service to answer (default 30 s). */
  waitTimeoutMs: number;
}

export interface RequestSpec {
  /** Unique in the file. Default: `METHOD /path`. */
  name: string;
  method: string;
  /** Starts with `/`; may carry a query. */
  path: string;
  headers: Record<string, string>;
  /** The body as sent (objects and arrays in the file are serialized as JSON). */
  body?: string;
  /** Positive integer (default 1). */
  weight: number;
}

interface ScenarioBase {
  /** Unique in the file. Default: type and position, e.g. `ramp-2`. */
  name: string;
  durationMs: number;
  /** Per-request timeout; absent: the runner's default. */
  timeoutMs?: number;
  /** Connections, or their cap when the scenario has a rate. */
  connections?: number;
}

/** Constant load: `rate` req/s, or (without rate) `connections` sending as fast as answered. */
export interface SustainedScenario extends ScenarioBase {
  type: 'sustained';
  rate?: number;
}

/** `steps` equal steps with rates evenly spaced from `from` to `to` (either way), both included. */
export interface RampScenario extends ScenarioBase {
  type: 'ramp';
  from: number;
  to: number;
  steps: number;
}

/** `baseline` req/s for the duration, with `spike` req/s for spikeDurationMs in the middle. */
export interface SpikeScenario extends ScenarioBase {
  type: 'spike';
  baseline: number;
  spike: number;
  spikeDurationMs: number;
}

/** Open model: requests arrive at `rate` per second whatever the latency. */
export interface ArrivalRateScenario extends ScenarioBase {
  type: 'arrival-rate';
  rate: number;
}

export type Scenario = SustainedScenario | RampScenario | SpikeScenario | ArrivalRateScenario;

export type Execution = 'sequential' | 'parallel';

export interface LoadTestFile {
  target: LoadTestTarget;
  requests: RequestSpec[];
  scenarios: Scenario[];
  execution: Execution;
  allowHosts: string[];
  /** Passed through as written: metric name → list of conditions (interpreted by server/thresholds). */
  thresholds: Record<string, unknown[]>;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 30_000;
export const DEFAULT_RAMP_STEPS = 5;
/** A phase with a rate lasts at least this long: autocannon keeps rates per second. */
export const MIN_RATE_PHASE_MS = 1000;
/** The weights, divided by their greatest common divisor, add up to at most this (pickRequests' cycle length). */
export const MAX_WEIGHT_CYCLE = 1000;

/** One thing wrong with a file. `path` is like `scenarios[1].duration` (`''`: the file as a whole). */
export interface LoadTestProblem {
  path: string;
  message: string;
  /** Where in the text, from 1: the key named by path, or the nearest enclosing one present. */
  line?: number;
  column?: number;
}

/** A load-test file that cannot be used; `problems` lists everything found, in file order. */
export class LoadTestConfigError extends Error {
  override name = 'LoadTestConfigError';
  readonly code = 'LOAD_TEST_CONFIG';

  constructor(
    readonly problems: LoadTestProblem[],
    readonly fileName?: string,
  ) {
    super(formatProblems(problems, fileName));
  }
}

function formatProblems(problems: LoadTestProblem[], fileName = 'load-test file'): string {
  const lines = problems.map((p) => {
    const where = p.line !== undefined ? `${fileName}:${p.line}:${p.column}: ` : '';
    return `${where}${p.path ? `${p.path}: ` : ''}${p.message}`;
  });
  if (lines.length === 1) return problems[0].line !== undefined ? lines[0] : `${fileName}: ${lines[0]}`;
  return `${fileName}: ${problems.length} problems:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/**
 * Parses and checks a load-test file's text. Throws LoadTestConfigError with every problem found:
 * JSON syntax (with line and column), then everything the schema and the semantic checks find.
 * `fileName` only names the file in messages.
 */
export function parseLoadTestFile(text: string, fileName?: string): LoadTestFile {
  // A byte-order mark is not JSON whitespace; a space keeps every position where it was.
  const json = text.startsWith('\uFEFF') ? ` ${text.slice(1)}` : text;
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new LoadTestConfigError([syntaxProblem(json, err)], fileName);
  }
  const fromSchema = schemaProblems(data);
  // A value the schema already rejected is not checked again (a bad duration is reported once).
  const rejected = new Set(fromSchema.map((p) => p.path));
  const problems = [...fromSchema, ...semanticProblems(data).filter((p) => !rejected.has(p.path))];
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.path}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length) {
    const located = unique.map((p, index) => {
      const at = locateJsonPath(json, p.path, { nearest: true });
      return { problem: at ? { ...p, line: at.line, column: at.column } : p, offset: at?.offset ?? -1, index };
    });
    located.sort((a, b) => a.offset - b.offset || a.index - b.index);
    throw new LoadTestConfigError(located.map((l) => l.problem), fileName);
  }
  return applyDefaults(data as RawFile);
}

function syntaxProblem(text: string, err: unknown): LoadTestProblem {
  const found = findJsonSyntaxError(text);
  if (!found) return { path: '', message: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  const { line, column } = offsetToLineColumn(text, found.position);
  const rest = text.slice(found.position, found.position + 20);
  const what = found.position >= text.trimEnd().length ? 'the end of the file' : JSON.stringify(rest);
  return { path: '', message: `not valid JSON at line ${line}, column ${column}: expected ${found.expected}, found ${what}`, line, column };
}

// ---------------------------------------------------------------------------------------------
// Schema validation, with ajv's messages rewritten for people.

/** Keywords VS Code understands in schemas; annotations only, for ajv. */
const EDITOR_KEYWORDS = ['patternErrorMessage', 'errorMessage', 'markdownDescription', 'defaultSnippets', 'enumDescriptions', 'markdownEnumDescriptions'];

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
    ajv.addVocabulary(EDITOR_KEYWORDS);
    validator = ajv.compile(schema);
  }
  return validator;
}

interface SchemaNode {
  $ref?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  errorMessage?: string;
  patternErrorMessage?: string;
}

function schemaProblems(data: unknown): LoadTestProblem[] {
  const check = validate();
  if (check(data)) return [];
  const errors = check.errors ?? [];
  // Alternatives (anyOf) are reported once, by their own message, not by each failed branch.
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const insideAlternative = (e: ErrorObject) =>
    alternatives.some((a) => a !== e && e.schemaPath.startsWith(`${a.schemaPath}/`) && (e.instancePath === a.instancePath || e.instancePath.startsWith(`${a.instancePath}/`)));
  const problems: LoadTestProblem[] = [];
  for (const error of errors) {
    if (error.keyword === 'if' || error.keyword === 'propertyNames' || insideAlternative(error)) continue;
    problems.push(describeError(error, data));
  }
  return problems;
}

/** The segments of a JSON Pointer into `data`: a number where it indexes an array, else a key (even `"0"`). */
function segmentsOf(instancePath: string, data: unknown): JsonPathSegment[] {
  if (!instancePath) return [];
  let value = data;
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => {
      const segment = Array.isArray(value) && /^(0|[1-9]\d*)$/.test(s) ? Number(s) : s;
      value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[s] : undefined;
      return segment;
    });
}

function describeError(error: ErrorObject, data: unknown): LoadTestProblem {
  const segments = segmentsOf(error.instancePath, data);
  const parent = (error.parentSchema ?? {}) as SchemaNode;
  const params = error.params as Record<string, unknown>;
  const value: unknown = error.data;
  const at = (extra: JsonPathSegment[], message: string): LoadTestProblem => ({ path: formatJsonPath([...segments, ...extra]), message });
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      const about = firstSentence(describedBy(parent.properties?.[missing]));
      return at([missing], `is required${about ? ` — ${about}` : ''}`);
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(parent.properties ?? {}).filter((k) => k !== '$schema');
      const guess = closest(key, allowed);
      const hint = guess ? `: did you mean \`${guess}\`?` : '';
      const list = allowed.length ? ` (allowed here: ${allowed.join(', ')})` : '';
      return at([key], `unknown key \`${key}\`${hint}${list}`);
    }
    case 'enum':
      return at([], `${JSON.stringify(value)} is not allowed: must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`);
    case 'const':
      return at([], `must be ${JSON.stringify(params.allowedValue)}, not ${describeValue(value)}`);
    case 'type':
      return at([], `must be ${typeWords(params.type as string | string[])}, not ${describeValue(value)}`);
    case 'minimum':
      return at([], `must be at least ${String(params.limit)}, not ${describeValue(value)}`);
    case 'exclusiveMinimum':
      return at([], `must be more than ${String(params.limit)}, not ${describeValue(value)}`);
    case 'maximum':
      return at([], `must be at most ${String(params.limit)}, not ${describeValue(value)}`);
    case 'minItems':
      return at([], parent.errorMessage ?? `needs at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`);
    case 'minLength':
      return at([], params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`);
    case 'pattern': {
      // A pattern on property names (header names) is about the key, not its value.
      if (error.propertyName !== undefined) {
        return at([error.propertyName], `${JSON.stringify(error.propertyName)} ${parent.patternErrorMessage ?? 'is not allowed as a key here'}`);
      }
      return at([], `${parent.patternErrorMessage ?? `must match ${String(params.pattern)}`}, not ${describeValue(value)}`);
    }
    case 'anyOf':
    case 'oneOf':
      return at([], parent.errorMessage ?? error.message ?? 'is not valid');
    default:
      return at([], error.message ?? 'is not valid');
  }
}

/** A schema's description, or that of the definition it refers to. */
function describedBy(node: SchemaNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.description) return node.description;
  const name = /^#\/definitions\/([^/]+)$/.exec(node.$ref ?? '')?.[1];
  const definitions = (schema as { definitions: Record<string, SchemaNode> }).definitions;
  return name ? describedBy(definitions[name]) : undefined;
}

function firstSentence(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const sentence = /^(.*?[.:])(\s|$)/.exec(text)?.[1] ?? text;
  const trimmed = sentence.replace(/[.:]$/, '');
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}

function typeWords(type: string | string[]): string {
  const word: Record<string, string> = { string: 'a string', integer: 'a whole number', number: 'a number', object: 'an object', array: 'an array', boolean: 'true or false', null: 'null' };
  const words = (Array.isArray(type) ? type : String(type).split(',')).map((t) => word[t] ?? t);
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/** The allowed key most like `key` (a typo or a case slip), if any is close. */
function closest(key: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}


// ---------------------------------------------------------------------------------------------
// Semantic checks: what the schema cannot say. They read the raw value defensively, since they run
// even when the schema found problems (so that one run reports everything).

type Raw = Record<string, unknown>;

interface RawFile {
  target: Raw;
  requests: Raw[];
  scenarios: Raw[];
  execution?: Execution;
  allowHosts?: string[];
  thresholds?: Record<string, unknown[]>;
}

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositiveInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/** The duration in ms, or undefined (after adding a problem) when it is a string that does not parse. */
function checkDuration(value: unknown, path: JsonPathSegment[], problems: LoadTestProblem[]): number | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseDuration(value);
  } catch (err) {
    problems.push({ path: formatJsonPath(path), message: (err as Error).message });
    return undefined;
  }
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))}s`;

function semanticProblems(data: unknown): LoadTestProblem[] {
  const problems: LoadTestProblem[] = [];
  if (!isObject(data)) return problems;
  const problem = (path: JsonPathSegment[], message: string) => problems.push({ path: formatJsonPath(path), message });

  if (isObject(data.target)) {
    const { baseUrl } = data.target;
    if (typeof baseUrl === 'string') {
      let url: URL | undefined;
      try {
        url = new URL(baseUrl);
      } catch {
        problem(['target', 'baseUrl'], `${JSON.stringify(baseUrl)} is not a valid URL, e.g. http://127.0.0.1:3000`);
      }
      if (url && url.protocol !== 'http:' && url.protocol !== 'https:') problem(['target', 'baseUrl'], `must be an http:// or https:// URL, not ${JSON.stringify(baseUrl)}`);
    }
    checkDuration(data.target.waitTimeout, ['target', 'waitTimeout'], problems);
  }

  if (Array.isArray(data.requests)) {
    const names = new Map<string, number>();
    const weights: number[] = [];
    data.requests.forEach((request, i) => {
      if (!isObject(request)) return;
      if (isObject(request.headers)) {
        for (const [name, value] of Object.entries(request.headers)) {
          if (typeof value !== 'string') continue;
          try {
            parseHeader(`${name}: ${value}`);
          } catch (err) {
            // Names are the schema's business; only the value is checked here.
            if (/line break|NUL/.test((err as Error).message)) problem(['requests', i, 'headers', name], 'the value contains a line break or NUL');
          }
        }
      }
      if (isPositiveInteger(request.weight)) weights.push(request.weight);
      else if (request.weight === undefined) weights.push(1);
      const name = requestName(request);
      if (name === undefined) return;
      const first = names.get(name);
      if (first !== undefined) {
        problem(['requests', i, ...(typeof request.name === 'string' ? ['name'] : [])], `two requests are named ${JSON.stringify(name)} (requests[${first}] and requests[${i}]): give them distinct \`name\`s`);
      } else {
        names.set(name, i);
      }
    });
    if (weights.length === data.requests.length && weights.length > 0) {
      const divisor = weights.reduce(gcd);
      const cycle = weights.reduce((a, b) => a + b, 0) / divisor;
      if (cycle > MAX_WEIGHT_CYCLE) {
        problem(['requests'], `the weights are too fine-grained: divided by their common divisor (${divisor}) they add up to ${cycle}; keep that at most ${MAX_WEIGHT_CYCLE}, e.g. by rounding them`);
      }
    }
  }

  if (Array.isArray(data.scenarios)) {
    const names = new Map<string, number>();
    data.scenarios.forEach((scenario, i) => {
      if (!isObject(scenario)) return;
      const path = (key: string): JsonPathSegment[] => ['scenarios', i, key];
      const durationMs = checkDuration(scenario.duration, path('duration'), problems);
      checkDuration(scenario.timeout, path('timeout'), problems);
      const name = scenarioName(scenario, i);
      const first = names.get(name);
      if (first !== undefined) problem(typeof scenario.name === 'string' ? path('name') : ['scenarios', i], `two scenarios are named ${JSON.stringify(name)} (scenarios[${first}] and scenarios[${i}]): names must be unique`);
      else names.set(name, i);
      if (durationMs === undefined) return;
      const hasRate = scenario.type !== 'sustained' || scenario.rate !== undefined;
      if (scenario.type === 'ramp') {
        const steps = scenario.steps === undefined ? DEFAULT_RAMP_STEPS : scenario.steps;
        if (isPositiveInteger(steps) && durationMs / steps < MIN_RATE_PHASE_MS) {
          problem(path('duration'), `${seconds(durationMs)} in ${steps} steps makes steps of ${seconds(durationMs / steps)}; rates are kept per second, so each step must last at least 1s: make the duration at least ${seconds(steps * MIN_RATE_PHASE_MS)} or use fewer steps`);
        }
      } else if (scenario.type === 'spike') {
        const spikeMs = checkDuration(scenario.spikeDuration, path('spikeDuration'), problems);
        if (spikeMs === undefined) return;
        if (spikeMs >= durationMs) {
          problem(path('spikeDuration'), `the spike (${seconds(spikeMs)}) must be shorter than the scenario's duration (${seconds(durationMs)}), which it sits in the middle of`);
        } else if (spikeMs < MIN_RATE_PHASE_MS) {
          problem(path('spikeDuration'), `the spike must last at least 1s (rates are kept per second), not ${seconds(spikeMs)}`);
        } else if ((durationMs - spikeMs) / 2 < MIN_RATE_PHASE_MS) {
          problem(path('duration'), `leaves ${seconds((durationMs - spikeMs) / 2)} of baseline on each side of the ${seconds(spikeMs)} spike; make it at least ${seconds(spikeMs + 2 * MIN_RATE_PHASE_MS)} so that each side lasts 1s`);
        }
      } else if (hasRate && SCENARIO_TYPES.includes(scenario.type as ScenarioType) && durationMs < MIN_RATE_PHASE_MS) {
        problem(path('duration'), `a scenario with a rate must last at least 1s (rates are kept per second), not ${seconds(durationMs)}`);
      }
    });
  }
  return problems;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function requestName(request: Raw): string | undefined {
  if (typeof request.name === 'string') return request.name;
  if (typeof request.path !== 'string') return undefined;
  return `${typeof request.method === 'string' ? request.method : 'GET'} ${request.path}`;
}

function scenarioName(scenario: Raw, index: number): string {
  return typeof scenario.name === 'string' ? scenario.name : `${String(scenario.type)}-${index + 1}`;
}

// ---------------------------------------------------------------------------------------------
// Defaults, on a file that passed every check.

function applyDefaults(raw: RawFile): LoadTestFile {
  const t = raw.target;
  const target: LoadTestTarget = {
    baseUrl: t.baseUrl as string,
    ...(t.command !== undefined && { command: t.command as string }),
    cwd: (t.cwd as string | undefined) ?? '.',
    env: { ...((t.env as Record<string, string> | undefined) ?? {}) },
    waitTimeoutMs: t.waitTimeout !== undefined ? parseDuration(t.waitTimeout as string) : DEFAULT_WAIT_TIMEOUT_MS,
  };
  const requests = raw.requests.map((r): RequestSpec => {
    const headers = { ...((r.headers as Record<string, string> | undefined) ?? {}) };
    let body: string | undefined;
    if (typeof r.body === 'string') {
      body = r.body;
    } else if (r.body !== undefined && r.body !== null) {
      body = JSON.stringify(r.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    return {
      name: requestName(r) as string,
      method: (r.method as string | undefined) ?? 'GET',
      path: r.path as string,
      headers,
      ...(body !== undefined && { body }),
      weight: (r.weight as number | undefined) ?? 1,
    };
  });
  const scenarios = raw.scenarios.map((s, i): Scenario => {
    const base: ScenarioBase = {
      name: scenarioName(s, i),
      durationMs: parseDuration(s.duration as string),
      ...(s.timeout !== undefined && { timeoutMs: parseDuration(s.timeout as string) }),
      ...(s.connections !== undefined && { connections: s.connections as number }),
    };
    switch (s.type as ScenarioType) {
      case 'sustained':
        return { ...base, type: 'sustained', ...(s.rate !== undefined && { rate: s.rate as number }) };
      case 'ramp':
        return { ...base, type: 'ramp', from: s.from as number, to: s.to as number, steps: (s.steps as number | undefined) ?? DEFAULT_RAMP_STEPS };
      case 'spike':
        return { ...base, type: 'spike', baseline: s.baseline as number, spike: s.spike as number, spikeDurationMs: parseDuration(s.spikeDuration as string) };
      case 'arrival-rate':
        return { ...base, type: 'arrival-rate', rate: s.rate as number };
    }
  });
  return {
    target,
    requests,
    scenarios,
    execution: raw.execution ?? 'sequential',
    allowHosts: [...(raw.allowHosts ?? [])],
    thresholds: raw.thresholds ?? {},
  };
}

/** Stands for a free port PerfLens picks when it starts the service (in target.baseUrl and target.env). */
export const PORT_PLACEHOLDER = '${PORT}';

/** The file's text with every `${PORT}` replaced by `port`. */
export function withPort(text: string, port: number): string {
  return text.split(PORT_PLACEHOLDER).join(String(port));
}
