import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runLoad } from '../../server/load/runLoad';
import type { LoadOptions, LoadProgress, LoadSummary } from '../../server/load/loadTypes';

// The target runs in this process; autocannon runs in runLoad's worker thread. Timings on these
// shared 2-core machines are noisy: figures are checked for consistency, never tightly.

interface Target {
  url: string;
  close(): Promise<void>;
}

async function startTarget(handler: http.RequestListener): Promise<Target> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const ok: http.RequestListener = (_req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end('ok');
};

function options(url: string, extra: Partial<LoadOptions> = {}): LoadOptions {
  return { url, method: 'GET', headers: {}, connections: 10, durationMs: 2000, timeoutMs: 5000, ...extra };
}

function assertLatencyOrdered(summary: LoadSummary) {
  const { p50, p90, p95, p99, max, mean } = summary.latency;
  assert.ok(p50 > 0, `p50 ${p50}`);
  assert.ok(p50 <= p90 && p90 <= p95 && p95 <= p99 && p99 <= max, `percentiles out of order: ${JSON.stringify(summary.latency)}`);
  assert.ok(mean > 0 && mean <= max, `mean ${mean}`);
}

test('closed model: 10 connections for 2 s', { timeout: 10_000 }, async () => {
  const target = await startTarget(ok);
  try {
    const summary = await runLoad(options(target.url, { connections: 10, durationMs: 2000 }));
    assert.ok(summary.requests > 0);
    assert.equal(summary.stoppedEarly, false);
    assert.equal(summary.connections, 10);
    assert.equal(summary.rate, undefined);
    assert.ok(summary.durationMs >= 1900 && summary.durationMs < 4000, `durationMs ${summary.durationMs}`);
    const expectedRps = summary.requests / (summary.durationMs / 1000);
    assert.ok(Math.abs(summary.rps - expectedRps) <= 0.01 * expectedRps + 0.01, `rps ${summary.rps} vs ${expectedRps}`);
    assertLatencyOrdered(summary);
    assert.equal(summary.errors.statusCodes['200'], summary.requests);
    assert.equal(summary.errors.non2xx, 0);
    assert.equal(summary.errors.total, 0);
    console.log(`closed model: ${summary.requests} requests, ${summary.rps} req/s, latency ${JSON.stringify(summary.latency)}`);
  } finally {
    await target.close();
  }
});

test('arrival rate: 200 req/s for 3 s lands near 200 req/s, with progress', { timeout: 10_000 }, async () => {
  const target = await startTarget(ok);
  const progress: LoadProgress[] = [];
  try {
    // A 300 ms timeout, shorter than the pauses between a rate-limited connection's bursts, must not
    // produce timeouts.
    const summary = await runLoad(options(target.url, { rate: 200, durationMs: 3000, timeoutMs: 300 }), { onProgress: (p) => progress.push(p) });
    const ratio = summary.rps / 200;
    console.log(`arrival rate: requested 200 req/s, achieved ${summary.rps} (${ratio.toFixed(3)}), ${summary.requests} requests in ${summary.durationMs} ms; progress ${JSON.stringify(progress)}`);
    assert.equal(summary.rate, 200);
    assert.ok(ratio >= 0.8 && ratio <= 1.2, `achieved ${summary.rps} req/s of 200`);
    assert.equal(summary.errors.total, 0, JSON.stringify(summary.errors));
    assert.equal(summary.errors.timeouts, 0);
    assertLatencyOrdered(summary);
    assert.ok(progress.length >= 1, 'no progress during a 3 s run');
    for (const p of progress) {
      assert.ok(p.elapsedMs > 0 && p.elapsedMs <= 4000, `elapsedMs ${p.elapsedMs}`);
      assert.ok(p.requests <= summary.requests);
      assert.ok(p.rps >= 0 && p.p99 >= 0 && p.errors === 0, JSON.stringify(p));
    }
    assert.ok(progress.some((p) => p.requests > 0 && p.rps > 0 && p.p99 > 0), JSON.stringify(progress));
  } finally {
    await target.close();
  }
});

test('error statuses are counted apart from failed requests', { timeout: 10_000 }, async () => {
  let n = 0;
  const target = await startTarget((_req, res) => {
    res.statusCode = ++n % 4 === 0 ? 500 : 200;
    res.end();
  });
  try {
    const summary = await runLoad(options(target.url, { connections: 4, durationMs: 1000 }));
    const { statusCodes, non2xx, total } = summary.errors;
    assert.ok(statusCodes['500'] > 0 && statusCodes['200'] > 0, JSON.stringify(statusCodes));
    assert.equal(non2xx, statusCodes['500']);
    assert.equal(statusCodes['200'] + statusCodes['500'], summary.requests);
    assert.ok(Math.abs(non2xx / summary.requests - 0.25) < 0.05, `non2xx share ${non2xx / summary.requests}`);
    assert.equal(total, 0);
  } finally {
    await target.close();
  }
});

