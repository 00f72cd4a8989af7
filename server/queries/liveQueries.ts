// What the run's queries look like so far, for the live progress line: how many were sent, and
// each pool's latest sample against its max ("pool 10/10 busy, 4 waiting"). Pure.
import type { QueryCapture } from './captureTypes';

export interface LiveQueries {
  queries: number;
  failed: number;
  pools: Array<{ name: string; max: number; total: number; busy: number; waiting: number }>;
  /** Checkouts reported as leaked and not released so far. */
  leaked: number;
}

export function liveQueries(capture: QueryCapture): LiveQueries {
  const latest = new Map<number, QueryCapture['poolSamples'][number]>();
  for (const sample of capture.poolSamples) latest.set(sample.pool, sample);
  const pools = capture.pools.flatMap((pool) => {
    const s = latest.get(pool.id);
    return s ? [{ name: pool.name, max: pool.max, total: s.total, busy: s.total - s.idle, waiting: s.waiting }] : [];
  });
  let failed = 0;
  for (const e of capture.executions) if (e.errorCode !== undefined) failed++;
  return { queries: capture.executions.length, failed, pools, leaked: capture.leaks.filter((l) => l.releasedAfterMs === undefined).length };
}

/** 'queries 12,345 · pool 10/10 busy, 4 waiting · 1 leaked'; '' before the first query. */
export function formatLiveQueries(live: LiveQueries): string {
  if (!live.queries && !live.pools.length) return '';
  const parts = [`queries ${live.queries.toLocaleString('en-US')}${live.failed ? ` (${live.failed.toLocaleString('en-US')} failed)` : ''}`];
  for (const p of live.pools) parts.push(`pool ${p.busy}/${p.max} busy${p.waiting ? `, ${p.waiting} waiting` : ''}`);
  if (live.leaked) parts.push(`${live.leaked} leaked`);
  return parts.join(' · ');
}
