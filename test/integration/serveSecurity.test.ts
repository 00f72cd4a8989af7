// `perflens serve` refuses whoever is not the extension that started it: browsers (Origin), DNS
// rebinding (Host), clients without the token, and clients of another protocol version. The token
// never appears where other users can read it, and the server goes away with its parent.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { cliPath, repoRoot } from '../helpers/cli';
import { PROTOCOL_VERSION, type Response, type ServeReadyLine } from '../../server/protocol/protocol';

interface Served {
  child: ChildProcess;
  port: number;
  token: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts `perflens serve` as the extension does: token on stdin, port read from the first stdout line. */
async function serve(stdinLine?: string): Promise<Served> {
  const token = randomBytes(32).toString('hex');
  const child = spawn(process.execPath, [cliPath, 'serve'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.stdin!.write(`${stdinLine ?? JSON.stringify({ token })}\n`);
  const line = await Promise.race([
    new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve)),
    exited.then((e) => Promise.reject(new Error(`serve exited (${e.code ?? e.signal}) before printing its port:\n${stderr}`))),
  ]);
  const ready = JSON.parse(line) as ServeReadyLine;
  assert.equal(ready.pid, child.pid);
  return { child, port: ready.port, token, stderr: () => stderr, exited };
}

let server: Served;
before(async () => {
  server = await serve();
});

/** A WebSocket client that keeps every message and notices the close. */
async function connect(port: number): Promise<{ ws: WebSocket; messages: Response[]; closed: Promise<number>; next: () => Promise<Response> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  const messages: Response[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as Response);
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let read = 0;
  const next = async () => {
    while (messages.length <= read) await new Promise<void>((resolve) => waiters.push(resolve));
    return messages[read++];
  };
  return { ws, messages, closed, next };
}

/** Sends an upgrade request with the given headers and returns the HTTP status (101 when accepted). */
function upgradeStatus(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: '/',
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'), ...headers },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function errorOf(message: Response) {
  assert.ok('error' in message, `expected an error, got ${JSON.stringify(message)}`);
  return message.error;
}

test('the right token and version are welcome, and requests are answered after hello', async () => {
  const client = await connect(server.port);
  // Sent back to back: the hello must have authenticated the connection before getTarget is read.
  client.ws.send(JSON.stringify({ id: 1, method: 'hello', params: { protocolVersion: PROTOCOL_VERSION, token: server.token } }));
  client.ws.send(JSON.stringify({ id: 2, method: 'getTarget', params: {} }));
  const hello = await client.next();
  assert.ok('result' in hello, JSON.stringify(hello));
  assert.equal(hello.id, 1);
  const { protocolVersion, serverVersion, pid } = hello.result as { protocolVersion: number; serverVersion: string; pid: number };
  assert.deepEqual({ protocolVersion, pid }, { protocolVersion: PROTOCOL_VERSION, pid: server.child.pid });
  assert.match(serverVersion, /^\d+\.\d+\.\d+/);
  assert.deepEqual(await client.next(), { id: 2, result: {} });
  client.ws.send(JSON.stringify({ id: 3, method: 'launchTarget', params: { command: 'node', cwd: repoRoot } }));
  assert.deepEqual(errorOf(await client.next()), { code: 'BAD_REQUEST', message: 'params.command must be an array of strings, not "node"' });
  client.ws.close();
});

test('a hello without a token, or with a wrong one, is refused and the connection closed', async () => {
  for (const params of [{ protocolVersion: PROTOCOL_VERSION }, { protocolVersion: PROTOCOL_VERSION, token: 'f'.repeat(64) }, { protocolVersion: PROTOCOL_VERSION, token: server.token.slice(0, -1) }]) {
    const client = await connect(server.port);
    client.ws.send(JSON.stringify({ id: 1, method: 'hello', params }));
    const error = errorOf(await client.next());
    assert.equal(error.code, 'UNAUTHORIZED');
    assert.equal(await client.closed, 1008);
    assert.ok(!error.message.includes(server.token), 'the token is never echoed');
  }
});

test('any method before hello is refused and the connection closed', async () => {
  const client = await connect(server.port);
  client.ws.send(JSON.stringify({ id: 7, method: 'listNodeProcesses', params: {} }));
  const reply = await client.next();
  assert.equal(reply.id, 7);
  assert.equal(errorOf(reply).code, 'UNAUTHORIZED');
  assert.equal(await client.closed, 1008);

  const garbage = await connect(server.port);
  garbage.ws.send('not json');
  assert.equal(errorOf(await garbage.next()).code, 'UNAUTHORIZED');
  assert.equal(await garbage.closed, 1008);
});

test('another protocol version is told apart from a wrong token, naming both versions', async () => {
  const client = await connect(server.port);
  client.ws.send(JSON.stringify({ id: 1, method: 'hello', params: { protocolVersion: PROTOCOL_VERSION + 41, token: server.token } }));
  const error = errorOf(await client.next());
  assert.equal(error.code, 'PROTOCOL_MISMATCH');
  assert.match(error.message, new RegExp(`version ${PROTOCOL_VERSION + 41}\\b.*version ${PROTOCOL_VERSION}\\b`));
  assert.equal(await client.closed, 1008);
});

test('upgrades with an Origin header (browsers, webviews) or a foreign Host are refused before any message', async () => {
  const host = `127.0.0.1:${server.port}`;
  assert.equal(await upgradeStatus(server.port, { host }), 101, 'the control: no Origin, our Host');
  assert.equal(await upgradeStatus(server.port, { host: `localhost:${server.port}` }), 101);
  for (const origin of ['http://evil.example', 'vscode-webview://x', 'null', `http://127.0.0.1:${server.port}`]) {
    const status = await upgradeStatus(server.port, { host, origin });
    assert.ok(status === 401 || status === 403, `Origin ${origin}: status ${status}`);
  }
  for (const foreign of [`evil.example:${server.port}`, 'evil.example', `127.0.0.1:${server.port + 1}`, `127.0.0.1.evil.example:${server.port}`]) {
    const status = await upgradeStatus(server.port, { host: foreign });
    assert.ok(status === 401 || status === 403, `Host ${foreign}: status ${status}`);
  }
  // The ws client as a page would drive it: the handshake fails.
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, { origin: 'http://evil.example' });
  const status = await new Promise<number>((resolve) => {
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => resolve(101));
    ws.once('error', () => undefined);
  });
  assert.equal(status, 403);
  ws.terminate();
  assert.match(server.stderr(), /refused a connection: it came with an Origin header/);
});

