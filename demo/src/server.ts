// Entry point: configuration, database, app, listen, shutdown.
//
//   node demo/dist/server.js            starts its own embedded PostgreSQL (removed on exit)
//   DATABASE_URL=postgres://… node …    uses that database instead
//   PORT=3000 (default)                 always on 127.0.0.1
//   DEMO_POOL_MAX=10 (default)          the pg pool's size (GET /reports/daily saturates a small one)
import { createServer, type Server } from 'node:http';
import type { Pool } from 'pg';
import { createApp } from './app';
import { createPool, DEFAULT_POOL_MAX, prepareDatabase, SIZES } from './db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embeddedPostgres';

const HOST = '127.0.0.1';
const SHUTDOWN_TIMEOUT_MS = 15_000;
/** Requests still running this long after shutdown began have their connections cut. */
const DRAIN_MS = 3_000;
/**
 * How long shutdown waits for the pool to close. pool.end() resolves only once every client is
 * back, and GET /orders/:orderId/invoice leaks clients that never come back: past this, shutdown
 * goes on (stopping PostgreSQL closes their connections anyway).
 */
const POOL_END_MS = 2_000;

let database: EmbeddedPostgres | undefined;
let pool: Pool | undefined;
let server: Server | undefined;
let shuttingDown: Promise<void> | undefined;

function readPort(): number {
  const text = process.env.PORT ?? '3000';
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, got "${text}"`);
  return port;
}

function readPoolMax(): number {
  const text = process.env.DEMO_POOL_MAX || String(DEFAULT_POOL_MAX);
  const max = Number(text);
  if (!Number.isInteger(max) || max < 1 || max > 1_000) throw new Error(`DEMO_POOL_MAX must be an integer from 1 to 1000, got "${text}"`);
  return max;
}

async function main(): Promise<void> {
  const port = readPort();
  const poolMax = readPoolMax();
  let url = process.env.DATABASE_URL;
  if (!url) {
    const started = performance.now();
    database = await startEmbeddedPostgres();
    if (shuttingDown) return;
    url = database.url;
    console.log(
      `demo: embedded PostgreSQL on ${HOST}:${database.port} (pid ${database.pid}, data in ${database.dataDir}), ` +
        `started in ${Math.round(performance.now() - started)} ms; set DATABASE_URL to use your own`,
    );
  }
  pool = createPool(url, { max: poolMax });
  const seed = await prepareDatabase(pool);
  if (shuttingDown) return;
  console.log(
    seed.seeded
      ? `demo: seeded ${SIZES.customers} customers, ${SIZES.products} products, ${SIZES.orders} orders in ${seed.ms} ms`
      : `demo: database already seeded (checked in ${seed.ms} ms)`,
  );

  server = createServer(createApp({ pool }));
  await new Promise<void>((resolve, reject) => {
    server!.once('error', reject);
    server!.listen(port, HOST, () => {
      server!.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  console.log(`demo: database pool size ${poolMax} (DEMO_POOL_MAX)`);
  console.log(`demo listening on http://${HOST}:${actualPort}`);
}

function shutdown(reason: string, exitCode: number): Promise<void> {
  shuttingDown ??= (async () => {
    const force = setTimeout(() => {
      console.error(`demo: shutdown took over ${SHUTDOWN_TIMEOUT_MS} ms, exiting anyway`);
      process.exit(exitCode || 1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    if (reason) console.log(`demo: ${reason}, shutting down`);
    try {
      await closeServer();
      await closePool();
      await database?.stop();
    } catch (error) {
      console.error('demo: shutdown failed:', error);
      exitCode ||= 1;
    }
    process.exit(exitCode);
  })();
  return shuttingDown;
}

async function closePool(): Promise<void> {
  const current = pool;
  if (!current) return;
  const checkedOut = current.totalCount - current.idleCount;
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    current.end().then(
      () => true,
      (error: unknown) => (console.error('demo: closing the pool:', error), true),
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), POOL_END_MS))),
  ]);
  clearTimeout(timer);
  if (!closed) console.error(`demo: ${checkedOut} database client(s) never released (leaked), not waiting for them`);
}

function closeServer(): Promise<void> {
  const current = server;
  if (!current?.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const cut = setTimeout(() => current.closeAllConnections(), DRAIN_MS);
    current.close(() => {
      clearTimeout(cut);
      resolve();
    });
    current.closeIdleConnections();
  });
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (shuttingDown) {
      // A second Ctrl-C: stop waiting. PostgreSQL is still stopped and removed by the watchdog.
      console.error(`demo: ${signal} again, exiting now`);
      process.exit(130);
    }
    void shutdown(`${signal} received`, 0);
  });
}
process.on('uncaughtException', (error) => {
  console.error('demo: uncaught exception:', error);
  void shutdown('', 1);
});
process.on('unhandledRejection', (error) => {
  console.error('demo: unhandled rejection:', error);
  void shutdown('', 1);
});

main().catch((error: unknown) => {
  console.error('demo: failed to start:', error instanceof Error ? error.message : error);
  void shutdown('', 1);
});
