// Real open-source services for the tests, made by the frameworks' own generators from the npm
// registry into <root>/.cache/real-services/<name>/ (git-ignored: none of their code is committed):
//   fastify-ts  fastify-cli's TypeScript template (@fastify/autoload over src/routes), source maps
//   nest-ts     `nest new` plus `nest generate resource users` (a module mounted at /users)
//   express-js  express-generator --no-view (app.js mounts routes/users.js at /users)
//   postgraphile-js  PostGraphile 4 (a GraphQL server over PostgreSQL through pg), installed from the
//               registry as a user of it would: a package.json depending on it and its own config
//               file (.postgraphilerc.js); serves the demo's schema perflens_demo from DATABASE_URL
// Each is generated (or its few files written), installed (`npm install` inside its folder) and
// built (tsc); a marker file is written last, so a second run skips it in milliseconds and a
// half-finished folder is redone.
// Only Node's built-ins: it runs before the tests, on a fresh machine.
// Usage: node scripts/realServices.mjs        (sets them up, prints the manifest's path)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSafe, withLock } from './fileLock.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The generators, pinned. Changing one (or a step below) changes the marker, so the service is redone. */
export const GENERATORS = {
  fastifyCli: 'fastify-cli@8.0.2',
  nestCli: '@nestjs/cli@11.0.13',
  expressGenerator: 'express-generator@4.16.1',
  // 4.x: PostGraphile 5 needs Node 22 (engines), and this project supports Node 20.16.
  postgraphile: 'postgraphile@4.14.1',
};

const MINUTE = 60_000;

const POSTGRAPHILE_VERSION = GENERATORS.postgraphile.slice(GENERATORS.postgraphile.lastIndexOf('@') + 1);

/**
 * A GraphQL request to PostGraphile over the demo's schema that makes it send several pg queries:
 * one SQL statement per root field (3), prepared statements, on one client it checks out of its
 * pool for the request (withPostGraphileContext) and sends them without waiting for each other.
 * The nested fields (customers' orders, their items and products) are joined into the first one.
 */
const POSTGRAPHILE_QUERY = [
  '{ allCustomers(first: 5, orderBy: ID_ASC) { totalCount nodes { id name region',
  'ordersByCustomerId(first: 3, orderBy: CREATED_AT_DESC) { nodes { id status totalCents',
  'orderItemsByOrderId { nodes { quantity productByProductId { name } } } } } } }',
  'allProducts(first: 3, orderBy: ID_ASC) { nodes { id name priceCents } }',
  'orderById(id: 42) { id status customerByCustomerId { name } } }',
].join(' ');

/**
 * What each service is and what it answers. The routes were verified by starting each service and
 * requesting them on 127.0.0.1 (they are checked again by test/integration/realServiceRoutes.test.ts):
 * `path` is the form the framework's own route table gives, `request` a concrete path to send,
 * `alsoAnswers` other spellings the service answers the same way, `status` what it answers.
 * `notFound`: paths it answers with 404. All paths are relative to the service's `dir`.
 * `files`: written into its folder before the steps (for a service installed rather than generated).
 * `database`: it needs a PostgreSQL database (URL in the environment variable `env`) holding the
 * demo's seeded schema (demo/dist/db.js prepareDatabase); `queryRequests`: requests that make it
 * send pg queries, with what they answer and how many queries each sends.
 */
