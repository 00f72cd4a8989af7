// Checks the params of each request before its handler sees them. A failure is a BAD_REQUEST whose
// message names the field, e.g. "params.load.connections must be a whole number ≥ 1, not 0".
// Fields the protocol does not know are ignored (a newer client may send optional extras).
import { isAbsolute } from 'node:path';
import { MAX_TIMER_MS, SENDABLE_METHODS, type LoadOptions } from '../load/loadTypes';
import type { FindLeakParams, MethodName, Params, ProfileRunParams, VitalsRunParams } from '../protocol/protocol';
import type { KnownRoute } from '../routes/suggestPaths';
import type { RouteHandlerSite } from '../analysis/routeHandlerNames';
import { MIN_BLOCK_THRESHOLD_MS } from '../vitals/vitalsTypes';
import { RpcFailure } from './rpcFailure';

/** One checker per method: unknown input in, the method's typed params out (or a BAD_REQUEST). */
export type ParamValidators = { [M in MethodName]: (raw: unknown) => Params<M> };

type Json = Record<string, unknown>;

export const paramValidators: ParamValidators = {
  hello(raw) {
    const o = object(raw, 'params');
    const protocolVersion = integer(o, 'protocolVersion', 'params', { min: 0 });
    // Without a token there is nobody to talk to: UNAUTHORIZED rather than a shape error.
    if (typeof o.token !== 'string' || o.token === '') throw new RpcFailure('UNAUTHORIZED', 'hello needs the session token (params.token)');
    return { protocolVersion, token: o.token };
  },
  listNodeProcesses(raw) {
    if (raw === undefined || raw === null) return {};
    const o = object(raw, 'params');
    return o.workspaceFolders === undefined ? {} : { workspaceFolders: stringArray(o, 'workspaceFolders', 'params') };
  },
  launchTarget(raw) {
    const o = object(raw, 'params');
    const command = stringArray(o, 'command', 'params');
    if (command.length === 0 || command[0] === '') throw bad('params.command', 'must name the program to run, e.g. ["node", "dist/server.js"]');
    const cwd = absolutePath(o, 'cwd', 'params');
    const env = o.env === undefined ? undefined : stringRecord(o.env, 'params.env');
    return { command, cwd, ...(env ? { env } : {}) };
  },
  attachTarget(raw) {
    const o = object(raw, 'params');
    return { spec: nonEmptyString(o, 'spec', 'params') };
  },
  releaseTarget: noParams,
  getTarget: noParams,
  profileEndpoint(raw) {
    const o = object(raw, 'params');
    const params: ProfileRunParams = { load: loadOptions(o.load, 'params.load'), outDir: absolutePath(o, 'outDir', 'params') };
    if (o.allowHosts !== undefined) params.allowHosts = stringArray(o, 'allowHosts', 'params');
    if (o.samplingIntervalUs !== undefined) params.samplingIntervalUs = integer(o, 'samplingIntervalUs', 'params', { min: 10 });
    if (o.name !== undefined) params.name = nonEmptyString(o, 'name', 'params');
    if (o.waitTimeoutMs !== undefined) params.waitTimeoutMs = positiveNumber(o, 'waitTimeoutMs', 'params');
    if (o.acceptErrors !== undefined) params.acceptErrors = boolean(o, 'acceptErrors', 'params');
    if (o.knownRoutes !== undefined) params.knownRoutes = knownRoutes(o.knownRoutes, 'params.knownRoutes');
    if (o.routeHandlers !== undefined) params.routeHandlers = routeHandlers(o.routeHandlers, 'params.routeHandlers');
    if (o.queries !== undefined) params.queries = queryOptions(o.queries, 'params.queries');
    if (o.vitals !== undefined) params.vitals = vitalsOptions(o.vitals, 'params.vitals');
    return params;
  },
  cancelProfile: noParams,
  runLoadTest(raw) {
    const o = object(raw, 'params');
    const params: Params<'runLoadTest'> = { file: absolutePath(o, 'file', 'params') };
    if (o.allowHosts !== undefined) params.allowHosts = stringArray(o, 'allowHosts', 'params');
    if (o.profile !== undefined) params.profile = boolean(o, 'profile', 'params');
    if (o.outDir !== undefined) params.outDir = absolutePath(o, 'outDir', 'params');
    return params;
  },
  cancelLoadTest: noParams,
  watchVitals(raw) {
    if (raw === undefined || raw === null) return {};
    const { capture: _capture, ...rest } = vitalsOptions(raw, 'params');
    const o = raw as Json;
    return o.routeHandlers === undefined ? rest : { ...rest, routeHandlers: routeHandlers(o.routeHandlers, 'params.routeHandlers') };
  },
  unwatchVitals: noParams,
  explainQuery(raw) {
    const o = object(raw, 'params');
    const text = nonEmptyString(o, 'text', 'params');
    return o.analyze === undefined ? { text } : { text, analyze: boolean(o, 'analyze', 'params') };
  },
  analyzeProfileFile(raw) {
    const o = object(raw, 'params');
    return { file: absolutePath(o, 'file', 'params') };
  },
  takeHeapSnapshot(raw) {
    const o = object(raw, 'params');
    const outDir = absolutePath(o, 'outDir', 'params');
    return o.name === undefined ? { outDir } : { outDir, name: fileName(o, 'name', 'params') };
  },
  cancelHeap: noParams,
  summarizeHeapSnapshot(raw) {
    const o = object(raw, 'params');
    const file = absolutePath(o, 'file', 'params');
    return o.top === undefined ? { file } : { file, top: integer(o, 'top', 'params', { min: 1 }) };
  },
  diffHeapSnapshots(raw) {
    const o = object(raw, 'params');
    const files = stringArray(o, 'files', 'params');
    if (files.length !== 2 && files.length !== 3) throw bad('params.files', `must name two or three snapshot files (baseline, target[, final]), not ${files.length}`);
    files.forEach((file, i) => {
      if (!isAbsolute(file)) throw bad(`params.files[${i}]`, `must be an absolute path, not ${describe(file)}`);
    });
    return o.top === undefined ? { files } : { files, top: integer(o, 'top', 'params', { min: 1 }) };
  },
  findLeak(raw) {
    const o = object(raw, 'params');
    const params: FindLeakParams = { load: loadOptions(o.load, 'params.load'), outDir: absolutePath(o, 'outDir', 'params') };
    if (o.allowHosts !== undefined) params.allowHosts = stringArray(o, 'allowHosts', 'params');
    if (o.name !== undefined) params.name = fileName(o, 'name', 'params');
    if (o.waitTimeoutMs !== undefined) params.waitTimeoutMs = positiveNumber(o, 'waitTimeoutMs', 'params');
    if (o.acceptErrors !== undefined) params.acceptErrors = boolean(o, 'acceptErrors', 'params');
    if (o.knownRoutes !== undefined) params.knownRoutes = knownRoutes(o.knownRoutes, 'params.knownRoutes');
    if (o.routeHandlers !== undefined) params.routeHandlers = routeHandlers(o.routeHandlers, 'params.routeHandlers');
    if (o.failOnGrowthBytes !== undefined) params.failOnGrowthBytes = integer(o, 'failOnGrowthBytes', 'params', { min: 0 });
    return params;
  },
};

