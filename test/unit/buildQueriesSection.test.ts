import { emptyCapture } from './queryFixtures';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CapturedRequest, CapturedStatement, Checkout, QueryCapture, QueryExecution, StackFrame } from '../../server/queries/captureTypes';
import { buildQueriesSection, durations, intervalUnion, nearestRank } from '../../server/queries/buildQueriesSection';

const capture = (parts: Partial<QueryCapture>) => emptyCapture(parts);
const exec = (p: Partial<QueryExecution> & { statement: number }): QueryExecution => ({ site: -1, request: 0, startMs: 0, ms: 1, waitMs: 0, rows: 0, pool: -1, ...p });
const request = (id: number, url: string, method = 'GET'): CapturedRequest => ({ id, method, url, startMs: 0, endMs: 100, status: 200 });
const frame = (url: string, line: number, column = 5, functionName = 'handler'): StackFrame => ({ url, line, column, functionName });
const pgFrame = frame('file:///app/node_modules/pg/lib/client.js', 527, 12, 'Client.query');

const ORDERS = 'SELECT * FROM orders WHERE customer_id = $1';
const ITEMS = 'SELECT * FROM items WHERE order_id = $1';

/** A request that loads a customer's orders, then each order's items one by one: 1 + n queries, each item query `msEach` long, one after the other. */
function onePlusN(requestId: number, n: number, msEach: number, t0 = 0): QueryExecution[] {
  const executions = [exec({ statement: 1, request: requestId, startMs: t0, ms: 4, rows: n, site: 1 })];
  for (let i = 0; i < n; i++) executions.push(exec({ statement: 2, request: requestId, startMs: t0 + 5 + i * msEach, ms: msEach, rows: 3, site: 2 }));
  return executions;
}
const statements: CapturedStatement[] = [
  { id: 1, text: ORDERS },
  { id: 2, text: ITEMS },
];
const sites = [
  { id: 1, frames: [pgFrame, frame('file:///app/dist/routes/orders.js', 12, 20, 'getOrders')] },
  { id: 2, frames: [pgFrame, frame('file:///app/dist/routes/orders.js', 18, 24, 'async loadItems')] },
];

test('a request with 1 + 25 item queries: the item query is N+1, 25 per request, after the orders query', () => {
  const section = buildQueriesSection(capture({ statements, sites, requests: [request(1, '/customers/7/orders?expand=items')], executions: onePlusN(1, 25, 2) }));
  const [items, orders] = section.queries;
  assert.equal(items.text, ITEMS, 'sorted by total time: 25 × 2 ms before 4 ms');
  assert.equal(items.calls, 25);
  assert.equal(items.totalMs, 50);
  assert.equal(items.rows, 75);
  assert.deepEqual(items.nPlusOne, {
    endpoint: 'GET /customers/7/orders',
    perRequest: 25,
    perRequestMedian: 25,
    requests: 1,
    ofRequests: 1,
    msPerRequest: 50,
    after: ORDERS,
  });
  assert.equal(items.file, '/app/dist/routes/orders.js');
  assert.equal(items.line, 18);
  assert.deepEqual(items.perRequest, { mean: 25, max: 25 });
  assert.equal(orders.text, ORDERS);
  assert.equal(orders.nPlusOne, undefined, 'sent once per request');
  assert.equal(orders.line, 12);
  assert.deepEqual(section.perRequest, { requests: 1, mean: 26, max: 26, p95: 26, msMean: 54 });
  assert.deepEqual(section.warnings, []);
});

