// Property-based tests of the server's RPC messages: random JSON values and near-valid requests
// (real methods with params missing, extra, mistyped). The dispatcher and param validation are
// under test; the handlers behind them are stubs that record what they were called with.
// Every message gets one well-formed answer, an invalid one names the bad field, and no handler
// ever sees params that break the protocol's contract.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { isAbsolute } from 'node:path';
import fc from 'fast-check';
import WebSocket from 'ws';
import { Dispatcher, type Handlers } from '../../server/rpc/dispatcher';
import { RpcFailure, toRpcError } from '../../server/rpc/rpcFailure';
import { RpcServer, type CallContext } from '../../server/rpc/rpcServer';
import { PROTOCOL_VERSION, type MethodName, type Response } from '../../server/protocol/protocol';
import { pathsOf, type PathSegment } from './fuzzPaths';
import { MAX_TIMER_MS } from '../../server/load/loadTypes';

// At least 1000 cases per property; FUZZ_RUNS=20000 (say) searches harder.
const RUNS = Math.max(1000, Number(process.env.FUZZ_RUNS ?? 0));

const METHODS: readonly MethodName[] = ['hello', 'listNodeProcesses', 'launchTarget', 'attachTarget', 'releaseTarget', 'getTarget', 'profileEndpoint', 'cancelProfile', 'runLoadTest', 'cancelLoadTest', 'analyzeProfileFile', 'takeHeapSnapshot', 'cancelHeap', 'summarizeHeapSnapshot', 'diffHeapSnapshots', 'findLeak'];
const ERROR_CODES = ['BAD_REQUEST', 'UNAUTHORIZED', 'PROTOCOL_MISMATCH', 'HOST_NOT_ALLOWED', 'NO_TARGET', 'TARGET_START_FAILED', 'ATTACH_FAILED', 'URL_UNREACHABLE', 'TARGET_LOST', 'BUSY', 'CANCELLED', 'INVALID_PROFILE', 'LOAD_TEST_CONFIG', 'INTERNAL'];
const TOKEN = 'fuzz-token-0123456789abcdef';

// ---------------------------------------------------------------------------------------------
// The protocol's contract for params, written out independently of validateParams: what a
// handler may rely on.

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const absolute = (v: unknown) => nonEmpty(v) && isAbsolute(v);
const wholeAtLeast = (v: unknown, min: number) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
/** What setTimeout can wait: beyond 2^31 - 1 ms Node fires it after 1 ms instead. The load's duration and request timeout are timers. */
const timerMs = (v: unknown) => positive(v) && (v as number) <= 2 ** 31 - 1;
const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
const stringRecord = (v: unknown) => isObject(v) && Object.values(v).every((s) => typeof s === 'string');
/** What an HTTP request can carry: a token for a name, no line break or NUL in a value (as --header and load files require). */
const headerRecord = (v: unknown) => stringRecord(v) && Object.entries(v as Json).every(([name, value]) => /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) && !/[\r\n\0]/.test(value as string));
/** What the load generator (autocannon) can send; it throws on any other method. */
const SENDABLE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);
const empty = (v: unknown) => isObject(v) && Object.keys(v).length === 0;
/** A file's base name: no folder in it. */
const fileName = (v: unknown) => nonEmpty(v) && !/[\\/\0]/.test(v) && v !== '.' && v !== '..';

