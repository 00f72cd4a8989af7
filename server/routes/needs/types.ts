// What the request-needs sources report: a schema for one part of the request (query, body,
// headers) and who said so. Pure: no I/O.
import type { JsonSchema } from './schema';

export type NeedSource = 'fastify-schema' | 'nest-dto' | 'express-validator' | 'zod' | 'joi' | 'typebox' | 'handler';

export type RequestPart = 'query' | 'body' | 'headers';

export interface Finding {
  source: NeedSource;
  part: RequestPart;
  schema: JsonSchema;
  /** Body content type when not JSON (Hono `zValidator('form', …)`). */
  contentType?: string;
}

/** Most authoritative first. */
export const SOURCE_ORDER: readonly NeedSource[] = ['fastify-schema', 'nest-dto', 'express-validator', 'zod', 'joi', 'typebox', 'handler'];