test('repeats sent concurrently (Promise.all) count, their time is the union of their intervals', () => {
  // Request 1: the source at 0, then 6 item queries of 10 ms started at 10, 10, 11, 12, 12, 13:
  // they overlap, all within [10, 23], so 13 ms of database time, not 60.
  const concurrent = [exec({ statement: 1, request: 1, startMs: 0, ms: 4 }), ...[10, 10, 11, 12, 12, 13].map((startMs) => exec({ statement: 2, request: 1, startMs, ms: 10 }))];
  // Request 2, the same endpoint: three items only, under the threshold; request 3 elsewhere.
  const few = [exec({ statement: 1, request: 2, startMs: 100, ms: 4 }), ...[110, 111, 112].map((startMs) => exec({ statement: 2, request: 2, startMs, ms: 10 }))];
  const section = buildQueriesSection(
    capture({ statements, requests: [request(1, '/customers/7/orders'), request(2, '/customers/9/orders'), request(3, '/health')], executions: [...concurrent, ...few] }),
    { endpointOf: (r) => (r.url.startsWith('/customers/') ? `${r.method} /customers/:id/orders` : `${r.method} ${r.url}`) },
  );
  const items = section.queries.find((q) => q.text === ITEMS)!;
  assert.deepEqual(items.nPlusOne, { endpoint: 'GET /customers/:id/orders', perRequest: 6, perRequestMedian: 6, requests: 1, ofRequests: 2, msPerRequest: 13, after: ORDERS });
  assert.deepEqual(items.perRequest, { mean: 4.5, max: 6 });
});

test('the median and the max over flagged requests; the endpoint where the repeats cost most', () => {
  const executions = [...onePlusN(1, 5, 1), ...onePlusN(2, 9, 1, 1000), ...onePlusN(3, 7, 1, 2000), ...onePlusN(4, 20, 3, 3000)];
  const section = buildQueriesSection(capture({ statements, requests: [request(1, '/a'), request(2, '/a'), request(3, '/a'), request(4, '/b')], executions }));
  // /a: 5 + 9 + 7 = 21 ms over three requests; /b: 60 ms in one. /b is reported.
  assert.deepEqual(section.queries.find((q) => q.text === ITEMS)?.nPlusOne, { endpoint: 'GET /b', perRequest: 20, perRequestMedian: 20, requests: 1, ofRequests: 1, msPerRequest: 60, after: ORDERS });
  const onlyA = buildQueriesSection(capture({ statements, requests: [request(1, '/a'), request(2, '/a'), request(3, '/a')], executions: executions.filter((e) => e.request !== 4) }));
  assert.deepEqual(onlyA.queries.find((q) => q.text === ITEMS)?.nPlusOne, { endpoint: 'GET /a', perRequest: 9, perRequestMedian: 7, requests: 3, ofRequests: 3, msPerRequest: 7, after: ORDERS });
});

test('not N+1: under minRepeats, no source before the repeats, under minTotalMs, outside a request, BEGIN/COMMIT', () => {
  const requests = [request(1, '/x'), request(2, '/y'), request(3, '/z')];
  const four = onePlusN(1, 4, 2);
  assert.equal(buildQueriesSection(capture({ statements, requests, executions: four })).queries[0].nPlusOne, undefined, '4 < 5 repeats');
  assert.equal(buildQueriesSection(capture({ statements, requests, executions: four }), { nPlusOne: { minRepeats: 4 } }).queries[0].nPlusOne?.perRequest, 4);

  // The repeats come first: no other statement was sent before them in that request.
  const sourceless = [...[0, 1, 2, 3, 4, 5].map((startMs) => exec({ statement: 2, request: 2, startMs })), exec({ statement: 1, request: 2, startMs: 9 })];
  assert.equal(buildQueriesSection(capture({ statements, requests, executions: sourceless })).queries.find((q) => q.text === ITEMS)?.nPlusOne, undefined);

  const quick = onePlusN(3, 6, 1); // 6 ms of repeats
  assert.equal(buildQueriesSection(capture({ statements, requests, executions: quick }), { nPlusOne: { minRepeats: 5, minTotalMs: 50 } }).queries[0].nPlusOne, undefined);
  assert.ok(buildQueriesSection(capture({ statements, requests, executions: quick }), { nPlusOne: { minRepeats: 5, minTotalMs: 6 } }).queries[0].nPlusOne);

  const background = onePlusN(0, 10, 1); // a job outside any request
  assert.equal(buildQueriesSection(capture({ statements, requests, executions: background })).queries[0].nPlusOne, undefined);

  const transactions = [
    { id: 1, text: ORDERS },
    { id: 3, text: 'BEGIN' },
    { id: 4, text: 'COMMIT' },
  ];
  const perItemTransaction = [exec({ statement: 1, request: 1, startMs: 0 }), ...[1, 2, 3, 4, 5, 6].flatMap((t) => [exec({ statement: 3, request: 1, startMs: t * 10 }), exec({ statement: 4, request: 1, startMs: t * 10 + 1 })])];
  const section = buildQueriesSection(capture({ statements: transactions, requests, executions: perItemTransaction }));
  assert.ok(section.queries.every((q) => !q.nPlusOne), 'BEGIN and COMMIT are never the repeat');
});