test('the server listens on 127.0.0.1 only', async () => {
  // The kernel's own table: the listening socket's local address is 127.0.0.1 (0100007F).
  const portHex = server.port.toString(16).toUpperCase().padStart(4, '0');
  const rows = [...readFileSync('/proc/net/tcp', 'utf8').split('\n'), ...readFileSync('/proc/net/tcp6', 'utf8').split('\n')]
    .map((row) => row.trim().split(/\s+/))
    .filter((cols) => cols[3] === '0A' && cols[1]?.endsWith(`:${portHex}`));
  assert.deepEqual(
    rows.map((cols) => cols[1]),
    [`0100007F:${portHex}`],
  );
  // And through another address of this machine, when it has one, nothing answers.
  const other = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && !a.internal && a.family === 'IPv4');
  if (other) {
    const outcome = await new Promise<string>((resolve) => {
      const req = http.get({ host: other.address, port: server.port, path: '/', timeout: 2000 }, (res) => {
        res.resume();
        resolve(`answered ${res.statusCode}`);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    assert.doesNotMatch(outcome, /^answered/, `${other.address}:${server.port}`);
  }
});

test('the token is neither in the command line nor in the environment of the server', () => {
  const pid = server.child.pid!;
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
  assert.match(cmdline, /serve/);
  assert.ok(!cmdline.includes(server.token), 'token in cmdline');
  assert.ok(!environ.includes(server.token), 'token in environ');
  assert.ok(!server.stderr().includes(server.token), 'token in the log');
});

test('a first stdin line that is no token stops the server at once, without quoting it', async () => {
  const child = spawn(process.execPath, [cliPath, 'serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d) => (stdout += d));
  child.stdin!.write('{"token": "short-secret"}\n');
  const code = await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.match(stderr, /session token is too short/);
  assert.ok(!stderr.includes('short-secret'));
});

test('closing stdin makes the server exit; so does SIGTERM', async () => {
  const first = await serve();
  const client = await connect(first.port);
  first.child.stdin!.end();
  assert.deepEqual(await first.exited, { code: 0, signal: null });
  assert.ok((await client.closed) > 0);
  assert.match(first.stderr(), /shutting down: stdin closed/);

  const second = await serve();
  second.child.kill('SIGTERM');
  assert.deepEqual(await second.exited, { code: 0, signal: null });
  assert.match(second.stderr(), /shutting down: received SIGTERM/);

  // The suite's shared server goes the same way.
  server.child.stdin!.end();
  assert.deepEqual(await server.exited, { code: 0, signal: null });
});
