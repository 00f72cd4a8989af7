// Workspace routes on smaller patterns met in real services, in memory: apps handed to functions,
// ESM @fastify/autoload folders, autoPrefix, Nest default versions, arrays of routers, test folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findWorkspaceRoutes } from '../../server/routes/workspaceRoutes';
import { memorySourceHost } from '../../server/routes/sourceHost';

function paths(files: Record<string, string>): string[] {
  return findWorkspaceRoutes(memorySourceHost(files), '/w')
    .map((r) => `${r.method} ${r.path}${r.prefixUnknown ? ' ?' : ''}`)
    .sort();
}

test("Express: require('./routes')(app) and routes(router) declare on the app or router handed in", () => {
  assert.deepEqual(
    paths({
      '/w/server.js': "const express = require('express');\nconst app = express();\nrequire('./routes')(app);\nconst api = express.Router();\nconst mountApi = require('./api');\nmountApi(api);\napp.use('/api', api);\napp.listen(3000);\n",
      '/w/routes/index.js': "module.exports = function (app) {\n  app.get('/home', (req, res) => res.end());\n};\n",
      '/w/api.js': "module.exports = (router) => {\n  router.get('/things/:id', (req, res) => res.end());\n};\n",
    }),
    ['GET /api/things/:id', 'GET /home'],
  );
});

test("Express: use('/api', [auth, router]) and use(['/a', '/b'], router)", () => {
  assert.deepEqual(
    paths({
      '/w/app.ts': "import express from 'express';\nimport r from './r';\nconst auth = (req, res, next) => next();\nconst app = express();\napp.use('/api', [auth, r]);\napp.use(['/a', '/b'], r);\n",
      '/w/r.ts': "import { Router } from 'express';\nconst r = Router();\nr.get('/x', (req, res) => res.end());\nexport default r;\n",
    }),
    ['GET /a/x', 'GET /api/x', 'GET /b/x'],
  );
});

test('Fastify: ESM autoload (import.meta.dirname, new URL(…, import.meta.url)), dirNameRoutePrefix: false, ignorePattern, autoPrefix', () => {
  assert.deepEqual(
    paths({
      '/w/src/app.mjs': [
        "import AutoLoad from '@fastify/autoload';",
        "import { join } from 'node:path';",
        "import { fileURLToPath } from 'node:url';",
        'export default async function (fastify, opts) {',
        "  fastify.register(AutoLoad, { dir: join(import.meta.dirname, 'routes'), ignorePattern: /skip/ });",
        "  fastify.register(AutoLoad, { dir: fileURLToPath(new URL('./flat', import.meta.url)), dirNameRoutePrefix: false });",
        '}',
      ].join('\n'),
      '/w/src/routes/users/index.mjs': "export const autoPrefix = '/people';\nexport default async function (fastify) {\n  fastify.get('/', async () => []);\n}\n",
      '/w/src/routes/skip-me.mjs': "export default async function (fastify) {\n  fastify.get('/skipped', async () => []);\n}\n",
      '/w/src/flat/deep/orders.mjs': "export default async function (fastify) {\n  fastify.get('/orders', async () => []);\n}\n",
    }),
    // skip-me.mjs is not loaded, and nothing else registers it: listed with the path its file gives.
    ['GET /orders', 'GET /skipped', 'GET /users/people/'],
  );
});

test('Fastify: a computed autoload prefix keeps the routes, marked', () => {
  assert.deepEqual(
    paths({
      '/w/app.js': "const AutoLoad = require('@fastify/autoload');\nconst path = require('path');\nmodule.exports = async (fastify, opts) => {\n  fastify.register(AutoLoad, { dir: path.join(__dirname, 'routes'), options: { prefix: opts.prefix } });\n};\n",
      '/w/routes/items.js': "module.exports = async (fastify) => {\n  fastify.get('/items', async () => []);\n};\n",
    }),
    ['GET /items ?'],
  );
});

test('NestJS: defaultVersion, VERSION_NEUTRAL, no global prefix', () => {
  assert.deepEqual(
    paths({
      '/w/main.ts': "import { NestFactory } from '@nestjs/core';\nimport { VersioningType } from '@nestjs/common';\nasync function boot() {\n  const app = await NestFactory.create(AppModule);\n  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });\n}\n",
      '/w/things.controller.ts': "import { Controller, Get, Version, VERSION_NEUTRAL } from '@nestjs/common';\n@Controller('things')\nexport class ThingsController {\n  @Get()\n  list() {}\n  @Get('ping')\n  @Version(VERSION_NEUTRAL)\n  ping() {}\n  @Get(':id')\n  @Version(['2', '3'])\n  one() {}\n}\n",
    }),
    ['GET /things/ping', 'GET /v1/things', 'GET /v2/things/:id', 'GET /v3/things/:id'],
  );
});

test('apps in test folders and *.e2e-spec files are not the service', () => {
  assert.deepEqual(
    paths({
      '/w/src/main.ts': "import express from 'express';\nconst app = express();\napp.get('/real', (req, res) => res.end());\n",
      '/w/test/helper.ts': "import express from 'express';\nconst app = express();\napp.get('/helper', (req, res) => res.end());\n",
      '/w/src/app.e2e-spec.ts': "import express from 'express';\nconst app = express();\napp.get('/spec', (req, res) => res.end());\n",
    }),
    ['GET /real'],
  );
});

