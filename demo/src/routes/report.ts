// GET /report: CPU-bound. One small query (cached after the first request), then tens of
// milliseconds of number crunching in scoreOrders.
import { Router } from 'express';
import type { Pool } from 'pg';
import { loadOrderPage } from '../report/orderPage';
import { scoreOrders } from '../report/scoreOrders';
import { intParam } from './params';

export const DEFAULT_REPORT_PASSES = 22;

export function reportRoutes(pool: Pool): Router {
  const router = Router();

  router.get('/report', async (req, res) => {
    const passes = intParam(req.query.passes, 'passes', { default: DEFAULT_REPORT_PASSES, min: 1, max: 100 });
    const page = await loadOrderPage(pool);
    const scores = new Float64Array(page.ids.length);
    const change = scoreOrders(page.amounts, page.ages, scores, passes);
    const top = Array.from(scores.keys())
      .sort((a, b) => scores[b] - scores[a])
      .slice(0, 10)
      .map((i) => ({ orderId: page.ids[i], customerId: page.customerIds[i], totalCents: page.totalsCents[i], score: scores[i] }));
    res.json({ scored: scores.length, passes, change, top });
  });

  return router;
}