test('statements with other literals merge; a statement sent from two lines; rows, errors, percentiles', () => {
  const texts: CapturedStatement[] = [
    { id: 1, text: "SELECT name FROM users WHERE id = 1 AND kind IN ('a', 'b')" },
    { id: 2, text: "SELECT name FROM users WHERE id = 42 AND kind IN ('c')" },
    { id: 3, text: "SELECT name FROM users WHERE id = 7 AND kind IN ('a')" },
  ];
  const userSites = [
    { id: 1, frames: [pgFrame, frame('file:///app/dist/users.js', 10, 3, 'findUser'), frame('file:///app/dist/a.js', 1)] },
    { id: 2, frames: [pgFrame, frame('file:///app/dist/profile.js', 20, 7, 'loadProfile')] },
    // Another caller above the same line: the same calling line.
    { id: 3, frames: [pgFrame, frame('file:///app/dist/users.js', 10, 3, 'findUser'), frame('file:///app/dist/b.js', 2)] },
  ];
  const executions: QueryExecution[] = [];
  for (let i = 1; i <= 20; i++) {
    const site = i <= 10 ? 1 : i <= 15 ? 3 : 2;
    executions.push(
      exec({
        statement: i % 2 === 0 ? 1 : i === 3 ? 3 : 2,
        site,
        ms: i,
        waitMs: i === 20 ? 30 : 0,
        rows: i === 7 ? -1 : 1,
        ...(i === 5 || i === 6 ? { errorCode: '57014', errorMessage: 'canceling statement due to statement timeout' } : {}),
        ...(i === 9 ? { errorCode: '42P01', errorMessage: 'relation "users" does not exist' } : {}),
      }),
    );
  }
  executions.push(exec({ statement: 2, site: -1, ms: 0 })); // no stack for this one
  const section = buildQueriesSection(capture({ statements: texts, sites: userSites, executions }));
  assert.equal(section.queries.length, 1);
  const [q] = section.queries;
  assert.equal(q.text, 'SELECT name FROM users WHERE id = ? AND kind IN (?)');
  assert.equal(q.calls, 21);
  // ms 0, 1 … 20: total 210; nearest rank of 21 values: p50 the 11th (10), p95 the 20th (19), p99 the 21st (20).
  assert.deepEqual({ totalMs: q.totalMs, p50Ms: q.p50Ms, p95Ms: q.p95Ms, p99Ms: q.p99Ms, maxMs: q.maxMs }, { totalMs: 210, p50Ms: 10, p95Ms: 19, p99Ms: 20, maxMs: 20 });
  assert.equal(q.rows, 19, 'the unknown count (-1) is left out, the no-stack call had 0');
  assert.equal(q.errors, 3);
  assert.deepEqual(q.errorCodes, [
    { code: '57014', message: 'canceling statement due to statement timeout', count: 2 },
    { code: '42P01', message: 'relation "users" does not exist', count: 1 },
  ]);
  assert.deepEqual(q.wait, { totalMs: 30, p50Ms: 0, p95Ms: 0, p99Ms: 30, maxMs: 30 });
  assert.deepEqual([q.file, q.line], ['/app/dist/users.js', 10]);
  assert.deepEqual(q.site, { file: '/app/dist/users.js', line: 10, column: 3, functionName: 'findUser', mapped: false, origin: 'own' });
  assert.deepEqual(q.otherSites, [{ file: '/app/dist/profile.js', line: 20, column: 7, functionName: 'loadProfile', mapped: false, origin: 'own', calls: 5 }]);
  assert.equal(q.example, texts[1].text, 'the text sent most often');
  assert.equal(q.perRequest, undefined, 'no request sent it');
});

