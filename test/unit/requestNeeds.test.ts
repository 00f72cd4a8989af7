// Request needs (server/routes/requestNeeds.ts): per source (Fastify schemas, NestJS DTOs,
// express-validator, zod, joi, the handler's own reads) on fixture files, the demo service's
// routes, imports through a SourceHost, and files that are broken or odd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { detectRoutes } from '../../server/routes/detectRoutes';
import { formatQuery, requestNeeds, type BodyNeed, type HeaderNeed, type NeedSource, type QueryNeed, type RequestNeeds } from '../../server/routes/requestNeeds';
import { memorySourceHost } from '../../server/routes/sourceHost';

const fixtures = join(__dirname, '..', 'fixtures', 'routes', 'needs');
const demoRoutes = join(__dirname, '..', '..', 'demo', 'src', 'routes');

const fixtureFiles: Record<string, string> = {};
for (const name of readdirSync(fixtures)) fixtureFiles[join(fixtures, name).replace(/\\/g, '/')] = readFileSync(join(fixtures, name), 'utf8');
const host = memorySourceHost(fixtureFiles);

function q(name: string, required: boolean, example: string | undefined, source: NeedSource, description?: string): QueryNeed {
  return { name, required, ...(example !== undefined ? { example } : {}), source, ...(description !== undefined ? { description } : {}) };
}

function h(name: string, required: boolean, example: string | undefined, source: NeedSource): HeaderNeed {
  return { name, required, ...(example !== undefined ? { example } : {}), source };
}

/** A body need; a JSON example is given as the value it encodes. */
function body(example: unknown, required: boolean, source: NeedSource, contentType = 'application/json'): BodyNeed {
  return { required, contentType, example: contentType === 'application/json' ? JSON.stringify(example) : String(example), source };
}

/** Every route of a file, keyed 'METHOD /path', with what it needs. */
function needsOf(path: string, withHost = true): Record<string, RequestNeeds> {
  const text = readFileSync(path, 'utf8');
  const out: Record<string, RequestNeeds> = {};
  for (const route of detectRoutes(path, text)) out[`${route.method} ${route.path}`] = requestNeeds(path.replace(/\\/g, '/'), text, route, withHost ? host : undefined);
  return out;
}