export const REAL_SERVICES = [
  {
    name: 'fastify-ts',
    framework: 'fastify',
    language: 'typescript',
    generator: GENERATORS.fastifyCli,
    notes: 'fastify start takes its port from -p, FASTIFY_PORT or PORT (default 3000) and listens on 127.0.0.1 (-a). Built with tsc --rootDir src: the template fails under the TypeScript 6 it installs without it (TS5011).',
    sourceDir: 'src',
    sourceMaps: true,
    // fastify-cli's own runner (no npm wrapper); `fastify start` takes its port from -p,
    // FASTIFY_PORT or PORT, and its address from -a (127.0.0.1 here; its default is localhost).
    start: ['node', 'node_modules/fastify-cli/cli.js', 'start', '-a', '127.0.0.1', 'dist/app.js'],
    portEnv: 'PORT',
    profileRoute: '/',
    routes: [
      { method: 'GET', path: '/', request: '/', status: 200, body: '{"root":true}', file: 'src/routes/root.ts' },
      // @fastify/autoload gives src/routes/example/ the prefix /example; fastify registers both spellings.
      { method: 'GET', path: '/example/', request: '/example/', alsoAnswers: ['/example'], status: 200, body: 'this is an example', file: 'src/routes/example/index.ts' },
    ],
    notFound: ['/nope', '/example/x'],
    steps: [
      { what: 'generating', cwd: '..', command: ['npx', '--yes', GENERATORS.fastifyCli, 'generate', '{name}', '--lang=ts'], timeoutMs: 5 * MINUTE },
      { what: 'installing', command: ['npm', 'install', '--no-audit', '--no-fund', '--prefer-offline'], timeoutMs: 10 * MINUTE, retries: 2 },
      // The template's tsconfig already has "sourceMap": true. It needs "rootDir" under the
      // TypeScript 6 it installs (TS5011 otherwise): given on the command line, their files untouched.
      { what: 'building', clean: ['dist'], command: ['node', 'node_modules/typescript/bin/tsc', '--sourceMap', '--rootDir', 'src'], timeoutMs: 3 * MINUTE },
    ],
    expectFiles: ['dist/app.js', 'dist/app.js.map', 'dist/routes/root.js.map', 'dist/routes/example/index.js.map'],
  },
  {
    name: 'nest-ts',
    framework: 'nestjs',
    language: 'typescript',
    generator: GENERATORS.nestCli,
    notes: 'src/main.ts listens on PORT (default 3000) on all interfaces. src/users/ comes from nest generate resource users (REST, CRUD).',
    sourceDir: 'src',
    sourceMaps: true,
    start: ['node', 'dist/main.js'], // src/main.ts: app.listen(process.env.PORT ?? 3000), all interfaces
    portEnv: 'PORT',
    profileRoute: '/users/1',
    routes: [
      { method: 'GET', path: '/', request: '/', status: 200, body: 'Hello World!', file: 'src/app.controller.ts' },
      // UsersModule (src/users/) is imported by AppModule; @Controller('users') gives the prefix.
      { method: 'GET', path: '/users', request: '/users', alsoAnswers: ['/users/'], status: 200, body: 'This action returns all users', file: 'src/users/users.controller.ts' },
      { method: 'GET', path: '/users/:id', request: '/users/1', status: 200, body: 'This action returns a #1 user', file: 'src/users/users.controller.ts' },
      { method: 'POST', path: '/users', request: '/users', status: 201, body: 'This action adds a new user', file: 'src/users/users.controller.ts' },
    ],
    notFound: ['/nope', '/app'],
    steps: [
      { what: 'generating', cwd: '..', command: ['npx', '--yes', GENERATORS.nestCli, 'new', '{name}', '--skip-git', '--skip-install', '--package-manager', 'npm'], timeoutMs: 5 * MINUTE },
      { what: 'installing', command: ['npm', 'install', '--no-audit', '--no-fund', '--prefer-offline'], timeoutMs: 10 * MINUTE, retries: 2 },
      // Nest's own generator for a REST resource; it installs @nestjs/mapped-types itself (npm).
      { what: 'generating resource users in', command: ['npx', '--yes', GENERATORS.nestCli, 'generate', 'resource', 'users', '--no-spec', '--type', 'rest', '--crud'], timeoutMs: 5 * MINUTE },
      // What `nest build` runs, minus the wrapper; the template's tsconfig already has "sourceMap": true.
      { what: 'building', clean: ['dist'], command: ['node', 'node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--sourceMap'], timeoutMs: 3 * MINUTE },
    ],
    expectFiles: ['dist/main.js', 'dist/main.js.map', 'dist/users/users.controller.js.map'],
  },
  {
    name: 'express-js',
    framework: 'express',
    language: 'javascript',
    generator: GENERATORS.expressGenerator,
    notes: 'bin/www listens on PORT (default 3000) on all interfaces. GET / is public/index.html from express.static (routes/index.js would res.render without a view engine). morgan logs every request to stdout.',
    sourceDir: '.', // app.js, routes/, bin/www (node_modules excluded)
    sourceMaps: false,
    start: ['node', 'bin/www'], // listens on PORT, all interfaces
    portEnv: 'PORT',
    profileRoute: '/users',
    routes: [
      // routes/index.js's GET / would res.render() without a view engine (--no-view), but
      // express.static, mounted before it in app.js, answers / with public/index.html first.
      { method: 'GET', path: '/', request: '/', status: 200, body: '<title>Express</title>', file: 'routes/index.js' },
      // app.js: app.use('/users', usersRouter), the router's GET / in routes/users.js.
      { method: 'GET', path: '/users', request: '/users', alsoAnswers: ['/users/'], status: 200, body: 'respond with a resource', file: 'routes/users.js' },
    ],
    notFound: ['/nope', '/users/x'],
    steps: [
      { what: 'generating', cwd: '..', command: ['npx', '--yes', GENERATORS.expressGenerator, '--no-view', '{name}'], timeoutMs: 5 * MINUTE },
      { what: 'installing', command: ['npm', 'install', '--no-audit', '--no-fund', '--prefer-offline'], timeoutMs: 10 * MINUTE, retries: 2 },
    ],
    expectFiles: ['app.js', 'bin/www', 'routes/users.js', 'node_modules/express/package.json'],
  },
  {
    name: 'postgraphile-js',
    framework: 'postgraphile',
    language: 'javascript',
    generator: GENERATORS.postgraphile,
    notes:
      'PostGraphile 4 CLI (node_modules/postgraphile/cli.js). Port, address (127.0.0.1) and schema come from .postgraphilerc.js, which reads PORT; ' +
      'the database from DATABASE_URL (required; the schema perflens_demo must exist: seed it with demo/dist/db.js prepareDatabase). ' +
      'All of its code is in node_modules (postgraphile, graphile-build-pg): a pg query is sent from graphile-build-pg/node8plus/pgPrepareAndRun.js, ' +
      'the per-request pool.connect() is in postgraphile/build/postgraphile/withPostGraphileContext.js. ' +
      'It listens first (GET / answers 404 at once) and introspects the schema in the background (one more checkout, 2 queries); a GraphQL request waits for that, ' +
      'the first one takes ≈ 150 ms, later ones ≈ 10 ms. Without a reachable database it exits with code 34 once the introspection fails (within ~1 s). Exits at once on SIGTERM.',
    sourceDir: '.',
    sourceMaps: false,
    start: ['node', 'node_modules/postgraphile/cli.js'],
    portEnv: 'PORT',
    profileRoute: '/graphiql',
    database: { env: 'DATABASE_URL', schema: 'perflens_demo' },
    routes: [
      { method: 'GET', path: '/graphiql', request: '/graphiql', status: 200, body: 'GraphiQL', file: 'node_modules/postgraphile/build/postgraphile/http/createPostGraphileHttpRequestHandler.js' },
      { method: 'POST', path: '/graphql', request: '/graphql', status: 400, body: 'Must provide a query string.', file: 'node_modules/postgraphile/build/postgraphile/http/createPostGraphileHttpRequestHandler.js' },
    ],
    notFound: ['/', '/nope'],
    queryRequests: [
      {
        name: 'customers with their orders, products, one order',
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: POSTGRAPHILE_QUERY }),
        status: 200,
        bodyContains: ['"allCustomers":{"totalCount":2000', '"orderById":{"id":42,"status":"processing","customerByCustomerId":{"name":"Tara Silva"}}'],
        // One pool.connect() and one statement per root field; none of it before the introspection.
        queries: 3,
        checkouts: 1,
      },
    ],
    files: {
      'package.json': JSON.stringify({ name: 'postgraphile-js', private: true, description: 'PostGraphile 4 over the PerfLens demo schema', dependencies: { postgraphile: POSTGRAPHILE_VERSION } }, null, 2) + '\n',
      // PostGraphile 4 reads this from its working directory (its CLI takes the port from -p or
      // here only; PORT is what the tests set for every service).
      '.postgraphilerc.js': [
        "'use strict';",
        'module.exports = {',
        '  options: {',
        "    host: '127.0.0.1',",
        '    port: Number(process.env.PORT) || 5000,',
        "    schema: ['perflens_demo'],",
        '    disableQueryLog: true,',
        '  },',
        '};',
        '',
      ].join('\n'),
    },
    steps: [
      { what: 'installing', command: ['npm', 'install', '--no-audit', '--no-fund', '--prefer-offline'], timeoutMs: 10 * MINUTE, retries: 2 },
    ],
    expectFiles: ['node_modules/postgraphile/cli.js', 'node_modules/pg/package.json', '.postgraphilerc.js'],
  },
];

