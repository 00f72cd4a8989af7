// GET /orders/:orderId/invoice: a connection leak. The handler checks a client out of the pool
// and releases it only on the happy path: when the order does not exist (a 404, e.g.
// /orders/999999/invoice) or a query fails, the client is never given back. Each such request
// keeps one of the pool's DEMO_POOL_MAX connections (default 10) checked out for good; after that
// many, every request that needs the database waits forever. Restarting the demo recovers.
//
// The fix: `try { … } finally { client.release(); }` (as GET /reports/daily does).
import { Router } from 'express';
import type { Pool } from 'pg';
import { HttpError } from '../httpError';
import { intParam } from './params';

interface InvoiceOrderRow {
  id: number;
  status: string;
  created_at: Date;
  total_cents: number;
  customer_name: string;
  customer_email: string;
}

interface InvoiceLineRow {
  product_name: string;
  quantity: number;
  unit_price_cents: number;
  line_cents: number;
}

export function invoiceRoutes(pool: Pool): Router {
  const router = Router();

  router.get('/orders/:orderId/invoice', async (req, res) => {
    const orderId = intParam(req.params.orderId, 'orderId', { default: 0, min: 0, max: 2 ** 31 - 1 });
    const client = await pool.connect(); // LEAK: released below on the happy path only, never when the order is missing or a query throws
    const order = await client.query<InvoiceOrderRow>(
      `SELECT o.id, o.status, o.created_at, o.total_cents, c.name AS customer_name, c.email AS customer_email
         FROM orders o
         JOIN customers c ON c.id = o.customer_id
        WHERE o.id = $1`,
      [orderId],
    );
    // The bug: this throw leaves the function without client.release().
    if (order.rowCount === 0) throw new HttpError(404, `order ${orderId} not found`);
    const lines = await client.query<InvoiceLineRow>(
      `SELECT p.name AS product_name, oi.quantity, oi.unit_price_cents, oi.quantity * oi.unit_price_cents AS line_cents
         FROM order_items oi
         JOIN products p ON p.id = oi.product_id
        WHERE oi.order_id = $1
        ORDER BY oi.id`,
      [orderId],
    );
    client.release(); // the happy path gives the client back
    res.json({ invoice: { ...order.rows[0], lines: lines.rows } });
  });

  return router;
}