const expectedByFixture: Record<string, Record<string, RequestNeeds>> = {
  'fastify.ts': {
    'GET /search': { query: [q('q', true, 'gift', 'fastify-schema', 'Text to find'), q('limit', false, '20', 'fastify-schema'), q('sort', false, 'new', 'fastify-schema'), q('since', false, '2024-01-01', 'fastify-schema'), q('page', false, '1', 'fastify-schema')] },
    'POST /users': { query: [], body: body({ email: 'user@example.com', name: 'example', age: 18, tags: [ 'example' ], address: { city: 'Lyon' } }, true, 'fastify-schema'), headers: [h('x-api-key', true, 'example', 'fastify-schema')] },
    'GET /orders': { query: [q('status', true, 'open', 'fastify-schema'), q('customer', false, '1', 'fastify-schema')] },
    'GET /items': { query: [q('category', false, 'tools', 'fastify-schema')] },
    'GET /shared': { query: [q('status', true, 'open', 'fastify-schema'), q('customer', false, '1', 'fastify-schema')] },
    'GET /typebox': { query: [q('q', true, 'lamp', 'fastify-schema'), q('limit', false, '10', 'fastify-schema')] },
    'PUT /zod/:id': { query: [], body: body({ title: 'example', done: true }, true, 'fastify-schema') },
    'GET /shorthand': { query: [q('word', false, 'example', 'fastify-schema')] },
    'GET /plain': { query: [q('q', true, 'chair', 'handler')] },
  },
  'nest.ts': {
    'GET /users/search': { query: [q('q', true, 'example', 'nest-dto'), q('limit', false, '1', 'nest-dto'), q('sort', false, 'new', 'nest-dto')] },
    'POST /users': { query: [], body: body({ name: 'Ada Lovelace', email: 'user@example.com', age: 18, role: 'admin' }, true, 'nest-dto') },
    'PATCH /users/:id': { query: [], body: body({ name: 'Ada Lovelace', email: 'user@example.com', age: 18, role: 'admin' }, false, 'nest-dto') },
    'GET /users/page': { query: [q('page', false, '1', 'nest-dto'), q('id', true, '1', 'nest-dto')] },
    'GET /users/find': { query: [q('name', true, 'ada', 'nest-dto')], headers: [h('x-tenant', false, 'example', 'nest-dto')] },
    'GET /users/list': { query: [q('cursor', false, 'example', 'nest-dto'), q('size', true, '1', 'nest-dto')] },
    'GET /users/raw': { query: [q('token', false, undefined, 'handler')] },
    'POST /batch': { query: [], body: body([{ name: 'Ada Lovelace', email: 'user@example.com', age: 18, role: 'admin' }], true, 'nest-dto') },
  },
  'express-validator.ts': {
    'GET /search': { query: [q('q', true, 'example', 'express-validator'), q('limit', false, '1', 'express-validator')] },
    'POST /signup': { query: [], body: body({ email: 'user@example.com', password: 'examplex', profile: { nickname: 'example' }, newsletter: true }, true, 'express-validator') },
    'GET /report': { query: [q('from', true, '2024-01-01T00:00:00.000Z', 'express-validator'), q('format', false, 'csv', 'express-validator')], headers: [h('x-api-key', true, 'example', 'express-validator')] },
    'PUT /settings': { query: [q('lang', true, 'example', 'express-validator')], body: body({ theme: 'dark', fontSize: 8 }, true, 'express-validator') },
    'GET /check': { query: [q('id', true, '00000000-0000-4000-8000-000000000000', 'express-validator'), q('trimmed', false, undefined, 'express-validator')] },
    'GET /users/:id': { query: [q('expand', false, 'posts', 'express-validator')], headers: [h('X-Api-Key', true, 'example', 'express-validator')] },
  },
  'zod.ts': {
    'GET /search': { query: [q('q', true, 'example', 'zod', 'Text to find'), q('limit', false, '1', 'zod'), q('sort', false, 'desc', 'zod')] },
    'GET /tickets': { query: [q('page', false, '1', 'zod'), q('status', true, 'open', 'zod')] },
    'POST /todos': { query: [], body: body({ title: 'example', due: '2024-01-01T00:00:00.000Z', priority: 3, owner: { email: 'user@example.com' } }, true, 'zod') },
    'POST /both': { query: [q('dryRun', false, 'yes', 'zod')], body: body({ name: 'example' }, true, 'zod') },
    'GET /hono': { query: [q('term', true, 'user@example.com', 'zod'), q('n', false, '1', 'zod')] },
    'POST /hono/form': { query: [], body: body('user=example&remember=on', true, 'zod', 'application/x-www-form-urlencoded') },
    'GET /koa': { query: [q('id', true, '00000000-0000-4000-8000-000000000000', 'zod')] },
  },
  'joi.ts': {
    'GET /search': { query: [q('q', true, 'gift', 'joi'), q('limit', false, '20', 'joi'), q('order', false, 'asc', 'joi')] },
    'POST /users': { query: [], body: body({ email: 'user@example.com', name: 'example' }, true, 'joi') },
    'GET /attempt': { query: [q('id', true, '00000000-0000-4000-8000-000000000000', 'joi')] },
  },
  'handler.ts': {
    'GET /express': { query: [q('q', true, 'gift', 'handler'), q('page', false, '1', 'handler'), q('sort', false, undefined, 'handler')] },
    'GET /destructured': { query: [q('term', true, undefined, 'handler'), q('size', false, '10', 'handler')] },
    'GET /named': { query: [q('cursor', true, undefined, 'handler')], headers: [h('x-api-key', true, undefined, 'handler')] },
    'GET /optional-check': { query: [q('q', false, undefined, 'handler')] },
    'POST /items': { query: [], body: body({ name: 'example', price: 'example', quantity: 1 }, true, 'handler') },
    'PUT /whole': { query: [], body: body({}, true, 'handler') },
    'GET /body-on-get': { query: [] },
    'GET /headers': { query: [], headers: [h('authorization', true, undefined, 'handler')] },
    'GET /koa': { query: [q('city', true, 'Paris', 'handler'), q('units', false, 'metric', 'handler')] },
    'GET /hono': { query: [q('word', true, undefined, 'handler'), q('lang', false, undefined, 'handler')] },
    'POST /hono': { query: [], body: body({ title: 'example' }, true, 'handler') },
    'GET /guarded': { query: [q('view', false, undefined, 'handler')], headers: [h('x-key', true, undefined, 'handler')] },
    'GET /hono/me': { query: [], headers: [h('x-timezone', false, undefined, 'handler')] },
  },
};

for (const [fixture, expected] of Object.entries(expectedByFixture)) {
  test(`requestNeeds: ${fixture}`, () => {
    assert.deepEqual(needsOf(join(fixtures, fixture)), expected);
  });
}

