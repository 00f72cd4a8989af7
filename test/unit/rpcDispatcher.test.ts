// The RPC layer alone: param checking with messages that name the field, the typed dispatcher,
// the session token's reading and comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Dispatcher, type Handlers } from '../../server/rpc/dispatcher';
import { RpcFailure, toRpcError } from '../../server/rpc/rpcFailure';
import { parseTokenLine, readToken, tokensMatch } from '../../server/rpc/sessionToken';
import { paramValidators } from '../../server/rpc/validateParams';
import { HostNotAllowedError } from '../../server/load/hostPolicy';
import { SessionError } from '../../server/session/sessionError';
import type { MethodName } from '../../server/protocol/protocol';

const load = { url: 'http://127.0.0.1:3000/report', method: 'get', connections: 4, durationMs: 1000, timeoutMs: 5000 };

function badRequest(method: MethodName, params: unknown): string {
  try {
    paramValidators[method](params);
  } catch (err) {
    assert.ok(err instanceof RpcFailure);
    assert.equal(err.code, 'BAD_REQUEST');
    return err.message;
  }
  assert.fail(`${method} accepted ${JSON.stringify(params)}`);
}

test('bad params are refused with a message naming the field', () => {
  const table: Array<[MethodName, unknown, string]> = [
    ['launchTarget', { cwd: '/tmp' }, 'params.command must be an array of strings, not missing'],
    ['launchTarget', { command: ['node', 3], cwd: '/tmp' }, 'params.command[1] must be a string, not 3'],
    ['launchTarget', { command: [], cwd: '/tmp' }, 'params.command must name the program to run, e.g. ["node", "dist/server.js"]'],
    ['launchTarget', { command: ['node'], cwd: 'here' }, 'params.cwd must be an absolute path, not "here"'],
    ['launchTarget', { command: ['node'], cwd: '/tmp', env: { PORT: 3000 } }, 'params.env["PORT"] must be a string, not 3000'],
    ['attachTarget', { spec: '  ' }, 'params.spec must not be empty'],
    ['attachTarget', [], 'params must be an object, not an array'],
    ['profileEndpoint', { outDir: '/tmp' }, 'params.load must be an object, not missing'],
    ['profileEndpoint', { load: { ...load, connections: 0 }, outDir: '/tmp' }, 'params.load.connections must be a whole number ≥ 1, not 0'],
    ['profileEndpoint', { load: { ...load, durationMs: 'long' }, outDir: '/tmp' }, 'params.load.durationMs must be a number > 0, not "long"'],
    ['profileEndpoint', { load: { ...load, durationMs: 3e9 }, outDir: '/tmp' }, 'params.load.durationMs must be at most 2147483647 (about 24.8 days), not 3000000000'],
    ['profileEndpoint', { load: { ...load, timeoutMs: 1e308 }, outDir: '/tmp' }, 'params.load.timeoutMs must be at most 2147483647 (about 24.8 days), not 1e+308'],
    ['profileEndpoint', { load: { ...load, method: 'GET /x' }, outDir: '/tmp' }, 'params.load.method must be an HTTP method such as GET or POST, not "GET /x"'],
    ['profileEndpoint', { load: { ...load, method: 'FOO' }, outDir: '/tmp' }, 'params.load.method must be an HTTP method such as GET or POST, not "FOO"'],
    ['profileEndpoint', { load, outDir: '/tmp', samplingIntervalUs: 1.5 }, 'params.samplingIntervalUs must be a whole number ≥ 10, not 1.5'],
    ['profileEndpoint', { load, outDir: '/tmp', allowHosts: 'x' }, 'params.allowHosts must be an array of strings, not "x"'],
    ['profileEndpoint', { load: { ...load, headers: { 'X Bad': '1' } }, outDir: '/tmp' }, 'params.load.headers["X Bad"] is not a valid header name: use letters, digits and !#$%&\'*+-.^_`|~'],
    ['profileEndpoint', { load: { ...load, headers: { 'x-a': 'a\r\nInjected: 1' } }, outDir: '/tmp' }, 'params.load.headers["x-a"] must not contain a line break or NUL'],
    ['analyzeProfileFile', { file: 'a.cpuprofile' }, 'params.file must be an absolute path, not "a.cpuprofile"'],
    ['getTarget', 'now', 'params must be an object, not "now"'],
    ['takeHeapSnapshot', { outDir: 'out' }, 'params.outDir must be an absolute path, not "out"'],
    ['takeHeapSnapshot', { outDir: '/tmp', name: '../x' }, 'params.name must be a file name without folders, not "../x"'],
    ['summarizeHeapSnapshot', { file: '/tmp/a.heapsnapshot', top: 0 }, 'params.top must be a whole number ≥ 1, not 0'],
    ['diffHeapSnapshots', { files: ['/tmp/a.heapsnapshot'] }, 'params.files must name two or three snapshot files (baseline, target[, final]), not 1'],
    ['diffHeapSnapshots', { files: ['/tmp/a', 'b'] }, 'params.files[1] must be an absolute path, not "b"'],
    ['findLeak', { load: { ...load, connections: 0 }, outDir: '/tmp' }, 'params.load.connections must be a whole number ≥ 1, not 0'],
    ['findLeak', { load, outDir: '/tmp', failOnGrowthBytes: 1.5 }, 'params.failOnGrowthBytes must be a whole number ≥ 0, not 1.5'],
  ];
  for (const [method, params, message] of table) assert.equal(badRequest(method, params), message, `${method} ${JSON.stringify(params)}`);
});

