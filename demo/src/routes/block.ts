// GET /block?ms=200: blocks the event loop with a synchronous busy loop (default 200 ms, at most
// 2,000 ms). Every other request waits meanwhile.
import { Router } from 'express';
import { intParam } from './params';

/** Spins on the event loop for `ms`: nothing else in the process runs meanwhile. */
export function busyWait(ms: number): number {
  const started = performance.now();
  let spins = 0;
  while (performance.now() - started < ms) spins++; // the whole process stalls here
  return spins;
}

export function blockRoutes(): Router {
  const router = Router();

  router.get('/block', (req, res) => {
    const ms = intParam(req.query.ms, 'ms', { default: 200, min: 0, max: 2_000 });
    const started = performance.now();
    const spins = busyWait(ms);
    res.json({ blockedMs: Math.round(performance.now() - started), spins });
  });

  return router;
}
