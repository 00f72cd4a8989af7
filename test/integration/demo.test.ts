// The demo service, self-contained: `node demo/dist/server.js` without DATABASE_URL starts its own
// embedded PostgreSQL, serves every endpoint with its known cost, and leaves nothing behind when
// stopped (SIGTERM, SIGINT) or killed (SIGKILL: its watchdog cleans up).
// Needs the demo built: node node_modules/typescript/bin/tsc -p demo
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../server/target/freePort';

const root = join(__dirname, '..', '..');
const serverScript = join(root, 'demo', 'dist', 'server.js');
const STARTUP_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 15_000;

interface Demo {
  child: ChildProcess;
  baseUrl: string;
  /** embedded PostgreSQL, from the demo's start-up line */
  database: { port: number; pid: number; dataDir: string };
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

test('the demo serves each endpoint and stops cleanly on SIGTERM', { timeout: 120_000 }, async (t) => {
  const demo = await startDemo(t);
  const { baseUrl } = demo;

  await t.test('/health answers without the database', async () => {
    const res = await fetch(`${baseUrl}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
  });

  await t.test('/report scores a page of orders', async () => {
    const res = await fetch(`${baseUrl}/report`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { scored: number; passes: number; top: { orderId: number; score: number }[] };
    assert.equal(body.scored, 1000);
    assert.ok(body.passes > 0);
    assert.equal(body.top.length, 10);
    assert.ok(body.top.every((row) => Number.isInteger(row.orderId) && row.score > 0));
  });

  await t.test('/search finds orders by their notes', async () => {
    const res = await fetch(`${baseUrl}/search?q=gift`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { count: number; results: { notes: string }[] };
    assert.ok(body.count > 0);
    assert.ok(body.results.every((row) => row.notes.toLowerCase().includes('gift')));
    const none = (await (await fetch(`${baseUrl}/search?q=${encodeURIComponent('no such note 100%')}`)).json()) as { count: number };
    assert.equal(none.count, 0);
  });

  await t.test("the N+1 endpoint returns a customer's orders with their items", async () => {
    const res = await fetch(`${baseUrl}/customers/42/orders`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { customer: { id: number }; orders: { items: unknown[] }[] };
    assert.equal(body.customer.id, 42);
    assert.equal(body.orders.length, 25);
    assert.ok(body.orders.every((order) => order.items.length >= 1));
    assert.equal((await fetch(`${baseUrl}/customers/999999/orders`)).status, 404);
  });

  await t.test('/block stalls the whole event loop', async () => {
    const started = performance.now();
    const res = await fetch(`${baseUrl}/block?ms=100`);
    const elapsed = performance.now() - started;
    assert.equal(res.status, 200);
    assert.ok(((await res.json()) as { blockedMs: number }).blockedMs >= 100);
    assert.ok(elapsed >= 100, `took ${elapsed} ms`);

    // While /block runs, even /health waits.
    const blocking = fetch(`${baseUrl}/block?ms=400`);
    await delay(100); // let the block start first
    const healthStarted = performance.now();
    const health = await fetch(`${baseUrl}/health`);
    const healthMs = performance.now() - healthStarted;
    assert.equal(health.status, 200);
    assert.equal((await blocking).status, 200);
    assert.ok(healthMs >= 150, `/health answered in ${healthMs} ms while the loop was blocked`);
  });

  await t.test('/leak retains memory on every request', async () => {
    const first = (await (await fetch(`${baseUrl}/leak`)).json()) as { retained: number; heapUsedBytes: number };
    const calls = 400;
    for (let batch = 0; batch < calls / 20; batch++) {
      await Promise.all(Array.from({ length: 20 }, () => fetch(`${baseUrl}/leak`).then((res) => res.arrayBuffer())));
    }
    const last = (await (await fetch(`${baseUrl}/leak`)).json()) as { retained: number; heapUsedBytes: number };
    assert.equal(last.retained, first.retained + calls + 1);
    // About 25 KB per entry (10 MB here); a generous margin for garbage collected meanwhile.
    const grown = last.heapUsedBytes - first.heapUsedBytes;
    assert.ok(grown > 3 * 1024 * 1024, `heap grew by only ${grown} bytes`);
  });

  await t.test('bad requests get JSON errors and do not crash the process', async () => {
    const missing = await fetch(`${baseUrl}/no-such-route`);
    assert.equal(missing.status, 404);
    assert.ok(((await missing.json()) as { error: string }).error);
    for (const path of ['/block?ms=soon', '/search', '/customers/abc/orders', '/report?passes=x']) {
      const res = await fetch(`${baseUrl}${path}`);
      assert.equal(res.status, 400, path);
      assert.equal(typeof ((await res.json()) as { error: unknown }).error, 'string', path);
    }
    assert.equal((await fetch(`${baseUrl}/health`)).status, 200);
  });

  await stopAndCheck(demo, 'SIGTERM');
});

test('the demo stops its database on SIGINT', { timeout: 120_000 }, async (t) => {
  const demo = await startDemo(t);
  await fetch(`${demo.baseUrl}/report`); // some pooled connections to close
  await stopAndCheck(demo, 'SIGINT');
});

test('a killed demo leaves no PostgreSQL behind (watchdog)', { timeout: 120_000 }, async (t) => {
  const demo = await startDemo(t);
  demo.child.kill('SIGKILL');
  const { signal } = await withTimeout(demo.exited, EXIT_TIMEOUT_MS, 'the demo did not die');
  assert.equal(signal, 'SIGKILL');
  await waitFor(async () => !(await postgresRunning(demo.database.dataDir)) && !existsSync(demo.database.dataDir), 20_000, 'PostgreSQL still running or its data still there after the demo was killed');
  assert.equal(await accepts(demo.database.port), false);
});

async function startDemo(t: { after(fn: () => unknown): void }): Promise<Demo> {
  assert.ok(existsSync(serverScript), `${serverScript} is missing: build the demo first (tsc -p demo)`);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  delete env.DATABASE_URL; // the self-contained path
  delete env.NODE_OPTIONS; // e.g. tsx's loader from the test runner
  const child = spawn(process.execPath, [serverScript], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL'); // its watchdog stops PostgreSQL and removes the data
      await exited;
    }
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  let dead = false;
  void exited.then(() => (dead = true));
  await waitFor(
    async () => {
      if (dead) throw new Error(`the demo exited during start-up:\n${output}`);
      try {
        return (await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) })).ok;
      } catch {
        return false;
      }
    },
    STARTUP_TIMEOUT_MS,
    () => `the demo did not answer /health within ${STARTUP_TIMEOUT_MS} ms:\n${output}`,
  );
  assert.match(output, new RegExp(`demo listening on http://127\\.0\\.0\\.1:${port}\\b`));
  const line = /embedded PostgreSQL on 127\.0\.0\.1:(\d+) \(pid (\d+), data in (.+?)\)/.exec(output);
  assert.ok(line, `no embedded PostgreSQL line in:\n${output}`);
  const database = { port: Number(line[1]), pid: Number(line[2]), dataDir: line[3]! };
  assert.ok(existsSync(database.dataDir));
  assert.equal(await postgresRunning(database.dataDir), true);
  return { child, baseUrl, database, output: () => output, exited };
}

async function stopAndCheck(demo: Demo, signal: NodeJS.Signals): Promise<void> {
  demo.child.kill(signal);
  const { code } = await withTimeout(demo.exited, EXIT_TIMEOUT_MS, `the demo did not exit within ${EXIT_TIMEOUT_MS} ms of ${signal}`);
  assert.equal(code, 0, demo.output());
  assert.equal(await postgresRunning(demo.database.dataDir), false, 'a postgres process survived');
  assert.equal(existsSync(demo.database.dataDir), false, 'the data directory survived');
  assert.equal(await accepts(demo.database.port), false, 'the database port still accepts connections');
}

/** Any process whose command line names the data dir (the postmaster has `-D <dir>`). */
function postgresRunning(dataDir: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    execFile('pgrep', ['-f', '--', dataDir], (error, stdout) => {
      if (!error) resolve(stdout.trim().length > 0);
      else if (error.code === 1) resolve(false);
      else reject(error);
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(2_000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}


async function waitFor(check: () => Promise<boolean>, timeoutMs: number, message: string | (() => string)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(typeof message === 'function' ? message() : message);
    await delay(100);
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