/** Where the services live. */
export function realServicesDir(root = repoRoot) {
  return join(resolve(root), '.cache', 'real-services');
}

/**
 * Generates, installs and builds each service that is not complete yet; returns the manifest
 * (also written to <dir>/manifest.json): each service with its absolute `dir`. Synchronous.
 */
export function ensureRealServices(root = repoRoot) {
  const base = realServicesDir(root);
  const pending = () => REAL_SERVICES.filter((service) => !isComplete(base, service));
  if (pending().length) {
    withLock(join(base, '.setup.lock'), () => {
      for (const service of pending()) setUp(base, service);
    }, { what: 'set-up', log });
  }
  const manifest = {
    version: 1,
    generators: GENERATORS,
    services: REAL_SERVICES.map(({ steps: _steps, expectFiles: _expectFiles, files: _files, ...service }) => ({ ...service, dir: join(base, service.name) })),
  };
  const file = join(base, 'manifest.json');
  const text = JSON.stringify(manifest, null, 2) + '\n';
  if (readFileSafe(file) !== text) {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  }
  return manifest;
}

function markerOf(base, service) {
  // `files` only when there are some: the other services' markers stay as they were (not redone).
  const done = service.files ? { files: service.files, steps: service.steps, expectFiles: service.expectFiles } : { steps: service.steps, expectFiles: service.expectFiles };
  return { path: join(base, service.name, '.perflens-complete'), content: JSON.stringify(done) + '\n' };
}