test('a router mounted nowhere the analysis can see, or a receiver of unknown origin, is listed with its own path, marked; an app is a root', () => {
  assert.deepEqual(
    paths({
      '/w/app.ts': "import express from 'express';\nconst app = express();\napp.get('/root', (req, res) => res.end());\n",
      '/w/orphan.ts': "import { Router } from 'express';\nexport const orphan = Router();\norphan.get('/orphan', (req, res) => res.end());\n",
      '/w/koa.ts': "import Router from '@koa/router';\nconst r = new Router({ prefix: '/k' });\nr.get('/x', (ctx) => {});\nexport default r;\n",
      '/w/destructured.ts': "export default ({ router }) => {\n  router.get('/d', (req, res) => res.end());\n};\n",
    }),
    ['GET /d ?', 'GET /k/x ?', 'GET /orphan ?', 'GET /root'],
  );
});

test('Express in classes: this.app / this.router set in a constructor, use(controller.path, controller.router)', () => {
  assert.deepEqual(
    paths({
      '/w/app.ts': [
        "import express from 'express';",
        "import { UsersController } from './users.controller';",
        'class App {',
        '  public app = express();',
        '  constructor() {',
        '    const users = new UsersController();',
        '    this.app.use(users.path, users.router);',
        "    this.app.use('/v1', new UsersController().router);",
        '  }',
        '}',
        'export default new App().app;',
      ].join('\n'),
      '/w/users.controller.ts': [
        "import { Router } from 'express';",
        'export class UsersController {',
        "  public path = '/users';",
        '  public router: Router;',
        '  constructor() {',
        '    this.router = Router();',
        "    this.router.get('/', this.list);",
        "    this.router.get('/:id', this.show);",
        '  }',
        '  list = (req, res) => res.json([]);',
        '  show = (req, res) => res.json({});',
        '}',
      ].join('\n'),
    }),
    ['GET /users/', 'GET /users/:id', 'GET /v1/', 'GET /v1/:id'],
  );
});

test("a '/' route under a prefix is joined the same whether the prefix is in its file or another (Fastify: '/v1/'; Koa: '/k')", () => {
  assert.deepEqual(
    paths({
      '/w/server.ts': "import Fastify from 'fastify';\nimport other from './other';\nconst app = Fastify();\napp.register(async (v1) => {\n  v1.get('/', async () => 'inline');\n}, { prefix: '/v1' });\napp.register(other, { prefix: '/v2' });\n",
      '/w/other.ts': "export default async function (f) {\n  f.get('/', async () => 'other');\n}\n",
      '/w/koa.ts': "import Koa from 'koa';\nimport Router from '@koa/router';\nconst app = new Koa();\nconst r = new Router({ prefix: '/k' });\nr.get('/', (ctx) => {});\napp.use(r.routes());\n",
    }),
    ['GET /k', 'GET /v1/', 'GET /v2/'],
  );
});

test('route paths and Nest controller paths that are constants from other files', () => {
  assert.deepEqual(
    paths({
      '/w/paths.ts': "export const PATHS = { users: '/users', byId: '/users/:id' } as const;\nexport const CATS = 'cats';\n",
      '/w/app.ts': "import express from 'express';\nimport { PATHS } from './paths';\nconst app = express();\napp.get(PATHS.users, (req, res) => res.end());\napp.get([PATHS.byId], (req, res) => res.end());\n",
      '/w/cats.controller.ts': "import { Controller, Get } from '@nestjs/common';\nimport { CATS } from './paths';\n@Controller(CATS)\nexport class CatsController {\n  @Get()\n  list() {}\n}\n",
    }),
    ['GET /cats', 'GET /users', 'GET /users/:id'],
  );
});

test("tsconfig paths from the config it extends; Nest RouterModule children", () => {
  assert.deepEqual(
    paths({
      '/w/tsconfig.base.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "~/*": ["src/*"] } } }',
      '/w/tsconfig.json': '{ "extends": "./tsconfig.base", "compilerOptions": { "strict": true } }',
      '/w/src/app.ts': "import express from 'express';\nimport r from '~/r';\nconst app = express();\napp.use('/aliased', r);\n",
      '/w/src/r.ts': "import { Router } from 'express';\nconst r = Router();\nr.get('/x', (req, res) => res.end());\nexport default r;\n",
      '/w/src/app.module.ts': [
        "import { Module, Controller, Get } from '@nestjs/common';",
        "import { RouterModule } from '@nestjs/core';",
        "@Controller('orders') class OrdersController { @Get() list() {} }",
        "@Controller('stats') class StatsController { @Get() show() {} }",
        '@Module({ controllers: [OrdersController] }) class OrdersModule {}',
        '@Module({ controllers: [StatsController] }) class StatsModule {}',
        "@Module({ imports: [RouterModule.register([{ path: 'shop', module: OrdersModule, children: [{ path: 'admin', module: StatsModule }] }])] })",
        'export class AppModule {}',
      ].join('\n'),
    }),
    ['GET /aliased/x', 'GET /shop/admin/stats', 'GET /shop/orders'],
  );
});