/** A base name for files: not empty, no folders. */
function fileName(o: Json, key: string, path: string): string {
  const value = nonEmptyString(o, key, path);
  if (/[\\/\0]/.test(value) || value === '.' || value === '..') throw bad(`${path}.${key}`, `must be a file name without folders, not ${describe(value)}`);
  return value;
}

/** The methods the load generator (autocannon) can send: it throws on any other, crashing the load. */

function queryOptions(raw: unknown, path: string): NonNullable<ProfileRunParams['queries']> {
  const o = object(raw, path);
  const out: NonNullable<ProfileRunParams['queries']> = {};
  if (o.capture !== undefined) out.capture = boolean(o, 'capture', path);
  if (o.nPlusOneMinRepeats !== undefined) out.nPlusOneMinRepeats = integer(o, 'nPlusOneMinRepeats', path, { min: 2 });
  if (o.leakThresholdMs !== undefined) {
    out.leakThresholdMs = positiveNumber(o, 'leakThresholdMs', path);
    if (out.leakThresholdMs < 2000) throw bad(`${path}.leakThresholdMs`, `must be at least 2000 (2 s: a shorter hold is normal work, not a leak), not ${out.leakThresholdMs}`);
  }
  return out;
}

function vitalsOptions(raw: unknown, path: string): VitalsRunParams {
  const o = object(raw, path);
  const out: VitalsRunParams = {};
  if (o.capture !== undefined) out.capture = boolean(o, 'capture', path);
  if (o.nameBlocks !== undefined) out.nameBlocks = boolean(o, 'nameBlocks', path);
  if (o.blockThresholdMs !== undefined) {
    out.blockThresholdMs = positiveNumber(o, 'blockThresholdMs', path);
    if (out.blockThresholdMs < MIN_BLOCK_THRESHOLD_MS || out.blockThresholdMs > MAX_TIMER_MS) throw bad(`${path}.blockThresholdMs`, `must be between ${MIN_BLOCK_THRESHOLD_MS} and ${MAX_TIMER_MS} ms, not ${out.blockThresholdMs}`);
  }
  return out;
}