/** `n` checkouts: `heldMs` each, the last `slow` of them waited `slowWaitMs`. */
function checkouts(pool: number, n: number, heldMs: number, slow: number, slowWaitMs: number): Checkout[] {
  return Array.from({ length: n }, (_, i) => ({ pool, waitMs: i >= n - slow ? slowWaitMs : 0, heldMs, request: 0 }));
}

test('a pool at max with callers waiting is saturated: rate, Little law and the verdict', () => {
  const section = buildQueriesSection(
    capture({
      startMs: 1000,
      endMs: 3000, // 2 s
      pools: [{ id: 1, name: 'db:5432/shop', max: 5 }],
      checkouts: checkouts(1, 900, 9, 10, 40), // 450/s, 9 ms each; 10 of 900 waited 40 ms: p99 (891st) = 40
      poolSamples: [
        { pool: 1, atMs: 2000, total: 5, idle: 2, waiting: 0 },
        { pool: 1, atMs: 3000, total: 5, idle: 0, waiting: 7 },
        { pool: 2, atMs: 3000, total: 1, idle: 1, waiting: 0 },
      ],
    }),
  );
  const [pool] = section.pools;
  assert.equal(pool.name, 'db:5432/shop');
  assert.deepEqual(pool.samples, [
    { atMs: 2000, total: 5, busy: 3, waiting: 0 },
    { atMs: 3000, total: 5, busy: 5, waiting: 7 },
  ]);
  assert.deepEqual(pool.peak, { total: 5, busy: 5, waiting: 7 });
  assert.equal(pool.checkouts, 900);
  assert.equal(pool.ratePerSecond, 450);
  assert.equal(pool.held.meanMs, 9);
  assert.equal(pool.busyMean, 4.05);
  assert.equal(pool.wait.p99Ms, 40);
  assert.equal(pool.saturated, true);
  assert.equal(
    pool.verdict,
    'at 450 checkouts/s and 9 ms held per checkout, 4.1 connections are busy on average; p99 wait is 40 ms with max = 5: the pool is the bottleneck (raise max, or hold connections for less time)',
  );
});

