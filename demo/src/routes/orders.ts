// GET /customers/:customerId/orders: a customer's orders with their items, fetched the N+1 way:
// one query for the orders, then one more query per order (25 orders: 26 round trips).
import { Router } from 'express';
import type { Pool } from 'pg';
import { HttpError } from '../httpError';
import { intParam } from './params';

interface OrderRow {
  id: number;
  status: string;
  created_at: Date;
  total_cents: number;
}

interface ItemRow {
  product_id: number;
  product_name: string;
  quantity: number;
  unit_price_cents: number;
}

export function orderRoutes(pool: Pool): Router {
  const router = Router();

  router.get('/customers/:customerId/orders', async (req, res) => {
    const customerId = intParam(req.params.customerId, 'customerId', { default: 0, min: 0, max: 2 ** 31 - 1 });
    const customer = await pool.query<{ id: number; name: string }>('SELECT id, name FROM customers WHERE id = $1', [customerId]);
    if (customer.rowCount === 0) throw new HttpError(404, `customer ${customerId} not found`);

    const orders = await pool.query<OrderRow>(
      'SELECT id, status, created_at, total_cents FROM orders WHERE customer_id = $1 ORDER BY created_at DESC',
      [customerId],
    );
    const result = [];
    for (const order of orders.rows) {
      // N+1: one round trip per order. A join (or `WHERE order_id = ANY($1)`) would do it in one.
      const items = await pool.query<ItemRow>(
        `SELECT oi.product_id, p.name AS product_name, oi.quantity, oi.unit_price_cents
           FROM order_items oi
           JOIN products p ON p.id = oi.product_id
          WHERE oi.order_id = $1
          ORDER BY oi.id`,
        [order.id],
      );
      result.push({ ...order, items: items.rows });
    }
    res.json({ customer: customer.rows[0], orders: result });
  });

  return router;
}