function loadOptions(raw: unknown, path: string): LoadOptions {
  const o = object(raw, path);
  const method = nonEmptyString(o, 'method', path);
  if (!SENDABLE_METHODS.includes(method.toUpperCase())) throw bad(`${path}.method`, `must be an HTTP method such as GET or POST, not ${JSON.stringify(method)}`);
  const load: LoadOptions = {
    url: nonEmptyString(o, 'url', path),
    method: method.toUpperCase(),
    headers: o.headers === undefined ? {} : headerRecord(o.headers, `${path}.headers`),
    connections: integer(o, 'connections', path, { min: 1 }),
    durationMs: timerMs(o, 'durationMs', path),
    timeoutMs: timerMs(o, 'timeoutMs', path),
  };
  if (o.body !== undefined) load.body = string(o, 'body', path);
  if (o.rate !== undefined && o.rate !== null) load.rate = integer(o, 'rate', path, { min: 1 });
  return load;
}

function knownRoutes(raw: unknown, path: string): KnownRoute[] {
  if (!Array.isArray(raw)) throw bad(path, `must be an array of {method, path}, not ${describe(raw)}`);
  return raw.map((item, i) => {
    const o = object(item, `${path}[${i}]`);
    return { method: nonEmptyString(o, 'method', `${path}[${i}]`), path: string(o, 'path', `${path}[${i}]`) };
  });
}

function routeHandlers(raw: unknown, path: string): RouteHandlerSite[] {
  if (!Array.isArray(raw)) throw bad(path, `must be an array of {file, line, method, path}, not ${describe(raw)}`);
  return raw.map((item, i) => {
    const o = object(item, `${path}[${i}]`);
    const at = `${path}[${i}]`;
    return { file: absolutePath(o, 'file', at), line: integer(o, 'line', at, { min: 1 }), method: nonEmptyString(o, 'method', at), path: string(o, 'path', at) };
  });
}

function noParams(raw: unknown): Record<string, never> {
  if (raw !== undefined && raw !== null) object(raw, 'params');
  return {};
}

function bad(field: string, why: string): RpcFailure {
  return new RpcFailure('BAD_REQUEST', `${field} ${why}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(path, `must be an object, not ${describe(value)}`);
  return value as Json;
}

function string(o: Json, key: string, path: string): string {
  const value = o[key];
  if (typeof value !== 'string') throw bad(`${path}.${key}`, `must be a string, not ${describe(value)}`);
  return value;
}

function nonEmptyString(o: Json, key: string, path: string): string {
  const value = string(o, key, path);
  if (value.trim() === '') throw bad(`${path}.${key}`, 'must not be empty');
  return value;
}

function absolutePath(o: Json, key: string, path: string): string {
  const value = nonEmptyString(o, key, path);
  if (!isAbsolute(value)) throw bad(`${path}.${key}`, `must be an absolute path, not ${describe(value)}`);
  return value;
}

function boolean(o: Json, key: string, path: string): boolean {
  const value = o[key];
  if (typeof value !== 'boolean') throw bad(`${path}.${key}`, `must be true or false, not ${describe(value)}`);
  return value;
}

function integer(o: Json, key: string, path: string, { min }: { min: number }): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw bad(`${path}.${key}`, `must be a whole number ≥ ${min}, not ${describe(value)}`);
  return value;
}

function positiveNumber(o: Json, key: string, path: string): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw bad(`${path}.${key}`, `must be a number > 0, not ${describe(value)}`);
  return value;
}

/** The longest a timer can wait: Node fires a longer setTimeout after 1 ms (with a TimeoutOverflowWarning). */

/** A time the load waits with a timer (its duration, a request's timeout): > 0 and at most MAX_TIMER_MS. */
function timerMs(o: Json, key: string, path: string): number {
  const value = positiveNumber(o, key, path);
  if (value > MAX_TIMER_MS) throw bad(`${path}.${key}`, `must be at most ${MAX_TIMER_MS} (about 24.8 days), not ${describe(value)}`);
  return value;
}

function stringArray(o: Json, key: string, path: string): string[] {
  const value = o[key];
  if (!Array.isArray(value)) throw bad(`${path}.${key}`, `must be an array of strings, not ${describe(value)}`);
  value.forEach((item, i) => {
    if (typeof item !== 'string') throw bad(`${path}.${key}[${i}]`, `must be a string, not ${describe(item)}`);
  });
  return value as string[];
}

/** HTTP header names are tokens (RFC 9110); a value may not break the request's lines. As `--header` and load-test files. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function headerRecord(value: unknown, path: string): Record<string, string> {
  const headers = stringRecord(value, path);
  for (const [name, item] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw bad(`${path}[${JSON.stringify(name)}]`, 'is not a valid header name: use letters, digits and !#$%&\'*+-.^_`|~');
    if (/[\r\n\0]/.test(item)) throw bad(`${path}[${JSON.stringify(name)}]`, 'must not contain a line break or NUL');
  }
  return headers;
}

function stringRecord(value: unknown, path: string): Record<string, string> {
  const o = object(value, path);
  const out = Object.create(null) as Record<string, string>; // no prototype: a "__proto__" key stays a key
  for (const [key, item] of Object.entries(o)) {
    if (typeof item !== 'string') throw bad(`${path}[${JSON.stringify(key)}]`, `must be a string, not ${describe(item)}`);
    out[key] = item;
  }
  return out;
}