const CONTRACT: { [M in MethodName]: (p: Json) => boolean } = {
  // Any non-empty token string: one of spaces is compared like any other, and refused as wrong.
  hello: (p) => wholeAtLeast(p.protocolVersion, 0) && typeof p.token === 'string' && p.token !== '',
  listNodeProcesses: empty,
  launchTarget: (p) => strings(p.command) && (p.command as string[]).length > 0 && (p.command as string[])[0] !== '' && absolute(p.cwd) && optional(p.env, stringRecord),
  attachTarget: (p) => nonEmpty(p.spec),
  releaseTarget: empty,
  getTarget: empty,
  profileEndpoint: (p) => {
    return (
      loadContract(p.load) &&
      absolute(p.outDir) &&
      optional(p.allowHosts, strings) &&
      optional(p.samplingIntervalUs, (s) => wholeAtLeast(s, 10)) &&
      optional(p.name, nonEmpty) &&
      optional(p.waitTimeoutMs, positive)
    );
  },
  cancelProfile: empty,
  runLoadTest: (p) => absolute(p.file) && optional(p.allowHosts, strings) && optional(p.profile, (b) => typeof b === 'boolean') && optional(p.outDir, absolute),
  cancelLoadTest: empty,
  explainQuery: (p) => nonEmpty(p.text) && optional(p.analyze, (b) => typeof b === 'boolean'),
  watchVitals: (p) => optional(p.blockThresholdMs, (t) => typeof t === 'number' && t >= 20 && t <= MAX_TIMER_MS) && optional(p.nameBlocks, (b) => typeof b === 'boolean'),
  unwatchVitals: empty,
  analyzeProfileFile: (p) => absolute(p.file),
  takeHeapSnapshot: (p) => absolute(p.outDir) && optional(p.name, fileName),
  cancelHeap: empty,
  summarizeHeapSnapshot: (p) => absolute(p.file) && optional(p.top, (t) => wholeAtLeast(t, 1)),
  diffHeapSnapshots: (p) => strings(p.files) && [2, 3].includes((p.files as string[]).length) && (p.files as string[]).every(absolute) && optional(p.top, (t) => wholeAtLeast(t, 1)),
  findLeak: (p) =>
    loadContract(p.load) &&
    absolute(p.outDir) &&
    optional(p.allowHosts, strings) &&
    optional(p.name, fileName) &&
    optional(p.waitTimeoutMs, positive) &&
    optional(p.acceptErrors, (b) => typeof b === 'boolean') &&
    optional(p.failOnGrowthBytes, (b) => wholeAtLeast(b, 0)),
};

/** What a load may be: the URL's text, an HTTP method the load generator can send, headers it can carry, timers. */
function loadContract(v: unknown): boolean {
  const load = v as Json;
  return (
    isObject(load) &&
    nonEmpty(load.url) &&
    typeof load.method === 'string' &&
    SENDABLE_METHODS.includes(load.method) &&
    headerRecord(load.headers) &&
    wholeAtLeast(load.connections, 1) &&
    timerMs(load.durationMs) &&
    timerMs(load.timeoutMs) &&
    optional(load.body, (b) => typeof b === 'string') &&
    optional(load.rate, (r) => wholeAtLeast(r, 1))
  );
}

// ---------------------------------------------------------------------------------------------
// Generators: valid params per method, then mutated.

