// Route detection (server/routes/detectRoutes.ts): fixture files per framework, look-alikes that
// are not routes, broken files, the demo service's routes, and small inline cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectRoutes, scriptKindFor, type RouteInfo } from '../../server/routes/detectRoutes';
import ts from 'typescript';

const fixtures = join(__dirname, '..', 'fixtures', 'routes');
const demoRoutes = join(__dirname, '..', '..', 'demo', 'src', 'routes');

function detectFile(path: string): RouteInfo[] {
  return detectRoutes(path, readFileSync(path, 'utf8'));
}

/** [line, character, framework, method, path, handlerName, params]; lines and columns are 0-based. */
type Expected = [number, number, RouteInfo['framework'], string, string, string | undefined, string[]];

function asRow(route: RouteInfo): Expected {
  return [route.line, route.character, route.framework, route.method, route.path, route.handlerName, route.params];
}

const expectedByFixture: Record<string, Expected[]> = {
  'express-class.ts': [
    [19, 4, 'express', 'GET', '/accounts', 'getAll', []],
    [20, 4, 'express', 'GET', '/accounts/:id', 'getById', ['id']],
    [21, 4, 'express', 'POST', '/users', 'create', []],
    [22, 4, 'express', 'GET', '/orders', 'orders', []],
    [23, 4, 'express', 'GET', '/v2/orders/:orderId', 'order', ['orderId']],
  ],
  'express-commonjs.js': [
    [7, 0, 'express', 'GET', '/items', 'list', []],
    [8, 0, 'express', 'GET', '/items/:id', 'show', ['id']],
    [11, 2, 'express', 'POST', '/items', undefined, []],
  ],
  'express.ts': [
    [11, 0, 'express', 'GET', '/health', undefined, []],
    [12, 0, 'express', 'POST', '/users', 'create', []],
    [13, 0, 'express', 'PUT', '/v1/users/:id', 'updateUser', ['id']],
    [16, 0, 'express', 'ALL', '*', 'notFound', ['*']],
    [17, 0, 'express', 'DELETE', '/users/:userId/posts/:postId(\\d+)', 'removePost', ['userId', 'postId']],
    [19, 0, 'express', 'GET', '/books/:isbn', 'getBook', ['isbn']],
    [19, 0, 'express', 'POST', '/books/:isbn', 'createBook', ['isbn']],
    [19, 0, 'express', 'DELETE', '/books/:isbn', undefined, ['isbn']],
    [25, 2, 'express', 'PATCH', '/profile', 'updateProfile', []],
    [26, 2, 'express', 'OPTIONS', '/profile', undefined, []],
    [31, 0, 'express', 'HEAD', '/ping', 'ping', []],
  ],
  'fastify.ts': [
    [7, 0, 'fastify', 'GET', '/ping', undefined, []],
    [8, 0, 'fastify', 'POST', '/users', undefined, []],
    [11, 0, 'fastify', 'GET', '/users/:id', 'getUser', ['id']],
    [11, 0, 'fastify', 'HEAD', '/users/:id', 'getUser', ['id']],
    [16, 0, 'fastify', 'DELETE', '/users/:id', 'handler', ['id']],
    [19, 2, 'fastify', 'GET', '/me', 'me', []],
    [23, 2, 'fastify', 'PUT', '/admin/settings', 'saveSettings', []],
    [27, 2, 'fastify', 'GET', '/healthz', 'healthz', []],
    [31, 2, 'fastify', 'GET', '/v2/orders/:orderId', 'listOrder', ['orderId']],
    [35, 2, 'fastify', 'PATCH', '/flags/:name', 'setFlag', ['name']],
    [39, 0, 'fastify', 'GET', '/files/*', 'serveFile', ['*']],
  ],
  'hono.ts': [
    [8, 0, 'hono', 'GET', '/', undefined, []],
    [9, 0, 'hono', 'GET', '/api/posts/:id{[0-9]+}', undefined, ['id']],
    [10, 0, 'hono', 'POST', '/api/v1/posts', 'createPost', []],
    [12, 0, 'hono', 'GET', '/about', undefined, []],
    [13, 0, 'hono', 'GET', '/form', 'handleForm', []],
    [13, 0, 'hono', 'POST', '/form', 'handleForm', []],
    [14, 0, 'hono', 'GET', '/wild/*', 'wild', ['*']],
    [14, 0, 'hono', 'PUT', '/items/:name?', 'putItem', ['name']],
  ],
  'koa.ts': [
    [9, 0, 'koa', 'GET', '/api/users', undefined, []],
    [12, 0, 'koa', 'GET', '/api/users/:id', 'showUser', ['id']],
    [13, 0, 'koa', 'POST', '/api/users', 'createUser', []],
    [13, 0, 'koa', 'DELETE', '/api/users/:id', 'deleteUser', ['id']],
    [14, 0, 'koa', 'ALL', '/api', 'index', []],
    [15, 0, 'koa', 'PUT', '/settings/:key', undefined, ['key']],
  ],
  'nest.ts': [
    [8, 2, 'nestjs', 'GET', '/users', 'findAll', []],
    [13, 2, 'nestjs', 'GET', '/users/:id', 'findOne', ['id']],
    [18, 2, 'nestjs', 'POST', '/users', 'create', []],
    [22, 2, 'nestjs', 'PUT', '/users/:id', 'replace', ['id']],
    [25, 2, 'nestjs', 'PATCH', '/users/:id/avatar', 'updateAvatar', ['id']],
    [28, 2, 'nestjs', 'DELETE', '/users/:id', 'remove', ['id']],
    [36, 2, 'nestjs', 'GET', '/', 'index', []],
    [39, 2, 'nestjs', 'ALL', '/*', 'fallback', ['*']],
    [42, 2, 'nestjs', 'HEAD', '/status', 'status', []],
    [43, 2, 'nestjs', 'OPTIONS', '/status', 'status', []],
    [49, 2, 'nestjs', 'GET', '/admin/reports/daily', 'report', []],
    [49, 2, 'nestjs', 'GET', '/admin/reports/weekly', 'report', []],
  ],
};

