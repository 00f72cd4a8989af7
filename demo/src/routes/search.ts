// GET /search?q=…: a slow query. `notes ILIKE '%…%'` cannot use a B-tree index (and notes has
// none), so every request scans all 50,000 orders.
import { Router } from 'express';
import type { Pool } from 'pg';
import { HttpError } from '../httpError';
import { intParam } from './params';

export function searchRoutes(pool: Pool): Router {
  const router = Router();

  router.get('/search', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    if (!q) throw new HttpError(400, 'q is required, e.g. /search?q=gift');
    if (q.length > 200) throw new HttpError(400, 'q is too long');
    const limit = intParam(req.query.limit, 'limit', { default: 20, min: 1, max: 100 });
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { rows } = await pool.query(
      `SELECT o.id, o.customer_id, o.status, o.created_at, o.total_cents, o.notes
         FROM orders o
        WHERE o.notes ILIKE $1
        ORDER BY o.created_at DESC
        LIMIT $2`,
      [pattern, limit],
    );
    res.json({ q, count: rows.length, results: rows });
  });

  return router;
}