function isComplete(base, service) {
  const marker = markerOf(base, service);
  return readFileSafe(marker.path) === marker.content;
}

function setUp(base, service) {
  const dir = join(base, service.name);
  mkdirSync(base, { recursive: true });
  if (existsSync(dir)) {
    log(`${service.name} has no marker of a complete set-up by these steps: removing it and starting again`);
    rmSync(dir, { recursive: true, force: true });
  }
  const started = Date.now();
  if (service.files) {
    log(`writing ${Object.keys(service.files).join(', ')} for ${service.name}`);
    mkdirSync(dir, { recursive: true });
    for (const [path, content] of Object.entries(service.files)) writeFileSync(join(dir, path), content);
  }
  for (const step of service.steps) {
    const cwd = step.cwd === '..' ? base : dir;
    const command = step.command.map((arg) => arg.replaceAll('{name}', service.name));
    log(`${step.what} ${service.name}… (${command.join(' ')})`);
    for (const path of step.clean ?? []) rmSync(join(dir, path), { recursive: true, force: true });
    // The registry's index can lag behind what it serves for a few minutes (a package that needs a
    // version its index does not list yet: ETARGET): an install that failed is tried again, then
    // asking the registry afresh rather than trusting what npm's cache holds.
    for (let attempt = 0; ; attempt++) {
      try {
        run(attempt === 0 ? command : command.map((arg) => (arg === '--prefer-offline' ? '--prefer-online' : arg)), cwd, step.timeoutMs);
        break;
      } catch (error) {
        if (attempt >= (step.retries ?? 0)) throw error;
        const waitS = 15 * (attempt + 1);
        log(`${error.message}; trying again in ${waitS} s`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, waitS * 1000);
      }
    }
  }
  const missing = service.expectFiles.filter((path) => !existsSync(join(dir, path)));
  if (missing.length) throw new Error(`perflens: real services: ${service.name} was set up but lacks ${missing.join(', ')}`);
  const marker = markerOf(base, service);
  writeFileSync(marker.path, marker.content);
  log(`${service.name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function run([command, ...args], cwd, timeoutMs) {
  // Under `npm test` the environment carries the outer npm's settings as npm_* variables; the inner
  // npm (and npx) would take them as its own. Start from a clean slate (as scripts/setupVscode.mjs).
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const result = spawnSync(command, args, { cwd, env: { ...env, CI: '1', NO_UPDATE_NOTIFIER: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 });
  const failure = result.error?.code === 'ETIMEDOUT' ? `timed out after ${timeoutMs / 1000} s` : result.error ? result.error.message : result.status !== 0 ? `exit ${result.status ?? result.signal}` : '';
  if (failure) {
    // Their output is long and only useful when something went wrong.
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    throw new Error(`perflens: real services: \`${[command, ...args].join(' ')}\` failed in ${cwd} (${failure})`);
  }
}

function log(message) {
  console.log(`perflens: real services: ${message}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const manifest = ensureRealServices(repoRoot);
  log(`${manifest.services.map((s) => s.name).join(', ')} ready (${((Date.now() - started) / 1000).toFixed(2)} s); manifest: ${join(realServicesDir(repoRoot), 'manifest.json')}`);
}
