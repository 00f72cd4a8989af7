// The Express application: routes and error handling. No listening, no process concerns.
import express, { type ErrorRequestHandler } from 'express';
import type { Pool } from 'pg';
import { HttpError } from './httpError';
import { blockRoutes } from './routes/block';
import { dailyReportRoutes } from './routes/dailyReport';
import { healthRoutes } from './routes/health';
import { invoiceRoutes } from './routes/invoice';
import { leakRoutes } from './routes/leak';
import { orderRoutes } from './routes/orders';
import { reportRoutes } from './routes/report';
import { searchRoutes } from './routes/search';

export interface AppDependencies {
  pool: Pool;
}

export function createApp({ pool }: AppDependencies): express.Express {
  const app = express();
  app.disable('x-powered-by');

  app.use(healthRoutes());
  app.use(reportRoutes(pool));
  app.use(orderRoutes(pool));
  app.use(searchRoutes(pool));
  app.use(invoiceRoutes(pool));
  app.use(dailyReportRoutes(pool));
  app.use(leakRoutes());
  app.use(blockRoutes());

  app.use((req, _res, next) => {
    next(new HttpError(404, `no route for ${req.method} ${req.path}`));
  });

  const onError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = statusOf(error);
    if (status >= 500) console.error('demo: request failed:', error);
    res.status(status).json({ error: messageOf(error) });
  };
  app.use(onError);

  return app;
}

function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  // body-parser style errors (e.g. a malformed URI) carry their own 4xx status.
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