test('a pool that ran out in bursts only; a calm pool; a pool that waited for new connections; an unused pool', () => {
  const section = buildQueriesSection(
    capture({
      startMs: 0,
      endMs: 10_000,
      pools: [
        { id: 1, name: 'bursty', max: 10 },
        { id: 2, name: 'calm', max: 10 },
        { id: 3, name: 'opening', max: 10 },
        { id: 4, name: 'idle', max: 10 },
      ],
      checkouts: [...checkouts(1, 200, 5, 100, 12), ...checkouts(2, 1000, 2, 0, 0), ...checkouts(3, 100, 2, 2, 25)],
      poolSamples: [
        { pool: 1, atMs: 1000, total: 10, idle: 0, waiting: 4 },
        { pool: 2, atMs: 1000, total: 4, idle: 1, waiting: 0 },
        { pool: 2, atMs: 2000, total: 4, idle: 2, waiting: 0 },
        { pool: 3, atMs: 1000, total: 2, idle: 1, waiting: 0 },
      ],
    }),
  );
  const [bursty, calm, opening, idle] = section.pools;
  // 200 checkouts in 10 s = 20/s, 5 ms each: 0.1 connection busy on average, yet full once.
  assert.equal(bursty.busyMean, 0.1);
  assert.equal(bursty.saturated, true);
  assert.equal(
    bursty.verdict,
    'at 20 checkouts/s and 5 ms held per checkout, 0.1 connections are busy on average; p99 wait is 12 ms with max = 10: the pool ran out of connections in bursts (raise max, or hold connections for less time)',
  );
  assert.equal(calm.saturated, false);
  assert.equal(calm.verdict, 'at most 3 of 10 connections busy; no waiting');
  assert.equal(opening.verdict, 'at most 1 of 10 connections busy; p99 wait 25 ms, max 25 ms: the waits were for new connections to open (the pool never ran out)');
  assert.equal(idle.verdict, 'not used during the run');
  assert.equal(idle.ratePerSecond, 0);
});

test('leaked checkouts: the site mapped, still out first, held until the end or until released after all', () => {
  const section = buildQueriesSection(
    capture({
      endMs: 10_000,
      statements: [{ id: 5, text: "UPDATE accounts SET balance = balance - 10 WHERE id = 3" }],
      sites: [
        {
          id: 9,
          frames: [frame('file:///app/node_modules/pg-pool/index.js', 230, 9, 'BoundPool.connect'), frame('file:///app/dist/transfer.js', 31, 30, 'async transfer'), frame('file:///app/dist/server.js', 8, 2)],
        },
      ],
      requests: [request(4, '/transfer?amount=10', 'POST')],
      pools: [{ id: 1, name: 'db:5432/bank', max: 10 }],
      leaks: [
        { id: 1, pool: 1, site: 9, request: 0, checkedOutAtMs: 1000, releasedAfterMs: 7000 },
        { id: 2, pool: 1, site: 9, request: 4, checkedOutAtMs: 2000, lastStatement: 5, transactionStatus: 'T' },
        { id: 3, pool: 7, site: 99, request: 0, checkedOutAtMs: 9000, transactionStatus: 'E' },
      ],
    }),
  );
  assert.equal(section.leaks.length, 3);
  const [open, unknown, released] = section.leaks;
  assert.deepEqual(open, {
    pool: 'db:5432/bank',
    site: { file: '/app/dist/transfer.js', line: 31, column: 30, functionName: 'async transfer', mapped: false, origin: 'own' },
    stack: [
      { file: '/app/node_modules/pg-pool/index.js', line: 230, column: 9, functionName: 'BoundPool.connect', mapped: false, origin: 'dependency', package: 'pg-pool' },
      { file: '/app/dist/transfer.js', line: 31, column: 30, functionName: 'async transfer', mapped: false, origin: 'own' },
      { file: '/app/dist/server.js', line: 8, column: 2, functionName: 'handler', mapped: false, origin: 'own' },
    ],
    heldMs: 8000,
    releasedAfterAll: false,
    endpoint: 'POST /transfer',
    lastStatement: 'UPDATE accounts SET balance = balance - ? WHERE id = ?',
    transactionStatus: 'in transaction',
  });
  assert.deepEqual([unknown.pool, unknown.site.file, unknown.heldMs, unknown.transactionStatus], ['pool #7', '', 1000, 'in failed transaction']);
  assert.deepEqual([released.heldMs, released.releasedAfterAll, released.endpoint, released.transactionStatus], [7000, true, undefined, undefined]);
  // Not saturated: the pool's verdict stays about the load.
  assert.doesNotMatch(section.pools[0].verdict, /leak/);

  const exhausted = buildQueriesSection(
    capture({
      endMs: 10_000,
      pools: [{ id: 1, name: 'db:5432/bank', max: 3 }],
      poolSamples: [{ pool: 1, atMs: 5000, total: 3, idle: 0, waiting: 2 }],
      leaks: [{ id: 1, pool: 1, site: 9, request: 0, checkedOutAtMs: 1000 }, { id: 2, pool: 1, site: 9, request: 0, checkedOutAtMs: 1500, releasedAfterMs: 200 }],
    }),
  );
  assert.equal(exhausted.pools[0].saturated, true);
  assert.equal(
    exhausted.pools[0].verdict,
    '1 client was checked out and never released during the run (see the leaks), and callers waited for a connection with max = 3: the pool ran out because of the leak, not the load (release every client, e.g. in finally; raising max only postpones it)',
  );
  const above = buildQueriesSection(capture({ leaks: [{ id: 1, pool: 1, site: 9, request: 0, checkedOutAtMs: 9000 }] }), { leakThresholdMs: 5000 });
  assert.deepEqual(above.leaks, [], 'held 1 s, under the threshold asked for');
});