test('slow answers past timeoutMs are counted as timeouts', { timeout: 10_000 }, async () => {
  const target = await startTarget((_req, res) => {
    const timer = setTimeout(() => res.end('late'), 2000);
    res.on('close', () => clearTimeout(timer));
  });
  try {
    const summary = await runLoad(options(target.url, { connections: 2, durationMs: 1500, timeoutMs: 300 }));
    const { timeouts, total, byKind } = summary.errors;
    // 2 connections × ~1.5 s / 300 ms ≈ 10; allow for a slow start.
    assert.ok(timeouts >= 2, `timeouts ${timeouts}`);
    assert.equal(total, timeouts);
    assert.equal(byKind['request timed out'], timeouts);
    assert.equal(summary.requests, 0);
  } finally {
    await target.close();
  }
});

test('with a rate, slow answers still time out', { timeout: 10_000 }, async () => {
  const target = await startTarget((_req, res) => {
    const timer = setTimeout(() => res.end('late'), 2000);
    res.on('close', () => clearTimeout(timer));
  });
  try {
    const summary = await runLoad(options(target.url, { connections: 2, rate: 10, durationMs: 1500, timeoutMs: 300 }));
    assert.ok(summary.errors.timeouts >= 2, `timeouts ${summary.errors.timeouts}`);
    assert.equal(summary.requests, 0);
  } finally {
    await target.close();
  }
});

test('an unreachable port: connection errors by kind, and no hang', { timeout: 10_000 }, async () => {
  const target = await startTarget(ok);
  await target.close();
  const summary = await runLoad(options(target.url, { connections: 2, durationMs: 1000 }));
  assert.equal(summary.requests, 0);
  assert.ok(summary.errors.byKind.ECONNREFUSED > 0, JSON.stringify(summary.errors.byKind));
  assert.equal(summary.errors.total, Object.values(summary.errors.byKind).reduce((a, b) => a + b, 0));
  assert.deepEqual(summary.latency, { p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 });
  assert.equal(summary.rps, 0);
});

test('aborting stops the load early and resolves with a partial count', { timeout: 10_000 }, async () => {
  const target = await startTarget(ok);
  try {
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(), 1000);
    const summary = await runLoad(options(target.url, { connections: 5, durationMs: 8000 }), { signal: abort.signal });
    const took = Date.now() - started;
    assert.equal(summary.stoppedEarly, true);
    assert.ok(summary.requests > 0);
    assert.ok(summary.durationMs < 4000, `durationMs ${summary.durationMs}`);
    assert.ok(took < 5000, `took ${took} ms`);
  } finally {
    await target.close();
  }
});

test('an already aborted signal still resolves, with stoppedEarly', { timeout: 10_000 }, async () => {
  const target = await startTarget(ok);
  try {
    const summary = await runLoad(options(target.url, { durationMs: 5000 }), { signal: AbortSignal.abort() });
    assert.equal(summary.stoppedEarly, true);
    assert.ok(summary.durationMs < 3000, `durationMs ${summary.durationMs}`);
  } finally {
    await target.close();
  }
});

test('method, headers and body reach the target', { timeout: 10_000 }, async () => {
  const seen: { method?: string; header?: string; body: string }[] = [];
  const target = await startTarget((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (seen.length < 3) seen.push({ method: req.method, header: req.headers['x-perflens'] as string | undefined, body });
      res.end();
    });
  });
  try {
    const summary = await runLoad(options(target.url, { method: 'POST', headers: { 'x-perflens': 'yes', 'content-type': 'application/json' }, body: '{"a":1}', connections: 1, rate: 20, durationMs: 500 }));
    assert.ok(summary.requests > 0);
    assert.deepEqual(seen[0], { method: 'POST', header: 'yes', body: '{"a":1}' });
  } finally {
    await target.close();
  }
});

test('invalid options are rejected before any load', async () => {
  await assert.rejects(runLoad(options('ftp://127.0.0.1/')), /url .*not http/);
  await assert.rejects(runLoad(options('http://127.0.0.1:1/', { connections: 0 })), /connections/);
  await assert.rejects(runLoad(options('http://127.0.0.1:1/', { durationMs: 0 })), /durationMs/);
  await assert.rejects(runLoad(options('http://127.0.0.1:1/', { rate: 0.5 })), /rate/);
});

test('a progress hook that throws rejects the run and stops the worker', { timeout: 10_000 }, async () => {
  const target = await startTarget(ok);
  try {
    const started = Date.now();
    await assert.rejects(
      runLoad(options(target.url, { connections: 2, durationMs: 6000 }), {
        onProgress: () => {
          throw new Error('display broke');
        },
      }),
      /display broke/,
    );
    assert.ok(Date.now() - started < 4000);
  } finally {
    await target.close();
  }
});
