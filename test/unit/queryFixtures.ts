// A hand-made queries section, shaped like the demo's under load: GET /customers/:customerId/orders
// sends its items query N+1 style (25 orders per customer), GET /search scans orders with ILIKE
// and is slow, and the pool is saturated. Lines and columns are the demo's own. The leaked
// checkouts are invented (the demo releases its clients): one still out, one released late.
import { join } from 'node:path';
import type { CallingLine, Durations, QueriesSection, QueryStat } from '../../server/queries/queryReportTypes';
import type { QueryCapture } from '../../server/queries/captureTypes';

export const CUSTOMER_SQL = 'SELECT id, name FROM customers WHERE id = $1';
export const ORDERS_SQL = 'SELECT id, status, created_at, total_cents FROM orders WHERE customer_id = $1 ORDER BY created_at DESC';
export const ITEMS_SQL = `SELECT oi.product_id, p.name AS product_name, oi.quantity, oi.unit_price_cents
           FROM order_items oi
           JOIN products p ON p.id = oi.product_id
          WHERE oi.order_id = $1
          ORDER BY oi.id`;
export const SEARCH_SQL = `SELECT o.id, o.customer_id, o.status, o.created_at, o.total_cents, o.notes
         FROM orders o
        WHERE o.notes ILIKE $1
        ORDER BY o.created_at DESC
        LIMIT $2`;

const fold = (sql: string) => sql.replace(/\s+/g, ' ').trim();
const durations = (totalMs: number, p50Ms: number, p95Ms: number, p99Ms: number, maxMs: number): Durations => ({ totalMs, p50Ms, p95Ms, p99Ms, maxMs });
const noWait = durations(0, 0, 0, 0, 0);

export function site(file: string, line: number, column: number, functionName = '<anonymous>'): CallingLine {
  return { file, line, column, functionName, mapped: true, origin: 'own' };
}

export function stat(text: string, site: CallingLine, figures: Partial<QueryStat> = {}): QueryStat {
  return { text, example: text, calls: 1, rows: 1, errors: 0, errorCodes: [], wait: noWait, file: site.file, line: site.line, site, ...durations(1, 1, 1, 1, 1), ...figures };
}

/** The section, with the demo's sources under `demoRoot` (the demo/ folder). */
export function demoQueriesSection(demoRoot: string): QueriesSection {
  const orders = join(demoRoot, 'src', 'routes', 'orders.ts');
  const search = join(demoRoot, 'src', 'routes', 'search.ts');
  const db = join(demoRoot, 'src', 'db.ts');
  const endpoint = 'GET /customers/:customerId/orders';
  return {
    pg: [{ dir: join(demoRoot, 'node_modules', 'pg'), version: '8.23.1' }],
    requestContext: true,
    queries: [
      stat(fold(SEARCH_SQL), site(search, 17, 33), {
        example: SEARCH_SQL,
        calls: 240,
        rows: 4_800,
        ...durations(31_200, 121, 182, 240, 310),
        errors: 3,
        errorCodes: [{ code: '57014', message: 'canceling statement due to statement timeout', count: 3 }],
        wait: durations(2_900, 4.1, 40, 52, 61),
        perRequest: { mean: 1, max: 1 },
      }),
      stat(fold(ITEMS_SQL), site(orders, 37, 32), {
        example: ITEMS_SQL,
        calls: 5_000,
        rows: 15_000,
        ...durations(6_100, 1.1, 1.8, 2.6, 9.4),
        wait: durations(310, 0, 0.2, 1.4, 3),
        perRequest: { mean: 25, max: 25 },
        nPlusOne: { endpoint, perRequest: 25, perRequestMedian: 25, requests: 200, ofRequests: 200, msPerRequest: 30.5, after: fold(ORDERS_SQL).replace('$1', '?') },
      }),
      stat(fold(ORDERS_SQL), site(orders, 30, 31), { example: ORDERS_SQL, calls: 200, rows: 5_000, ...durations(420, 1.9, 3.2, 4.0, 6.1), perRequest: { mean: 1, max: 1 } }),
      stat(CUSTOMER_SQL, site(orders, 27, 33), { calls: 200, rows: 200, ...durations(150, 0.7, 1.2, 1.6, 2.2), perRequest: { mean: 1, max: 1 } }),
    ],
    pools: [
      {
        name: '127.0.0.1:5432/perflens_demo',
        max: 10,
        peak: { total: 10, busy: 10, waiting: 6 },
        samples: [
          { atMs: 1000, total: 10, busy: 10, waiting: 4 },
          { atMs: 2000, total: 10, busy: 10, waiting: 6 },
        ],
        checkouts: 5_640,
        wait: durations(3_210, 0.1, 31, 48, 61),
        held: { ...durations(37_870, 1.2, 170, 230, 310), meanMs: 6.7 },
        ratePerSecond: 1_410,
        busyMean: 9.5,
        saturated: true,
        verdict: 'at 1410 checkouts/s and 6.7 ms held per checkout, 9.5 connections are busy on average; p99 wait is 48 ms with max = 10',
      },
    ],
    leaks: [
      { pool: '127.0.0.1:5432/perflens_demo', site: site(db, 34, 29, 'prepareDatabase'), stack: [site(db, 34, 29, 'prepareDatabase'), site(join(demoRoot, 'src', 'server.ts'), 20, 9, 'main')], heldMs: 30_000, releasedAfterAll: false, lastStatement: 'BEGIN', transactionStatus: 'in transaction' },
      { pool: '127.0.0.1:5432/perflens_demo', site: site(orders, 27, 33), stack: [site(orders, 27, 33)], heldMs: 1_250, releasedAfterAll: true, endpoint },
    ],
    perRequest: { requests: 440, mean: 12.5, max: 27, p95: 27, msMean: 41.3 },
    dropped: 0,
    warnings: [],
  };
}

/** The section of a service without pg. */
export function noPgSection(): QueriesSection {
  return { pg: [], requestContext: false, queries: [], pools: [], leaks: [], perRequest: { requests: 0, mean: 0, max: 0, p95: 0, msMean: 0 }, dropped: 0, warnings: ['no PostgreSQL client (pg) found in the service'] };
}

/** A capture with nothing in it but what `parts` gives (pg 8.13.1 found, requests told apart, a 10-s run). */
export function emptyCapture(parts: Partial<QueryCapture> = {}): QueryCapture {
  return {
    status: { node: 'v22.12.0', pg: [{ dir: '/app/node_modules/pg', version: '8.13.1' }], requestContext: true },
    statements: [],
    sites: [],
    requests: [],
    pools: [],
    executions: [],
    checkouts: [],
    poolSamples: [],
    leaks: [],
    dropped: 0,
    startMs: 0,
    endMs: 10_000,
    ...parts,
  };
}