for (const [fixture, expected] of Object.entries(expectedByFixture)) {
  test(`${fixture}: every route, in source order`, () => {
    assert.deepEqual(detectFile(join(fixtures, fixture)).map(asRow), expected);
  });
}

test('every fixture with routes has a table above', () => {
  const withTables = readdirSync(fixtures).filter((f) => f !== 'nonRoutes.ts' && f !== 'broken.js' && f !== 'needs' && f !== 'workspaces'); // needs/, workspaces/: other tests
  assert.deepEqual(withTables.sort(), Object.keys(expectedByFixture).sort());
});

test('nonRoutes.ts: Map/cache get/set/delete, axios/fetch/http clients, use(), event emitters → no routes', () => {
  assert.deepEqual(detectFile(join(fixtures, 'nonRoutes.ts')), []);
});

test('broken.js: syntax errors do not hide the routes the parser can still find', () => {
  const routes = detectFile(join(fixtures, 'broken.js'));
  assert.deepEqual(
    routes.map((r) => `${r.method} ${r.path}`),
    ['GET /before', 'POST /unclosed', 'PUT /after', 'DELETE /last/:id'],
  );
  assert.deepEqual(routes.slice(0, 2).map((r) => r.line), [4, 8]);
});

test('the demo service: its 8 Express routes, one per routes file', () => {
  const routes = readdirSync(demoRoutes)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .flatMap((f) => detectFile(join(demoRoutes, f)).map((r) => ({ file: f, ...r })));
  assert.deepEqual(
    routes.map((r) => [r.file, r.framework, r.method, r.path, r.params]),
    [
      ['block.ts', 'express', 'GET', '/block', []],
      ['dailyReport.ts', 'express', 'GET', '/reports/daily', []],
      ['health.ts', 'express', 'GET', '/health', []],
      ['invoice.ts', 'express', 'GET', '/orders/:orderId/invoice', ['orderId']],
      ['leak.ts', 'express', 'GET', '/leak', []],
      ['orders.ts', 'express', 'GET', '/customers/:customerId/orders', ['customerId']],
      ['report.ts', 'express', 'GET', '/report', []],
      ['search.ts', 'express', 'GET', '/search', []],
    ],
  );
  // The lens sits on the `router.get(` line.
  for (const route of routes) {
    const line = readFileSync(join(demoRoutes, route.file), 'utf8').split('\n')[route.line];
    assert.equal(line.slice(route.character, route.character + 'router.get('.length), 'router.get(', `${route.file}:${route.line + 1}`);
  }
});