const path = fc.constantFrom('/tmp', '/tmp/out', '/home/u/app', '/');
const load = fc.record(
  {
    url: fc.constantFrom('http://127.0.0.1:3000/report', 'http://localhost:8080/'),
    method: fc.constantFrom('GET', 'post', 'Put', 'delete', 'PATCH', 'head', 'options'),
    headers: fc.dictionary(fc.constantFrom('accept', 'x-trace', 'Authorization'), fc.constantFrom('1', 'text/plain', '')),
    connections: fc.integer({ min: 1, max: 100 }),
    durationMs: fc.integer({ min: 1, max: 60_000 }),
    timeoutMs: fc.integer({ min: 1, max: 60_000 }),
    body: fc.string({ maxLength: 5 }),
    rate: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(null)),
  },
  { requiredKeys: ['url', 'method', 'connections', 'durationMs', 'timeoutMs'] },
);
const VALID: { [M in MethodName]: fc.Arbitrary<unknown> } = {
  hello: fc.record({ protocolVersion: fc.constantFrom(PROTOCOL_VERSION, 0, 2), token: fc.constantFrom(TOKEN, 'wrong-token') }),
  listNodeProcesses: fc.constantFrom(undefined, null, {}),
  launchTarget: fc.record({ command: fc.constantFrom(['node', 'dist/server.js'], ['npm', 'start']), cwd: path, env: fc.dictionary(fc.constantFrom('PORT', 'NODE_ENV', '__proto__'), fc.constantFrom('3000', '')) }, { requiredKeys: ['command', 'cwd'] }),
  attachTarget: fc.record({ spec: fc.constantFrom('pid:1', '9229', 'ws://127.0.0.1:9229/x') }),
  releaseTarget: fc.constantFrom(undefined, null, {}),
  getTarget: fc.constantFrom(undefined, null, {}),
  profileEndpoint: fc.record(
    { load, outDir: path, allowHosts: fc.array(fc.constantFrom('example.com', 'x:1')), samplingIntervalUs: fc.integer({ min: 10, max: 10_000 }), name: fc.constantFrom('run', 'a b'), waitTimeoutMs: fc.integer({ min: 1, max: 60_000 }) },
    { requiredKeys: ['load', 'outDir'] },
  ),
  cancelProfile: fc.constantFrom(undefined, null, {}),
  runLoadTest: fc.record({ file: fc.constantFrom('/app/a.load.json'), allowHosts: fc.array(fc.constantFrom('h')), profile: fc.boolean(), outDir: path }, { requiredKeys: ['file'] }),
  cancelLoadTest: fc.constantFrom(undefined, null, {}),
  explainQuery: fc.record({ text: fc.constantFrom('SELECT 1', 'SELECT * FROM t WHERE id = $1', ' '), analyze: fc.boolean() }, { requiredKeys: ['text'] }),
  watchVitals: fc.record({ blockThresholdMs: fc.constantFrom(19, 20, 100, 250.5), nameBlocks: fc.boolean() }, { requiredKeys: [] }),
  unwatchVitals: fc.constantFrom(undefined, null, {}),
  analyzeProfileFile: fc.record({ file: fc.constantFrom('/tmp/a.cpuprofile') }),
  takeHeapSnapshot: fc.record({ outDir: path, name: fc.constantFrom('heap', 'a b', 'x.y') }, { requiredKeys: ['outDir'] }),
  cancelHeap: fc.constantFrom(undefined, null, {}),
  summarizeHeapSnapshot: fc.record({ file: fc.constantFrom('/tmp/a.heapsnapshot'), top: fc.integer({ min: 1, max: 50 }) }, { requiredKeys: ['file'] }),
  diffHeapSnapshots: fc.record({ files: fc.constantFrom(['/tmp/a.heapsnapshot', '/tmp/b.heapsnapshot'], ['/a', '/b', '/c']), top: fc.integer({ min: 1, max: 50 }) }, { requiredKeys: ['files'] }),
  findLeak: fc.record(
    { load, outDir: path, allowHosts: fc.array(fc.constantFrom('example.com')), name: fc.constantFrom('leak', 'a b'), waitTimeoutMs: fc.integer({ min: 1, max: 60_000 }), acceptErrors: fc.boolean(), failOnGrowthBytes: fc.integer({ min: 0, max: 2 ** 20 }) },
    { requiredKeys: ['load', 'outDir'] },
  ),
};

const weirdValue = fc.oneof(
  fc.constantFrom<unknown>(null, '', ' ', '\t', 'x', 'relative/path', './a', 'a\r\nInjected: 1', 'X Bad', '\u0000', 'FOO', 'GETX', 'get', -1, 0, 0.5, 1.5, 9, 10, 2 ** 53, -(2 ** 53), 1e308, true, false, [], [''], [1], ['node'], {}, { a: 1 }, { a: 'b' }, { 'X Bad': '1' }, { 'x-a': 'a\r\nb' }),
  fc.jsonValue({ maxDepth: 2 }),
);

type Segment = PathSegment;


/** A field's path as messages write it, for comparison: params, .key, [index], ["key"] all as steps. */
function steps(path: readonly Segment[]): string[] {
  return ['params', ...path.map(String)];
}