test('requestNeeds: the demo service: /search needs q (e.g. gift), limit is optional; /report and /orders need no query', () => {
  assert.deepEqual(needsOf(join(demoRoutes, 'search.ts'))['GET /search'], { query: [q('q', true, 'gift', 'handler'), q('limit', false, '20', 'handler')] });
  assert.deepEqual(needsOf(join(demoRoutes, 'report.ts'))['GET /report'], { query: [q('passes', false, '22', 'handler')] });
  assert.deepEqual(needsOf(join(demoRoutes, 'orders.ts'))['GET /customers/:customerId/orders'], { query: [] });
  for (const file of readdirSync(demoRoutes)) {
    for (const [route, needs] of Object.entries(needsOf(join(demoRoutes, file)))) {
      if (route !== 'GET /search') assert.ok(needs.query.every((need) => !need.required), `${file} ${route}`);
    }
  }
});

test('requestNeeds: without a host, imported schemas are not seen (and nothing throws)', () => {
  const needs = needsOf(join(fixtures, 'fastify.ts'), false);
  assert.deepEqual(needs['GET /orders'], { query: [] });
  assert.deepEqual(needs['GET /shared'], { query: [] });
  assert.deepEqual(needs['GET /search'].query[0], q('q', true, 'gift', 'fastify-schema', 'Text to find'));
  assert.deepEqual(needsOf(join(fixtures, 'zod.ts'), false)['GET /search'], { query: [] });
});

test('requestNeeds: handlers and schemas imported from other files, controller methods, require()', () => {
  const files = {
    '/app/src/routes.ts': [
      "import express from 'express';",
      "import { listThings } from './handlers';",
      "import * as handlers from './handlers/index.js';",
      "const { ItemQuery } = require('./schemas');",
      'const app = express();',
      'class ThingController {',
      '  show(req, res) { if (!req.query.id) return res.status(400).end(); res.end(); }',
      '}',
      'const controller = new ThingController();',
      "app.get('/things', listThings);",
      "app.get('/more', handlers.more);",
      "app.get('/thing', controller.show.bind(controller));",
      "app.get('/items', (req, res) => res.json(ItemQuery.parse(req.query)));",
    ].join('\n'),
    '/app/src/handlers.ts': "export function listThings(req, res) { const { kind } = req.query; if (!kind) throw new Error('kind is required: /things?kind=tool'); res.end(); }",
    '/app/src/handlers/index.ts': "export { more } from './more';",
    '/app/src/handlers/more.ts': 'export const more = async (req, res) => res.json(req.query.page);',
    '/app/src/schemas.js': "const { z } = require('zod');\nmodule.exports = { ItemQuery: z.object({ sku: z.string().length(8) }) };",
  };
  const files_host = memorySourceHost(files);
  const text = files['/app/src/routes.ts'];
  const byPath = Object.fromEntries(detectRoutes('/app/src/routes.ts', text).map((r) => [r.path, requestNeeds('/app/src/routes.ts', text, r, files_host)]));
  assert.deepEqual(byPath, {
    '/things': { query: [q('kind', true, 'tool', 'handler')] },
    '/more': { query: [q('page', false, undefined, 'handler')] },
    '/thing': { query: [q('id', true, undefined, 'handler')] },
    '/items': { query: [q('sku', true, 'examplex', 'zod')] },
  });
});

test('requestNeeds: TypeBox Value.Check in a handler; one zod object for { query, body, params }', () => {
  const text = [
    "import express from 'express';",
    "import { Type } from '@sinclair/typebox';",
    "import { Value } from '@sinclair/typebox/value';",
    "import { z } from 'zod';",
    'const app = express();',
    "const Login = Type.Object({ user: Type.String({ format: 'email' }), remember: Type.Optional(Type.Boolean()) });",
    "app.post('/login', (req, res) => { if (!Value.Check(Login, req.body)) return res.status(400).end(); res.end(); });",
    "const Req = z.object({ params: z.object({ id: z.string() }), query: z.object({ fields: z.string().optional() }), body: z.object({ note: z.string().max(4) }) });",
    "app.patch('/notes/:id', validateRequest(Req), (req, res) => res.end());",
  ].join('\n');
  const got = detectRoutes('/t/app.ts', text).map((r) => [r.method, r.path, requestNeeds('/t/app.ts', text, r)]);
  assert.deepEqual(got, [
    ['POST', '/login', { query: [], body: body({ user: 'user@example.com', remember: true }, true, 'typebox') }],
    ['PATCH', '/notes/:id', { query: [q('fields', false, 'example', 'zod')], body: body({ note: 'exam' }, true, 'zod') }],
  ]);
});

