// Entry point: configuration, database, app, listen, shutdown.
//
//   node demo/dist/server.js            starts its own embedded PostgreSQL (removed on exit)
//   DATABASE_URL=postgres://… node …    uses that database instead
//   PORT=3000 (default)                 always on 127.0.0.1
import { createServer, type Server } from 'node:http';
import type { Pool } from 'pg';
import { createApp } from './app';
import { createPool, prepareDatabase, SIZES } from './db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embeddedPostgres';

const HOST = '127.0.0.1';
const SHUTDOWN_TIMEOUT_MS = 15_000;
/** Requests still running this long after shutdown began have their connections cut. */
const DRAIN_MS = 3_000;

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

async function main(): Promise<void> {
  const port = readPort();
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
  pool = createPool(url);
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
      await pool?.end().catch((error: unknown) => console.error('demo: closing the pool:', error));
      await database?.stop();
    } catch (error) {
      console.error('demo: shutdown failed:', error);
      exitCode ||= 1;
    }
    process.exit(exitCode);
  })();
  return shuttingDown;
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