/** [case, file name, source, `${framework} ${method} ${path}` of each route found]. */
const inline: Array<[string, string, string, string[]]> = [
  ['receivers named anything', 'a.ts', `userRoutes.get('/a', h); r.post('/b', h); api.delete('/c', h); app.get('/d', h);`, ['express GET /a', 'express POST /b', 'express DELETE /c', 'express GET /d']],
  ['no imports: Hono by its (c) handler', 'a.ts', `app.get('/x', (c) => c.text('x'));`, ['hono GET /x']],
  ['no imports: Koa by its (ctx) handler', 'a.ts', `router.get('/x', async (ctx) => { ctx.body = 1; });`, ['koa GET /x']],
  ['no imports: Fastify by its (request, reply) handler', 'a.ts', `server.get('/x', async (request, reply) => reply.send(1));`, ['fastify GET /x']],
  ['the import decides over the handler shape', 'a.ts', `import { Hono } from 'hono';\nexport function mount(app) { app.get('/x', (req, res) => res.end()); }`, ['hono GET /x']],
  ['.tsx with JSX', 'app.tsx', `import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/', (c) => c.html(<Page title="x" />));`, ['hono GET /']],
  ['.jsx with JSX', 'app.jsx', `const express = require('express');\nconst app = express();\napp.get('/', (req, res) => res.send(render(<App />)));`, ['express GET /']],
  ['.mjs', 'server.mjs', `import express from 'express';\nconst app = express();\nawait app.get('/m', h);`, ['express GET /m']],
  ['.cjs: require("fastify")({ logger })', 'server.cjs', `const app = require('fastify')({ logger: true });\napp.get('/f', h);`, ['fastify GET /f']],
  ['array of paths: one route each', 'a.ts', `app.get(['/a', '/b'], h);`, ['express GET /a', 'express GET /b']],
  ['a regex path is not a path we can request', 'a.ts', `app.get(/ab+cd/, h);`, []],
  ['only a path, or a path and a config object: not a route', 'a.ts', `router.get('/x'); router.get('/x', { cache: true }); router.get('/x', 5);`, []],
  ['Fastify shorthand with the handler in the options', 'a.ts', `import Fastify from 'fastify';\nconst f = Fastify();\nf.get('/x', { schema, handler: getX });`, ['fastify GET /x']],
  ['Hono chain from new Hono().basePath()', 'a.ts', `import { Hono } from 'hono';\nexport default new Hono().basePath('/api').get('/x', h).post('/y', h);`, ['hono GET /api/x', 'hono POST /api/y']],
  ['Koa prefix from a constant', 'a.ts', `import Router from '@koa/router';\nconst PREFIX = '/v3';\nconst router = new Router({ prefix: PREFIX });\nrouter.get('/x', h);`, ['koa GET /v3/x']],
  ['Koa prefix unknown: the path as written', 'a.ts', `import Router from '@koa/router';\nconst router = new Router({ prefix: config.prefix });\nrouter.get('/x', h);`, ['koa GET /x']],
  ['a shadowing parameter is not the outer router', 'a.ts', `import Router from '@koa/router';\nimport type { Express } from 'express';\nconst app = new Router({ prefix: '/k' });\nexport function f(app: Express) { app.get('/e', h); }\napp.get('/r', h);`, ['express GET /e', 'koa GET /k/r']],
  ['msw and supertest are not routes', 'a.ts', `import { http, HttpResponse } from 'msw';\nimport request from 'supertest';\nhttp.get('/api/user', () => HttpResponse.json({}));\nrest.get('/api/user', resolver);\nrequest(app).post('/x', body);`, []],
  ['Express 5 named wildcard and optional group', 'a.ts', `app.get('/files/*splat', h); app.get('/users{/:id}', h);`, ['express GET /files/*splat', 'express GET /users{/:id}']],
  ['NestJS in JavaScript (Babel decorators), controller path from a constant', 'cats.controller.js', `const BASE = 'cats';\n@Controller(BASE)\nexport class CatsController {\n  @Get(':id') findOne(id) {}\n}`, ['nestjs GET /cats/:id']],
  ['NestJS controller path not known in this file: skipped', 'a.ts', `import { PATH } from './paths';\n@Controller(PATH)\nclass C { @Get() all() {} }`, []],
  ['NestJS aliased decorators', 'a.ts', `import { Controller as Ctl, Post as HttpPost } from '@nestjs/common';\n@Ctl('x')\nclass C { @HttpPost('y') make() {} }`, ['nestjs POST /x/y']],
  ['Hono on() with an unknown method or a non-path: not a route', 'a.ts', `app.on('PURGE', '/cache', h); app.on('GET', 'cache', h); emitter.on('GET', h);`, []],
  ['empty file', 'a.ts', '', []],
  ['garbage', 'a.ts', '}}}{{{ (( @@ app.get( "/', []],
];

