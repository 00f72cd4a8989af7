// GET /reports/daily?day=2024-06-01: holds a pool connection busy. One client is checked out for
// the whole report: a read-only transaction with two real aggregates over the day's orders (a
// scan of the 50,000 orders: created_at has no index) and a pg_sleep standing in for the slow part
// of a real report (`holdMs`, default 20 ms, at most 500). Each request keeps its connection for
// about 25–35 ms of database time. It releases correctly (in `finally`); but under load with a
// small pool (DEMO_POOL_MAX=2) the pool saturates: requests queue for a free connection, and
// their wait, not the database, becomes most of their latency.
import { Router } from 'express';
import type { Pool } from 'pg';
import { HttpError } from '../httpError';
import { intParam } from './params';

interface DayTotalsRow {
  orders: number;
  revenue_cents: number;
  customers: number;
}

interface StatusRow {
  status: string;
  orders: number;
  revenue_cents: number;
}

const DEFAULT_DAY = '2024-06-01';

export function dailyReportRoutes(pool: Pool): Router {
  const router = Router();

  router.get('/reports/daily', async (req, res) => {
    const day = typeof req.query.day === 'string' && req.query.day !== '' ? req.query.day : DEFAULT_DAY;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
      throw new HttpError(400, 'day must be a date, e.g. /reports/daily?day=2024-06-01');
    }
    const holdMs = intParam(req.query.holdMs, 'holdMs', { default: 20, min: 0, max: 500 });

    const client = await pool.connect(); // POOL: held for the whole report, released in finally
    try {
      await client.query('BEGIN READ ONLY');
      const totals = await client.query<DayTotalsRow>(
        `SELECT count(*)::int AS orders, coalesce(sum(total_cents), 0)::int AS revenue_cents, count(DISTINCT customer_id)::int AS customers
           FROM orders
          WHERE created_at >= $1::date AND created_at < $1::date + 1`,
        [day],
      );
      const byStatus = await client.query<StatusRow>(
        `SELECT status, count(*)::int AS orders, sum(total_cents)::int AS revenue_cents
           FROM orders
          WHERE created_at >= $1::date AND created_at < $1::date + 1
          GROUP BY status
          ORDER BY status`,
        [day],
      );
      await client.query('SELECT pg_sleep($1::float8 / 1000)', [holdMs]); // the slow part of the report
      await client.query('COMMIT');
      res.json({ day, ...totals.rows[0], byStatus: byStatus.rows, heldMs: holdMs });
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  });

  return router;
}