test('requestNeeds: chained routes pick the call of their own method and path', () => {
  const text = [
    "import express from 'express';",
    'const app = express();',
    "app.route('/book').get((req, res) => res.json(req.query.isbn)).post((req, res) => res.json(req.body.title));",
    "app.get('/a', (req, res) => res.send(req.query.a)).get('/b', (req, res) => res.send(req.query.b));",
  ].join('\n');
  const got = detectRoutes('/x/app.ts', text).map((r) => [r.method, r.path, requestNeeds('/x/app.ts', text, r)]);
  assert.deepEqual(got, [
    ['GET', '/book', { query: [q('isbn', false, undefined, 'handler')] }],
    ['POST', '/book', { query: [], body: body({ title: 'example' }, true, 'handler') }],
    ['GET', '/a', { query: [q('a', false, undefined, 'handler')] }],
    ['GET', '/b', { query: [q('b', false, undefined, 'handler')] }],
  ]);
});

test('requestNeeds: a position with no route, broken files and odd input never throw', () => {
  const text = "import express from 'express';\nconst app = express();\napp.get('/x', (req, res) => res.send(req.query.x));\n";
  assert.deepEqual(requestNeeds('/x.ts', text, { line: 0, character: 0, method: 'GET', path: '/x' }), { query: [] });
  assert.deepEqual(requestNeeds('/x.ts', text, { line: 99, character: 3, method: 'GET', path: '/x' }), { query: [] });
  assert.deepEqual(requestNeeds('/x.ts', text, { line: -1, character: Number.NaN, method: 'GET', path: '/x' }), { query: [] });
  assert.deepEqual(requestNeeds('/x.ts', text, { line: 2, character: 0, method: 'GET', path: '/x' }), { query: [q('x', false, undefined, 'handler')] });
  const throwing = { readFile: () => { throw new Error('disk on fire'); }, readDirectory: () => [] };
  assert.deepEqual(requestNeeds(join(fixtures, 'fastify.ts'), fixtureFiles[join(fixtures, 'fastify.ts').replace(/\\/g, '/')], { line: 43, character: 0, method: 'GET', path: '/orders' }, throwing), { query: [] });

  const broken = needsOf(join(fixtures, 'broken.js'));
  assert.deepEqual(Object.keys(broken).sort(), ['GET /broken', 'GET /self', 'POST /half']);
  assert.deepEqual(broken['GET /self'], { query: [] });

  // Self-referencing consts and cyclic imports end.
  const cyclic = memorySourceHost({
    '/c/a.ts': "import { B } from './b';\nexport const A = B;",
    '/c/b.ts': "import { A } from './a';\nexport const B = A;",
  });
  const loop = "import { A } from './a';\nconst S = S;\napp.get('/a', { schema: { querystring: A } }, h);\napp.get('/s', { schema: S }, h);\n";
  for (const route of detectRoutes('/c/app.ts', loop)) assert.deepEqual(requestNeeds('/c/app.ts', loop, route, cyclic), { query: [] });
});

test('requestNeeds: never throws on truncated or mangled fixtures', () => {
  const sources = [...Object.entries(fixtureFiles), ...readdirSync(demoRoutes).map((n) => [join(demoRoutes, n), readFileSync(join(demoRoutes, n), 'utf8')] as const)];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: sources.length - 1 }), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }), (index, cutA, cutB, junk) => {
      const [path, full] = sources[index];
      const a = cutA % (full.length + 1);
      const b = a + (cutB % (full.length - a + 1));
      const text = full.slice(0, a) + junk + full.slice(b);
      for (const route of detectRoutes(path, text)) {
        const needs = requestNeeds(path, text, route, host);
        assert.ok(Array.isArray(needs.query));
      }
      requestNeeds(path, text, { line: a % 40, character: b % 10, method: 'GET', path: '/' }, host);
    }),
    { numRuns: 150 },
  );
});

test('formatQuery: encoded, in order, empty when nothing is given', () => {
  assert.equal(formatQuery({ q: 'gift' }), '?q=gift');
  assert.equal(formatQuery({ q: 'gift card', limit: '20' }), '?q=gift%20card&limit=20');
  assert.equal(formatQuery({ 'a&b': 'x=y?z', emoji: 'é' }), '?a%26b=x%3Dy%3Fz&emoji=%C3%A9');
  assert.equal(formatQuery({ empty: '' }), '?empty=');
  assert.equal(formatQuery({}), '');
});