/** The path a validator message starts with, as steps. */
function stepsOfMessage(message: string): string[] | undefined {
  const match = /^params((?:\.[A-Za-z]\w*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*)(?= )/.exec(message);
  if (!match) return undefined;
  const out = ['params'];
  for (const m of match[1].matchAll(/\.([A-Za-z]\w*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)) out.push(m[1] ?? m[2] ?? (JSON.parse(m[3]) as string));
  return out;
}

const isPrefix = (a: readonly string[], b: readonly string[]) => a.length <= b.length && a.every((s, i) => s === b[i]);

interface Mutation {
  kind: 'delete' | 'replace' | 'add' | 'header' | 'string';
  pick: number;
  value: unknown;
}
const mutation: fc.Arbitrary<Mutation> = fc.record({ kind: fc.constantFrom('delete', 'replace', 'add', 'header', 'string'), pick: fc.nat(), value: weirdValue });
/** Strings a client might send where a string is due. */
const STRINGS = ['', ' ', 'x', 'FOO', 'get', 'GET ', 'relative/path', './a', '/abs', 'a\r\nb', '\u0000', 'http://', 'not a url'];
/** Header names and values as a client might send them, good and bad. */
const HEADERS: Array<[string, string]> = [['x-ok', 'fine'], ['X Bad', '1'], ['', 'x'], ['x:y', '1'], ['é', '1'], ['x-a', 'a\r\nInjected: 1'], ['x-b', 'a\nb'], ['x-c', 'nul\u0000'], ['x-d', ' spaced ']];

function valueAtPath(value: unknown, at: readonly Segment[]): unknown {
  for (const s of at) value = (value as Json)[s as string];
  return value;
}

/** Mutates params in place (params may be replaced as a whole); returns the mutated path. */
function mutate(holder: { params: unknown }, m: Mutation): Segment[] {
  if (m.kind === 'header') {
    // Headers of a profileEndpoint load (elsewhere: a plain replacement).
    const params = holder.params as Json;
    if (isObject(params) && isObject(params.load)) {
      const [name, value] = HEADERS[m.pick % HEADERS.length];
      const headers = (isObject(params.load.headers) ? params.load.headers : (params.load.headers = {})) as Json;
      Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
      return ['load', 'headers', name];
    }
    m = { ...m, kind: 'replace' };
  }
  const paths = pathsOf(holder.params);
  if (m.kind === 'string') {
    // Another string where there is one: wrong content with the right type.
    const stringPaths = paths.filter((p) => typeof valueAtPath(holder.params, p) === 'string');
    if (stringPaths.length === 0) return [];
    m = { ...m, kind: 'replace', value: STRINGS[m.pick % STRINGS.length], pick: Math.floor(m.pick / STRINGS.length) };
    const at = stringPaths[m.pick % stringPaths.length];
    m.pick = paths.indexOf(at);
  }
  if (m.kind === 'add' || paths.length === 0) {
    if (m.kind !== 'add' || !isObject(holder.params)) {
      holder.params = structuredClone(m.value);
      return [];
    }
    Object.defineProperty(holder.params, 'extraField', { value: structuredClone(m.value), enumerable: true, writable: true, configurable: true });
    return ['extraField'];
  }
  const at = paths[m.pick % paths.length];
  let parent = holder.params as Json;
  for (const s of at.slice(0, -1)) parent = parent[s as string] as Json;
  const last = at[at.length - 1];
  if (m.kind === 'replace') parent[last as string] = structuredClone(m.value);
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last as string];
  return at;
}

const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...METHODS) },
  // The methods with the most params, more often.
  { weight: 6, arbitrary: fc.constantFrom<MethodName>('profileEndpoint', 'profileEndpoint', 'launchTarget', 'runLoadTest', 'findLeak', 'diffHeapSnapshots') },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf', 'Hello', 'hello ', 'profile', ''), fc.string({ maxLength: 12 })) },
);

/** A request's method and params: valid, mutated once, mutated more, or any JSON. */
const call = method.chain((name) =>
  fc.tuple(
    fc.constant(name),
    Object.hasOwn(VALID, name) ? VALID[name as MethodName] : fc.jsonValue({ maxDepth: 2 }),
    fc.oneof(fc.constant([] as Mutation[]), fc.tuple(mutation), fc.array(mutation, { minLength: 2, maxLength: 3 })),
  ).map(([m, valid, mutations]) => {
    const holder = { params: structuredClone(valid) };
    const mutated = mutations.map((mu) => mutate(holder, mu));
    return { method: m, params: holder.params, mutated: mutations.length === 1 ? mutated[0] : undefined };
  }),
);

function recordingHandlers(calls: Array<{ method: string; params: unknown }>): Handlers<CallContext> {
  const handlers = {} as Record<MethodName, (params: unknown, context: CallContext) => Promise<unknown>>;
  for (const name of METHODS) {
    handlers[name] = async (params, context) => {
      calls.push({ method: name, params });
      if (name === 'hello') {
        context.authenticate(params as { protocolVersion: number; token: string });
        return { protocolVersion: PROTOCOL_VERSION, serverVersion: 'fuzz', pid: 1 };
      }
      return {};
    };
  }
  return handlers as unknown as Handlers<CallContext>;
}

