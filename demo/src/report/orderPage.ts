// The orders GET /report scores: the 1,000 most recent, loaded once and kept as typed arrays.
import type { Pool } from 'pg';

export const REPORT_PAGE_SIZE = 1_000;

export interface OrderPage {
  ids: Int32Array;
  customerIds: Int32Array;
  totalsCents: Float64Array;
  /** totals scaled to 0 … 4, for the kernel */
  amounts: Float64Array;
  /** ages scaled to 0 … 4, for the kernel */
  ages: Float64Array;
}

let cached: Promise<OrderPage> | undefined;

export function loadOrderPage(pool: Pool): Promise<OrderPage> {
  cached ??= fetchOrderPage(pool).catch((error: unknown) => {
    cached = undefined; // let the next request try again
    throw error;
  });
  return cached;
}

async function fetchOrderPage(pool: Pool): Promise<OrderPage> {
  const { rows } = await pool.query<{ id: number; customer_id: number; total_cents: number; created: number }>(
    `SELECT id, customer_id, total_cents, extract(epoch FROM created_at)::float8 AS created
       FROM orders
      ORDER BY created_at DESC
      LIMIT $1`,
    [REPORT_PAGE_SIZE],
  );
  const n = rows.length;
  const page: OrderPage = {
    ids: new Int32Array(n),
    customerIds: new Int32Array(n),
    totalsCents: new Float64Array(n),
    amounts: new Float64Array(n),
    ages: new Float64Array(n),
  };
  let maxTotal = 1;
  let newest = -Infinity;
  let oldest = Infinity;
  for (const row of rows) {
    maxTotal = Math.max(maxTotal, row.total_cents);
    newest = Math.max(newest, row.created);
    oldest = Math.min(oldest, row.created);
  }
  const span = Math.max(1, newest - oldest);
  rows.forEach((row, i) => {
    page.ids[i] = row.id;
    page.customerIds[i] = row.customer_id;
    page.totalsCents[i] = row.total_cents;
    page.amounts[i] = (4 * row.total_cents) / maxTotal;
    page.ages[i] = (4 * (newest - row.created)) / span;
  });
  return page;
}
