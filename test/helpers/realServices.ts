// The real open-source services of scripts/realServices.mjs (made by the frameworks' generators
// from the npm registry into .cache/real-services/), for tests: set up once per process.
// postgraphile-js needs a database holding the demo's schema: prepareRealServiceDatabase(url)
// seeds it (idempotent), and realServiceEnv / startRealService pass its URL on.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, repoRoot, stopProcess } from './cli';

export interface RealServiceRoute {
  method: string;
  /** The full path as the framework's route table gives it, e.g. `/users/:id`. */
  path: string;
  /** A concrete path to request, e.g. `/users/1`. */
  request: string;
  /** Other spellings the service answers the same way, e.g. `/users/` for `/users`. */
  alsoAnswers?: string[];
  /** What the service answers (verified). */
  status: number;
  /** Text the answer contains. */
  body: string;
  /** The handler's file, relative to the service's folder. */
  file: string;
}

/** A request that makes a database-backed service send pg queries (verified by hand against the demo's data). */
export interface RealServiceQueryRequest {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** What it answers. */
  status: number;
  /** Texts the answer contains (the demo's seed data is deterministic). */
  bodyContains: string[];
  /** pg queries (Client#query calls) one such request sends, once the service is warm. */
  queries: number;
  /** pool.connect() checkouts one such request makes (each released before it answers). */
  checkouts: number;
}

export interface RealService {
  name: string;
  framework: 'fastify' | 'nestjs' | 'express' | 'postgraphile';
  language: 'typescript' | 'javascript';
  /** The pinned generator, e.g. `fastify-cli@8.0.2`. */
  generator: string;
  /** How it takes its port and address, and anything odd about it. */
  notes: string;
  /** Absolute. */
  dir: string;
  /** Absolute: the service's own source (for the TypeScript ones, the .ts files). */
  sourceDir: string;
  sourceMaps: boolean;
  /** Argv that starts it, run in `dir`; takes its port from the environment variable `portEnv`. */
  start: string[];
  portEnv: string;
  /** A route that answers 2xx and runs the service's own code: the one the profile test loads. */
  profileRoute: string;
  routes: RealServiceRoute[];
  /** Paths it answers with 404. */
  notFound: string[];
  /** Set when it needs PostgreSQL: the URL goes in `env`; the demo's schema `schema` must be seeded. */
  database?: { env: string; schema: string };
  /** Requests that make it send pg queries (database-backed services only). */
  queryRequests?: RealServiceQueryRequest[];
}

interface Manifest {
  version: 1;
  generators: Record<string, string>;
  services: Array<Omit<RealService, 'sourceDir'> & { sourceDir: string }>;
}

let pending: Promise<RealService[]> | undefined;

/** Generates, installs and builds the services unless that is done (a few ms then); absolute paths. */
export function realServices(): Promise<RealService[]> {
  pending ??= (async () => {
    // A plain-ESM script (it runs before anything is installed); imported by URL so TypeScript does not look for its types.
    const script = pathToFileURL(join(repoRoot, 'scripts', 'realServices.mjs')).href;
    const { ensureRealServices } = (await import(script)) as { ensureRealServices(root: string): Manifest };
    const manifest = ensureRealServices(repoRoot);
    return manifest.services.map((service) => ({ ...service, sourceDir: join(service.dir, service.sourceDir) }));
  })();
  return pending;
}

/**
 * The environment that makes `service` listen on `port`; for a database-backed one, also its
 * database: `databaseUrl`, by default the suite's (PERFLENS_TEST_DATABASE_URL, set by scripts/test.mjs).
 */
export function realServiceEnv(service: RealService, port: number, databaseUrl = process.env.PERFLENS_TEST_DATABASE_URL): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, [service.portEnv]: String(port) };
  if (service.database) {
    if (!databaseUrl) throw new Error(`${service.name} needs a PostgreSQL database: pass its URL or set PERFLENS_TEST_DATABASE_URL (scripts/test.mjs does)`);
    env[service.database.env] = databaseUrl;
  }
  return env;
}

/**
 * Creates and seeds the demo's schema (perflens_demo) in the database at `url` unless it is there
 * (demo/dist/db.js prepareDatabase: idempotent, serialised by an advisory lock; about 1 s the first
 * time). Needs the demo built (scripts/build.mjs does it).
 */
export async function prepareRealServiceDatabase(url: string): Promise<void> {
  const db = (await import(pathToFileURL(join(repoRoot, 'demo', 'dist', 'db.js')).href)) as {
    createPool(url: string): { end(): Promise<void> };
    prepareDatabase(pool: unknown): Promise<unknown>;
  };
  const pool = db.createPool(url);
  try {
    await db.prepareDatabase(pool);
  } finally {
    await pool.end();
  }
}

export interface RunningRealService {
  port: number;
  baseUrl: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `service` (no inspector) on a free port; resolves once it answers HTTP at all. A
 * database-backed one gets `databaseUrl` (default: the suite's), which must hold the seeded schema.
 */
export async function startRealService(service: RealService, timeoutMs = 60_000, databaseUrl?: string): Promise<RunningRealService> {
  const port = await freePort();
  const [command, ...args] = service.start;
  const child = spawn(command === 'node' ? process.execPath : command, args, { cwd: service.dir, env: realServiceEnv(service, port, databaseUrl), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const stop = () => stopProcess(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${service.name} (\`${service.start.join(' ')}\`) exited early (${child.exitCode ?? child.signalCode}):\n${output}`);
    const answered = await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(2000) }).then(async (r) => (await r.arrayBuffer(), true), () => false);
    if (answered) return { port, baseUrl, child, output: () => output, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${service.name} did not answer on ${baseUrl} within ${timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A concrete path for a route pattern: `:id`, `{id}` and `*` become `1`. */
export function concretePath(pattern: string): string {
  return pattern.replace(/:[A-Za-z_$][\w$]*\??/g, '1').replace(/\{[^}]+\}/g, '1').replace(/\*/g, '1');
}
