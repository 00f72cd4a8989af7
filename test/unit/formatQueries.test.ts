import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryCapture, QueryExecution, StackFrame } from '../../server/queries/captureTypes';
import { buildQueriesSection } from '../../server/queries/buildQueriesSection';
import { formatQueriesTable } from '../../server/queries/formatQueries';
import { queryNote } from '../../extension/queries/queryFormat';

const frame = (url: string, line: number, functionName = 'handler'): StackFrame => ({ url, line, column: 5, functionName });
const exec = (p: Partial<QueryExecution> & { statement: number }): QueryExecution => ({ site: -1, request: 0, startMs: 0, ms: 1, waitMs: 0, rows: 0, pool: 1, ...p });
const LONG = `SELECT id, name, email, created_at, updated_at, last_login_at, preferences, avatar_url FROM users WHERE id = 1`;

function capture(): QueryCapture {
  const executions: QueryExecution[] = [];
  for (let r = 1; r <= 2; r++) {
    const t0 = r * 1000;
    executions.push(exec({ statement: 1, request: r, startMs: t0, ms: 4, rows: 25, site: 1 }));
    for (let i = 0; i < 25; i++) executions.push(exec({ statement: 2, request: r, startMs: t0 + 5 + i * 2, ms: 2, rows: 3, site: 2, waitMs: i === 0 ? 6 : 0 }));
  }
  executions.push(exec({ statement: 3, request: 0, ms: 12.5, rows: 1, site: 3, errorCode: '57014', errorMessage: 'canceling statement due to statement timeout' }));
  return {
    status: { node: 'v22.12.0', pg: [{ dir: '/app/node_modules/pg', version: '8.13.1' }], requestContext: true },
    statements: [
      { id: 1, text: 'SELECT * FROM orders WHERE customer_id = $1' },
      { id: 2, text: 'SELECT * FROM items WHERE order_id = $1' },
      { id: 3, text: LONG },
    ],
    sites: [
      { id: 1, frames: [frame('file:///app/dist/routes/orders.js', 12, 'getOrders')] },
      { id: 2, frames: [frame('file:///app/dist/routes/orders.js', 18, 'loadItems')] },
      { id: 3, frames: [frame('file:///app/node_modules/connect-pg-simple/index.js', 300, 'PGStore.query')] },
    ],
    requests: [1, 2, 3].map((id) => ({ id, method: 'GET', url: `/customers/${id}/orders?page=1`, startMs: id * 1000, endMs: id * 1000 + 60, status: 200 })),
    pools: [{ id: 1, name: 'db:5432/shop', max: 10 }],
    executions,
    checkouts: executions.map((e) => ({ pool: 1, waitMs: e.waitMs, heldMs: e.ms + 0.5, request: e.request })),
    poolSamples: [{ pool: 1, atMs: 1000, total: 3, idle: 1, waiting: 0 }],
    leaks: [{ id: 1, pool: 1, site: 1, request: 2, checkedOutAtMs: 2000, lastStatement: 1, transactionStatus: 'T' }],
    dropped: 3,
    startMs: 0,
    endMs: 10_000,
  };
}

const GOLDEN = `Queries to PostgreSQL (pg 8.13.1): 3 statements, 53 queries from 2 requests (26 per request, p95 26, max 26)
  total ms  calls  p50 ms  p95 ms  max ms  wait p95 ms  rows  calling line                                 statement
  --------  -----  ------  ------  ------  -----------  ----  -------------------------------------------  --------------------------------------------------------------------------------
     100.0     50     2.0     2.0     2.0          0.0   150  dist/routes/orders.js:18                     SELECT * FROM items WHERE order_id = $1
      12.5      1    12.5    12.5    12.5          0.0     1  node_modules/connect-pg-simple/index.js:300  SELECT id, name, email, created_at, updated_at, last_login_at, preferences, ava…
       8.0      2     4.0     4.0     4.0          0.0    50  dist/routes/orders.js:12                     SELECT * FROM orders WHERE customer_id = $1

N+1 queries
  - dist/routes/orders.js:18: SELECT * FROM items WHERE order_id = $1 sent 25 times per request in 2 of 3 GET /customers/:id/orders requests, 50.0 ms per request, after SELECT * FROM orders WHERE customer_id = $1

Pools
  - db:5432/shop (max 10): at most 2 of 10 connections busy; p99 wait 6 ms, max 6 ms: the waits were for new connections to open (the pool never ran out)

Connections checked out and not released
  - dist/routes/orders.js:12 (GET /customers/:id/orders) from db:5432/shop: held 8.00 s, still out, in transaction; last statement: SELECT * FROM orders WHERE customer_id = $1

Warnings
  - 3 queries were not recorded (the agent's buffer was full): the figures leave them out`;

test('golden text: statements, N+1, pools, leaks, warnings', () => {
  const text = formatQueriesTable(buildQueriesSection(capture(), { endpointOf: (r) => `${r.method} /customers/:id/orders` }), { cwd: '/app/' });
  assert.equal(text, GOLDEN);
  assert.doesNotMatch(text, / +$/m, 'no trailing spaces');
});

test('top limits the statement rows; a section with nothing captured says so', () => {
  const text = formatQueriesTable(buildQueriesSection(capture()), { cwd: '/app', top: 1 });
  assert.equal(text.split('\n').filter((l) => /^\s+[\d.]+\s+\d+\s/.test(l)).length, 1);
  const none = buildQueriesSection({ ...capture(), status: { node: 'v22.12.0', pg: [], requestContext: true }, statements: [], executions: [], checkouts: [], pools: [], leaks: [], dropped: 0 });
  assert.equal(
    formatQueriesTable(none, { cwd: '/app' }),
    'Queries to PostgreSQL: 0 statements, 0 queries\n  (none)\n\nWarnings\n  - no PostgreSQL client (pg) found in the service: no queries were captured',
  );
});

test('the editor\'s note after a line, from a section the server built', () => {
  const section = buildQueriesSection(capture());
  const [items, timedOut, orders] = section.queries;
  assert.equal(queryNote(items), '● 2.00 ms p95 · 50 calls · N+1: 25 per request');
  assert.equal(queryNote(timedOut), '● 12.5 ms p95 · 1 call · 1 error');
  assert.equal(queryNote(orders), '● 4.00 ms p95 · 2 calls');
  assert.equal(queryNote({ ...items, p95Ms: 182, calls: 240 }), '● 182 ms p95 · 240 calls · N+1: 25 per request');
});