test('warnings: no pg; pg but no query; dropped; the database went away; no request context', () => {
  const noPg = buildQueriesSection(capture({ status: { node: 'v22.12.0', pg: [], requestContext: true } }));
  assert.deepEqual(noPg.warnings, ['no PostgreSQL client (pg) found in the service: no queries were captured']);
  assert.deepEqual(buildQueriesSection(capture({})).warnings, ['no query was sent to PostgreSQL during the run (pg 8.13.1 is loaded in the service)']);

  const lost = [
    exec({ statement: 1, errorCode: '57P01', errorMessage: 'terminating connection due to administrator command' }),
    exec({ statement: 1, errorCode: '?', errorMessage: 'Connection terminated unexpectedly' }),
    exec({ statement: 1, errorCode: '?', errorMessage: 'connect ECONNREFUSED 127.0.0.1:5432' }),
    exec({ statement: 1, errorCode: '?', errorMessage: 'connect ECONNREFUSED 127.0.0.1:5432' }),
    exec({ statement: 1, errorCode: '23505', errorMessage: 'duplicate key value violates unique constraint "users_pkey"' }),
  ];
  const ok = Array.from({ length: 95 }, () => exec({ statement: 1 }));
  const down = buildQueriesSection(capture({ statements, executions: [...ok, ...lost], dropped: 12 }));
  assert.deepEqual(down.warnings, [
    "12 queries were not recorded (the agent's buffer was full): the figures leave them out",
    'the database went away mid-run: 4 queries failed with "connect ECONNREFUSED 127.0.0.1:5432", "terminating connection due to administrator command" (57P01) and 1 other error',
  ]);
  assert.equal(down.dropped, 12);
  const oneOff = buildQueriesSection(capture({ statements, executions: [...ok, lost[1]] }));
  assert.deepEqual(oneOff.warnings, [], 'one lost connection in 96 queries is not the database going away');

  const old = buildQueriesSection(capture({ status: { node: 'v16.3.0', pg: [{ dir: '/app/node_modules/pg', version: '8.7.1' }], requestContext: false }, statements, executions: onePlusN(1, 10, 1) }));
  assert.deepEqual(old.warnings, ['N+1 detection per request is unavailable: Node.js v16.3.0 has no http.server diagnostics channels, so the agent cannot tell which request sent a query']);
  assert.ok(old.queries.every((q) => !q.nPlusOne));
  assert.equal(old.requestContext, false);
});

