// The agent inside a real service: the demo on the suite's PostgreSQL, launched with its inspector,
// armed through CDP as a profile run arms it. What it records is checked against what the demo's
// code sends (1 + 1 + 25 queries per GET /customers/7/orders), and detaching must leave the service
// exactly as it was (the same prototype functions, no global, no channel subscriber).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { QueryAgent } from '../../server/agent/queryAgent';
import { removeAgent } from '../../server/agent/agentInstall';
import type { CdpConnection } from '../../server/cdp/connection';
import { TargetSession } from '../../server/session/targetSession';
import { demoEnv, freePort, repoRoot } from '../helpers/cli';

async function withDemo(run: (connection: CdpConnection, base: string) => Promise<void>): Promise<void> {
  const port = await freePort();
  const env = demoEnv(port) as Record<string, string>;
  const session = await TargetSession.launch(['node', join(repoRoot, 'demo/dist/server.js')], { cwd: repoRoot, env });
  try {
    const base = `http://127.0.0.1:${port}`;
    await session.waitForUrl(`${base}/health`, { timeoutMs: 60_000 });
    await run(await session.connect(), base);
  } finally {
    await session.release();
  }
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function get(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

async function evaluate(connection: CdpConnection, expression: string): Promise<unknown> {
  const { result, exceptionDetails } = await connection.send('Runtime.evaluate', { expression, returnByValue: true, includeCommandLineAPI: true, awaitPromise: true });
  assert.equal(exceptionDetails, undefined, exceptionDetails?.exception?.description);
  return result.value;
}

test('the agent sees each query of a request, tied to that request, with the calling line and the pool', async () => {
  await withDemo(async (connection, base) => {
    const agent = await QueryAgent.arm(connection, { flushMs: 100 });
    assert.equal(agent.capture.status.requestContext, true);
    assert.deepEqual(agent.capture.status.pg.map((p) => p.dir), [join(repoRoot, 'node_modules/pg')]);
    for (let i = 0; i < 3; i++) assert.equal(await get(`${base}/customers/7/orders`), 200);
    assert.equal(await get(`${base}/customers/999999/orders`), 404);
    // The service's 'finish' of a response may come after the client has read it: wait for the
    // four requests' ends to arrive (a batch every 100 ms) before disarming.
    await waitFor(() => agent.capture.requests.filter((r) => r.url.startsWith('/customers/') && r.endMs !== undefined).length === 4, 10_000);
    const capture = await agent.disarm();

    const texts = new Map(capture.statements.map((s) => [s.id, s.text]));
    const requests = capture.requests.filter((r) => r.url.startsWith('/customers/'));
    assert.equal(requests.length, 4);
    const perRequest = requests.map((r) => capture.executions.filter((e) => e.request === r.id));
    // Customer 7 has 25 orders: the customer, the orders, then one items query per order.
    assert.deepEqual(perRequest.map((list) => list.length), [27, 27, 27, 1]);
    for (const list of perRequest.slice(0, 3)) {
      assert.match(texts.get(list[0]!.statement)!, /FROM customers WHERE id = \$1/);
      assert.match(texts.get(list[1]!.statement)!, /FROM orders WHERE customer_id = \$1/);
      assert.equal(new Set(list.slice(2).map((e) => e.statement)).size, 1);
      assert.match(texts.get(list[2]!.statement)!, /FROM order_items oi/);
      assert.equal(list[1]!.rows, 25);
    }
    assert.equal(perRequest[3]![0]!.rows, 0, 'the unknown customer: no row');
    for (const e of capture.executions) {
      assert.ok(e.ms > 0 && e.waitMs >= 0 && e.pool === 1, JSON.stringify(e));
      const request = capture.requests.find((r) => r.id === e.request)!;
      assert.ok(e.startMs >= request.startMs && e.startMs <= request.endMs!, 'each query inside its own request');
    }
    assert.deepEqual(requests.map((r) => r.status), [200, 200, 200, 404]);
    // The first stack of the items query starts at the demo's line that sends it.
    const itemsSite = capture.sites.find((s) => s.id === perRequest[0]![2]!.site)!;
    assert.match(itemsSite.frames[0]!.url, /demo\/dist\/routes\/orders\.js$/);
    assert.equal(capture.pools.length, 1);
    assert.equal(capture.pools[0]!.max, 10);
    assert.equal(capture.checkouts.length, 3 * 27 + 1, 'every pool.query is a checkout');
  });
});

test('a failing query is recorded with its SQLSTATE', async () => {
  await withDemo(async (connection) => {
    const agent = await QueryAgent.arm(connection);
    await evaluate(connection, `(async () => { const { Pool } = require('pg'); const pool = new Pool({ connectionString: ${JSON.stringify(process.env.PERFLENS_TEST_DATABASE_URL ?? '')} }); await pool.query('SELECT * FROM no_such_table').catch(() => {}); await pool.end(); })()`);
    const capture = await agent.disarm();
    const failed = capture.executions.filter((e) => e.errorCode);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.errorCode, '42P01');
    assert.match(failed[0]!.errorMessage!, /no_such_table/);
  });
});

test('a copy of pg loaded after the agent arrived is followed too (within its next tick)', async () => {
  // A second, separate copy of pg: the one the postgraphile real service installed (test set-up puts it there).
  const secondCopy = join(repoRoot, '.cache/real-services/postgraphile-js/node_modules/pg');
  await withDemo(async (connection) => {
    const agent = await QueryAgent.arm(connection, { flushMs: 200 });
    const url = JSON.stringify(process.env.PERFLENS_TEST_DATABASE_URL ?? '');
    await evaluate(connection, `(async () => { globalThis.__perflensLatePg = require(${JSON.stringify(secondCopy)}); await new Promise((r) => setTimeout(r, 600)); const pool = new globalThis.__perflensLatePg.Pool({ connectionString: ${url} }); await pool.query('SELECT 41 + 1 AS late'); await pool.end(); delete globalThis.__perflensLatePg; })()`);
    const capture = await agent.disarm();
    const late = capture.statements.find((s) => s.text === 'SELECT 41 + 1 AS late');
    assert.ok(late, 'the late copy\'s query was captured');
    assert.equal(capture.executions.filter((e) => e.statement === late.id).length, 1);
    assert.notEqual(capture.pools.length, 0);
  });
});

test('detaching leaves the service as it was: the same functions, no global, no subscriber, no binding', async () => {
  await withDemo(async (connection, base) => {
    const probe = `(() => {
      const pg = require('pg'); const Pool = require('pg-pool'); const dc = require('diagnostics_channel');
      const now = { query: pg.Client.prototype.query, connect: Pool.prototype.connect, poolQuery: Pool.prototype.query };
      globalThis.__perflensTestProbe ??= now;
      const was = globalThis.__perflensTestProbe;
      return {
        same: Object.keys(now).filter((k) => now[k] === was[k]),
        agent: typeof globalThis[Symbol.for('perflens.agent')],
        binding: typeof globalThis.__perflensAgent,
        subscribed: dc.channel('http.server.request.start').hasSubscribers,
      };
    })()`;
    const before = await evaluate(connection, probe);
    assert.deepEqual(before, { same: ['query', 'connect', 'poolQuery'], agent: 'undefined', binding: 'undefined', subscribed: false });
    const agent = await QueryAgent.arm(connection);
    assert.equal(await get(`${base}/customers/7/orders`), 200);
    assert.deepEqual(await evaluate(connection, probe), { same: [], agent: 'object', binding: 'function', subscribed: true });
    await agent.disarm();
    assert.deepEqual(await evaluate(connection, probe), { same: ['query', 'connect', 'poolQuery'], agent: 'object', binding: 'function', subscribed: false }, 'disarmed: wrappers gone, the Explain store kept');
    await removeAgent(connection);
    assert.deepEqual(await evaluate(connection, probe), before);
    assert.equal(await get(`${base}/customers/7/orders`), 200, 'the service still answers');
  });
});