/** The params a handler got must keep the contract; and the validator may normalise, never invent. */
function checkHandled(methodName: MethodName, params: unknown): void {
  assert.ok(isObject(params), `${methodName} got ${JSON.stringify(params)}`);
  assert.ok(CONTRACT[methodName](params), `${methodName} called with params that break the contract: ${JSON.stringify(params)}`);
}

/** A refusal must be a BAD_REQUEST (or UNAUTHORIZED for a hello without token) naming the field. */
function checkRefusal(err: unknown, name: string, mutated: Segment[] | undefined): void {
  assert.ok(err instanceof RpcFailure, `not an RpcFailure: ${(err as Error)?.stack ?? String(err)}`);
  const { code, message } = toRpcError(err);
  assert.ok(code === 'BAD_REQUEST' || code === 'UNAUTHORIZED', `${code}: ${message}`);
  assert.doesNotMatch(message, /\bundefined\b|\[object Object\]/, message);
  if (!Object.hasOwn(VALID, name)) return assert.ok(message.startsWith(`unknown method ${JSON.stringify(name)}`), message);
  if (code === 'UNAUTHORIZED') return assert.match(message, /params\.token/);
  const field = stepsOfMessage(message);
  assert.ok(field, `the message names no field: ${message}`);
  // With one mutation, the field named is the one mutated, or lies above or below it.
  if (mutated) {
    const changed = steps(mutated);
    assert.ok(isPrefix(field, changed) || isPrefix(changed, field), `mutated ${changed.join(' ')}, but the message names ${field.join(' ')}: ${message}`);
  }
}

test('the dispatcher calls a handler only with params that keep the contract, else refuses naming the field', async () => {
  const calls: Array<{ method: string; params: unknown }> = [];
  const dispatcher = new Dispatcher(recordingHandlers(calls));
  const context: CallContext = { authenticate: () => undefined };
  await fc.assert(
    fc.asyncProperty(call, async ({ method: name, params, mutated }) => {
      calls.length = 0;
      const sent = structuredClone(params);
      let outcome: { ok: true } | { ok: false; err: unknown };
      // Never a synchronous throw: the server chains .then on what call returns.
      let reply: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        reply = dispatcher.call(name, params, context);
      });
      assert.ok(reply instanceof Promise);
      try {
        await reply;
        outcome = { ok: true };
      } catch (err) {
        outcome = { ok: false, err };
      }
      if (outcome.ok) {
        assert.equal(calls.length, 1, 'one handler call');
        assert.equal(calls[0].method, name);
        checkHandled(name as MethodName, calls[0].params);
      } else {
        assert.equal(calls.length, 0, `refused (${String((outcome.err as Error)?.message)}) but the handler was called`);
        checkRefusal(outcome.err, name, mutated);
      }
      assert.deepEqual(params, sent, 'the request was changed in place');
    }),
    { numRuns: RUNS },
  );
});

// ---------------------------------------------------------------------------------------------
// Over the wire: a real RpcServer on 127.0.0.1 with recording handlers.

let server: RpcServer;
const serverCalls: Array<{ method: string; params: unknown }> = [];
before(async () => {
  server = await RpcServer.listen({ token: TOKEN, handlers: recordingHandlers(serverCalls), log: () => undefined, helloTimeoutMs: 60_000 });
});
after(() => server.close());

interface Client {
  ws: WebSocket;
  next(): Promise<Response>;
  closed: Promise<void>;
}