test('good params come out typed and normalised; unknown fields are ignored', () => {
  assert.deepEqual(paramValidators.profileEndpoint({ load: { ...load, rate: null, extra: 1 }, outDir: '/tmp/out', future: true }), {
    load: { url: load.url, method: 'GET', headers: {}, connections: 4, durationMs: 1000, timeoutMs: 5000 },
    outDir: '/tmp/out',
  });
  assert.deepEqual(paramValidators.getTarget(undefined), {});
  const env = paramValidators.launchTarget(JSON.parse('{"command": ["node"], "cwd": "/", "env": {"__proto__": "x", "A": "1"}}')).env!;
  assert.deepEqual(Object.entries(env), [['__proto__', 'x'], ['A', '1']]);
});

test('a hello without a token is UNAUTHORIZED, not a shape error', () => {
  assert.throws(() => paramValidators.hello({ protocolVersion: 1 }), (err: RpcFailure) => err.code === 'UNAUTHORIZED');
  assert.throws(() => paramValidators.hello({ token: 'x' }), (err: RpcFailure) => err.code === 'BAD_REQUEST' && /params\.protocolVersion/.test(err.message));
});

/** Handlers that echo what they got, for the dispatcher tests. */
function echoHandlers(): Handlers<string> {
  const fail = () => Promise.reject(new Error('not in this test'));
  return {
    hello: async (params, context) => ({ protocolVersion: params.protocolVersion, serverVersion: context, pid: 1 }),
    listNodeProcesses: async () => ({ processes: [] }),
    launchTarget: fail,
    attachTarget: async (params) => ({ kind: 'attached', description: params.spec, inspectorUrl: 'ws://127.0.0.1:9229/x' }),
    releaseTarget: async () => ({}),
    getTarget: async () => ({}),
    profileEndpoint: fail,
    cancelProfile: async () => ({}),
    runLoadTest: fail,
    cancelLoadTest: async () => ({}),
    explainQuery: fail,
    watchVitals: fail,
    unwatchVitals: async () => ({}),
    analyzeProfileFile: fail,
    takeHeapSnapshot: fail,
    cancelHeap: async () => ({}),
    summarizeHeapSnapshot: fail,
    diffHeapSnapshots: fail,
    findLeak: fail,
  };
}

test('the dispatcher checks params, then calls the method with the context', async () => {
  const dispatcher = new Dispatcher(echoHandlers());
  assert.deepEqual(await dispatcher.call('attachTarget', { spec: 'pid:1' }, 'ctx'), { kind: 'attached', description: 'pid:1', inspectorUrl: 'ws://127.0.0.1:9229/x' });
  assert.deepEqual(await dispatcher.call('hello', { protocolVersion: 1, token: 't' }, 'ctx'), { protocolVersion: 1, serverVersion: 'ctx', pid: 1 });
  await assert.rejects(dispatcher.call('attachTarget', {}, 'ctx'), (err: RpcFailure) => err.code === 'BAD_REQUEST' && err.message === 'params.spec must be a string, not missing');
  for (const name of ['nope', '__proto__', 'toString', 'constructor', 'hasOwnProperty']) {
    await assert.rejects(dispatcher.call(name, {}, 'ctx'), (err: RpcFailure) => err.code === 'BAD_REQUEST' && err.message.startsWith(`unknown method ${JSON.stringify(name)}`));
  }
});

test('a handler map that misses a method or mistypes one does not compile', () => {
  const { cancelProfile: _cancel, ...rest } = echoHandlers();
  // @ts-expect-error cancelProfile is missing
  const missing: Handlers<string> = rest;
  // @ts-expect-error getTarget's result has no `pid` field
  const mistyped: Handlers<string> = { ...echoHandlers(), getTarget: async () => ({ pid: 3 }) };
  assert.ok(missing && mistyped);
});

test('errors become protocol errors: codes kept, the unforeseen INTERNAL', () => {
  assert.deepEqual(toRpcError(new RpcFailure('BUSY', 'busy', { a: 1 })), { code: 'BUSY', message: 'busy', data: { a: 1 } });
  assert.deepEqual(toRpcError(new SessionError('TARGET_LOST', 'gone')), { code: 'TARGET_LOST', message: 'gone' });
  assert.equal(toRpcError(new HostNotAllowedError('example.com')).code, 'HOST_NOT_ALLOWED');
  assert.deepEqual(toRpcError(new TypeError('x is undefined')), { code: 'INTERNAL', message: 'internal error: x is undefined' });
});

test('tokens compare equal only when equal, whatever their lengths', () => {
  const token = 'a'.repeat(64);
  assert.equal(tokensMatch(token, token), true);
  assert.equal(tokensMatch(`${token}b`, token), false);
  assert.equal(tokensMatch(token.slice(1), token), false);
  assert.equal(tokensMatch('', token), false);
});

test('the token line is JSON with a long enough token; errors never quote it', () => {
  assert.equal(parseTokenLine('{"token": "0123456789abcdef"}'), '0123456789abcdef');
  for (const line of ['secret-secret-secret', '{"tok": "secret-secret-secret"}', '{"token": "secret"}', 'null']) {
    assert.throws(() => parseTokenLine(line), (err: Error) => !err.message.includes('secret'), line);
  }
});

test('readToken takes the first line, in pieces or not, and rejects when stdin ends first', async () => {
  const input = new PassThrough();
  const token = readToken(input);
  input.write('{"token": "0123456');
  input.write('789abcdef"}\n{"ignored": true}\n');
  assert.equal(await token, '0123456789abcdef');
  const ended = new Promise((resolve) => input.once('end', resolve));
  input.end();
  await ended; // still flowing: its end is seen

  const early = new PassThrough();
  const rejected = readToken(early);
  early.end('{"token": "0123456789abcdef"}');
  await assert.rejects(rejected, /stdin closed before the session token arrived/);
});