test('queries sorted by total time; top keeps the first rows; perRequest over requests that sent one', () => {
  const texts = [1, 2, 3].map((id) => ({ id, text: `SELECT ${id} FROM t${id}` }));
  const executions = [exec({ statement: 1, ms: 5, request: 1 }), exec({ statement: 2, ms: 30, request: 1 }), exec({ statement: 3, ms: 10, request: 2 }), exec({ statement: 3, ms: 10 })];
  const section = buildQueriesSection(capture({ statements: texts, executions, requests: [request(1, '/a'), request(2, '/b'), request(3, '/c')] }), { top: 2 });
  assert.deepEqual(section.queries.map((q) => [q.text, q.totalMs]), [['SELECT ? FROM t2', 30], ['SELECT ? FROM t3', 20]]);
  assert.deepEqual(section.perRequest, { requests: 2, mean: 1.5, max: 2, p95: 2, msMean: 20 }, 'request 1: 5 ms inside 30 ms, so 30 ms; request 2: 10 ms');
  assert.deepEqual(section.queries[0].site, { file: '', line: 0, column: 0, functionName: '', mapped: false, origin: 'node' }, 'no stack: no calling line');
});

test('time in PostgreSQL per request: the union of its queries and their waits, so concurrent queries count once', () => {
  // Ten queries started together (Promise.all), 8 ms each after waits of 0-9 ms: [−w, 8] each.
  const executions = Array.from({ length: 10 }, (_, i) => exec({ statement: 1, request: 1, startMs: 100, ms: 8, waitMs: i }));
  const section = buildQueriesSection(capture({ statements, executions, requests: [request(1, '/a')] }));
  assert.equal(section.perRequest.msMean, 17, 'from 91 to 108, not 10 × 8 + 45');
  assert.equal(section.queries[0].totalMs, 80, "the statement's own figures still sum its calls");
});

test('interval union, nearest rank, durations', () => {
  assert.equal(intervalUnion([]), 0);
  assert.equal(intervalUnion([[0, 10], [5, 15], [20, 25], [21, 22]]), 20);
  assert.equal(intervalUnion([[3, 4], [0, 1]]), 2);
  assert.equal(nearestRank([1, 2, 3, 4], 50), 2);
  assert.equal(nearestRank([1, 2, 3, 4], 95), 4);
  assert.equal(nearestRank([7], 0), 7);
  assert.deepEqual(durations([]), { totalMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 });
  assert.deepEqual(durations([0.1, 0.2]), { totalMs: 0.3, p50Ms: 0.1, p95Ms: 0.2, p99Ms: 0.2, maxMs: 0.2 });
});

// ---------------------------------------------------------------------------------------------
// Any capture (ids that refer to nothing included): the section is built and its figures hold together.

const RUNS = Math.max(1000, Number(process.env.FUZZ_RUNS ?? 0));