for (const [name, fileName, source, expected] of inline) {
  test(`inline: ${name}`, () => {
    assert.deepEqual(detectRoutes(fileName, source).map((r) => `${r.framework} ${r.method} ${r.path}`), expected);
  });
}

test('lens position: the statement for calls (even multi-line chains), the decorator for NestJS', () => {
  const source = [
    'import { Hono } from "hono";',
    'const app = new Hono();',
    'app',
    '  .get("/a", h)',
    '  .post("/b", h);',
    'function f() {',
    '    return app.get("/c", h);',
    '}',
  ].join('\n');
  assert.deepEqual(detectRoutes('a.ts', source).map((r) => [r.path, r.line, r.character]), [['/a', 2, 0], ['/b', 2, 0], ['/c', 6, 4]]);
});

test('handler names: identifier, member, named function, wrapper, bind, options; none for arrows', () => {
  const source = `
    app.get('/1', listUsers);
    app.get('/2', auth, users.list);
    app.get('/3', function named(req, res) {});
    app.get('/4', asyncHandler(wrapped));
    app.get('/5', ctl.show.bind(ctl));
    app.get('/6', (req, res) => res.end());`;
  assert.deepEqual(detectRoutes('a.js', source).map((r) => r.handlerName), ['listUsers', 'list', 'named', 'wrapped', 'show', undefined]);
});

test('scriptKindFor: TS, TSX, JS (.js/.mjs/.cjs), JSX; unknown → TS', () => {
  assert.deepEqual(
    ['a.ts', 'a.mts', 'a.cts', 'A.TSX', 'a.js', 'a.mjs', 'a.cjs', 'a.jsx', 'Untitled-1'].map(scriptKindFor),
    [ts.ScriptKind.TS, ts.ScriptKind.TS, ts.ScriptKind.TS, ts.ScriptKind.TSX, ts.ScriptKind.JS, ts.ScriptKind.JS, ts.ScriptKind.JS, ts.ScriptKind.JSX, ts.ScriptKind.TS],
  );
});

test('never throws, whatever the input', () => {
  const inputs = ['\u0000\uffff', '@'.repeat(1000), '('.repeat(5000), 'app.get(`/x${', 'class { @Get( }', '"use strict"; app.route('];
  for (const input of inputs) for (const name of ['a.ts', 'a.tsx', 'a.js']) assert.ok(Array.isArray(detectRoutes(name, input)));
});

test('a 2,000-line file takes milliseconds (reported, not asserted)', (t) => {
  const block = (i: number) => [
    `router.get('/items/${i}/:id', async (req, res) => {`,
    `  const rows = await db.query('SELECT * FROM items WHERE id = $1', [req.params.id]);`,
    `  const total = rows.reduce((sum, row) => sum + row.price * row.quantity, 0);`,
    `  if (total > 1000) cache.set('/items/${i}', total);`,
    `  res.json({ rows, total, at: new Date().toISOString() });`,
    `});`,
    `function helper${i}(a: number, b: string): string {`,
    `  return b.repeat(a) + map.get('/x');`,
    `}`,
    ``,
  ];
  const lines = ["import { Router } from 'express';", 'const router = Router();', ...Array.from({ length: 200 }, (_, i) => block(i)).flat()];
  const source = lines.join('\n');
  assert.equal(detectRoutes('big.ts', source).length, 200); // a check, and the first (cold) run
  for (let i = 0; i < 3; i++) detectRoutes('big.ts', source);
  const times = Array.from({ length: 15 }, () => {
    const started = performance.now();
    detectRoutes('big.ts', source);
    return performance.now() - started;
  }).sort((a, b) => a - b);
  const perRun = times[Math.floor(times.length / 2)];
  t.diagnostic(`detectRoutes on ${lines.length} lines: ${perRun.toFixed(1)} ms (median of ${times.length} warm runs)`);
});