async function connect(): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`);
  const queue: Response[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    queue.push(JSON.parse(data.toString()) as Response);
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const next = async () => {
    while (queue.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
    return queue.shift()!;
  };
  return { ws, next, closed };
}

/** What is sent: a text frame (JSON of a request, of anything, or not JSON) or a binary frame. */
const frame = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.oneof(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom<unknown>(-1, 1.5, 2 ** 53, '1', null, undefined, [], {})), call).map(([id, c]) => ({ text: JSON.stringify({ id, method: c.method, params: c.params }), id, call: c })) },
  { weight: 1, arbitrary: fc.record({ id: fc.integer({ min: 0, max: 1000 }), method: fc.jsonValue({ maxDepth: 1 }), params: fc.jsonValue({ maxDepth: 1 }) }).map((r) => ({ text: JSON.stringify(r), id: r.id, call: undefined })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => ({ text: JSON.stringify(v), id: undefined, call: undefined })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((text) => ({ text, id: undefined, call: undefined })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }).map((bytes) => ({ text: undefined, bytes, id: undefined, call: undefined })) },
);

/** The request a frame holds, as the server should read it: an object with a whole-number id and a method name. */
function requestOf(f: { text?: string; call?: { mutated?: Segment[] } }): { method: string; params: unknown; mutated?: Segment[] } | undefined {
  if (f.text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(f.text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || typeof value.id !== 'number' || !Number.isSafeInteger(value.id) || typeof value.method !== 'string' || value.method === '') return undefined;
  return { method: value.method, params: value.params, mutated: f.call?.mutated };
}

/** A response is one of the protocol's two shapes, with a known error code and a message. */
function checkResponse(response: Response, sentId: unknown): void {
  assert.ok(isObject(response), JSON.stringify(response));
  const valid = typeof sentId === 'number' && Number.isSafeInteger(sentId);
  if ('result' in response) {
    assert.deepEqual(Object.keys(response).sort(), ['id', 'result']);
    assert.equal(response.id, sentId);
    return;
  }
  assert.deepEqual(Object.keys(response).sort(), ['error', 'id']);
  assert.equal(response.id, valid ? sentId : null, `answered with id ${response.id} to id ${JSON.stringify(sentId)}`);
  assert.ok(ERROR_CODES.includes(response.error.code), `unknown code ${response.error.code}`);
  assert.ok(typeof response.error.message === 'string' && response.error.message.trim() !== '', 'an empty message');
  assert.doesNotMatch(response.error.message, /\bundefined\b|\[object Object\]/, response.error.message);
}

test('an authenticated connection answers every message once, well formed, and handlers see only valid params', async () => {
  const client = await connect();
  client.ws.send(JSON.stringify({ id: 0, method: 'hello', params: { protocolVersion: PROTOCOL_VERSION, token: TOKEN } }));
  assert.ok('result' in (await client.next()));
  await fc.assert(
    fc.asyncProperty(frame, async (f) => {
      serverCalls.length = 0;
      if (f.text === undefined) client.ws.send(Buffer.from(f.bytes!), { binary: true });
      else client.ws.send(f.text);
      const response = await client.next();
      checkResponse(response, f.id);
      const request = requestOf(f);
      if ('result' in response) {
        assert.ok(request, 'a result for a malformed message');
        assert.equal(serverCalls.length, 1);
        checkHandled(request.method as MethodName, serverCalls[0].params);
      } else {
        // A second hello is refused by the handler itself (the connection already said hello).
        const secondHello = request?.method === 'hello' && serverCalls.length === 1;
        assert.equal(serverCalls.length, secondHello ? 1 : 0, 'refused, but a handler was called');
        if (request && !secondHello) checkRefusal(new RpcFailure(response.error.code, response.error.message), request.method, request.mutated);
        if (!request) assert.equal(response.error.code, 'BAD_REQUEST');
      }
    }),
    { numRuns: RUNS },
  );
  client.ws.close();
  await client.closed;
});

test('before hello, every message is answered once and the connection closes unless it was a valid hello', async () => {
  await fc.assert(
    fc.asyncProperty(frame, async (f) => {
      serverCalls.length = 0;
      const client = await connect();
      if (f.text === undefined) client.ws.send(Buffer.from(f.bytes!), { binary: true });
      else client.ws.send(f.text);
      const response = await client.next();
      checkResponse(response, f.id);
      const called = serverCalls.filter((c) => c.method !== 'hello');
      assert.equal(called.length, 0, `${called[0]?.method} ran before hello`);
      if ('result' in response) {
        assert.equal(requestOf(f)?.method, 'hello');
        client.ws.close();
      } else {
        assert.ok(['UNAUTHORIZED', 'BAD_REQUEST', 'PROTOCOL_MISMATCH'].includes(response.error.code), response.error.code);
      }
      await client.closed;
    }),
    { numRuns: RUNS },
  );
});