test('any capture gives a section whose figures hold together', () => {
  const id = fc.integer({ min: -1, max: 6 });
  const ms = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 500, noNaN: true }));
  const execution = fc.record({
    statement: id,
    site: id,
    request: fc.integer({ min: 0, max: 4 }),
    startMs: fc.integer({ min: 0, max: 200 }),
    ms,
    waitMs: ms,
    rows: fc.integer({ min: -1, max: 50 }),
    pool: id,
    errorCode: fc.option(fc.constantFrom('08006', '57P01', '?', '42P01'), { nil: undefined }),
    errorMessage: fc.option(fc.constantFrom('Connection terminated', 'boom'), { nil: undefined }),
  });
  const statementText = fc.oneof(fc.constantFrom(ORDERS, ITEMS, 'BEGIN', "SELECT 1 FROM t WHERE a = 'x'", 'SELECT 2 FROM t WHERE a = 3'), fc.string({ maxLength: 30 }));
  const arbitraryCapture = fc.record({
    statements: fc.array(fc.record({ id, text: statementText }), { maxLength: 6 }),
    sites: fc.array(fc.record({ id, frames: fc.array(fc.record({ url: fc.constantFrom('', 'node:internal/x', 'file:///app/dist/a.js', '/app/node_modules/pg/lib/client.js', 'file:///app/node_modules/knex/lib/runner.js'), line: fc.integer({ min: 0, max: 40 }), column: fc.integer({ min: 0, max: 40 }), functionName: fc.constantFrom('', 'f') }), { maxLength: 4 }) }), { maxLength: 4 }),
    requests: fc.array(fc.record({ id: fc.integer({ min: 0, max: 4 }), method: fc.constantFrom('GET', 'POST'), url: fc.constantFrom('/a', '/a?x=1', '/b#h', ''), startMs: fc.nat(100) }), { maxLength: 5 }),
    pools: fc.array(fc.record({ id, name: fc.constantFrom('p', 'q'), max: fc.integer({ min: 0, max: 10 }) }), { maxLength: 3 }),
    executions: fc.array(execution, { maxLength: 40 }),
    checkouts: fc.array(fc.record({ pool: id, waitMs: ms, heldMs: ms, request: fc.nat(4) }), { maxLength: 20 }),
    poolSamples: fc.array(fc.record({ pool: id, atMs: fc.nat(10_000), total: fc.nat(10), idle: fc.nat(10), waiting: fc.nat(5) }), { maxLength: 10 }),
    leaks: fc.array(fc.record({ id: fc.nat(5), pool: id, site: id, request: fc.nat(4), checkedOutAtMs: fc.nat(10_000), releasedAfterMs: fc.option(fc.nat(10_000), { nil: undefined }), lastStatement: fc.option(id, { nil: undefined }), transactionStatus: fc.option(fc.constantFrom('I', 'T', 'E', 'x'), { nil: undefined }) }), { maxLength: 4 }),
    dropped: fc.nat(3),
    startMs: fc.nat(100),
    endMs: fc.nat(20_000),
    requestContext: fc.boolean(),
    minRepeats: fc.integer({ min: 0, max: 6 }),
  });
  fc.assert(
    fc.property(arbitraryCapture, ({ requestContext, minRepeats, ...parts }) => {
      const c = capture({ ...parts, status: { node: 'v22.12.0', pg: [{ dir: '/app/node_modules/pg', version: '8.13.1' }], requestContext } });
      const section = buildQueriesSection(c, { nPlusOne: { minRepeats } });
      const known = new Set(c.statements.map((s) => s.id));
      assert.equal(section.queries.reduce((sum, q) => sum + q.calls, 0), c.executions.filter((e) => known.has(e.statement)).length);
      assert.equal(new Set(section.queries.map((q) => q.text)).size, section.queries.length, 'one row per normalised statement');
      for (let i = 1; i < section.queries.length; i++) assert.ok(section.queries[i - 1].totalMs >= section.queries[i].totalMs);
      for (const q of section.queries) {
        assert.ok(q.p50Ms <= q.p95Ms && q.p95Ms <= q.p99Ms && q.p99Ms <= q.maxMs && q.maxMs <= q.totalMs + 1e-9, JSON.stringify(q));
        assert.ok(q.errors <= q.calls && q.rows >= 0);
        assert.equal(q.errorCodes.reduce((sum, e) => sum + e.count, 0), q.errors);
        assert.ok((q.otherSites ?? []).reduce((sum, s) => sum + s.calls, 0) <= q.calls);
        if (q.nPlusOne) {
          const n = q.nPlusOne;
          assert.ok(requestContext && n.perRequest >= Math.max(1, minRepeats) && n.perRequestMedian <= n.perRequest && n.requests >= 1 && n.requests <= n.ofRequests, JSON.stringify(n));
          assert.ok(n.msPerRequest <= q.totalMs + 1e-9);
          assert.notEqual(n.after, q.text);
        }
      }
      for (const pool of section.pools) assert.ok(pool.verdict.length > 0 && Number.isFinite(pool.busyMean) && Number.isFinite(pool.ratePerSecond));
      assert.equal(section.leaks.length, c.leaks.length);
      assert.ok(section.perRequest.p95 <= section.perRequest.max && section.perRequest.mean <= section.perRequest.max);
    }),
    { numRuns: RUNS },
  );
});
