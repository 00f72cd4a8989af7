// Workspace routes (server/routes/workspaceRoutes.ts): full paths resolved across files, per
// framework, on multi-file fixtures (test/fixtures/routes/workspaces/<case>/) and in-memory cases
// for what must degrade gracefully (computed prefixes, cycles, huge folders) and for the index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { findWorkspaceRoutes, WorkspaceRouteIndex, type WorkspaceRoute } from '../../server/routes/workspaceRoutes';
import { memorySourceHost, type SourceHost } from '../../server/routes/sourceHost';
import { fsSourceHost } from '../../server/workspace/fsSourceHost';

const workspaces = join(__dirname, '..', 'fixtures', 'routes', 'workspaces').split('\\').join('/');
const demo = join(__dirname, '..', '..', 'demo', 'src').split('\\').join('/');

/** 'METHOD /full/path file:line' (1-based line, file relative to the folder), '?' when a prefix is unknown. */
function rows(routes: WorkspaceRoute[], folder: string): string[] {
  return routes.map((r) => `${r.method} ${r.path} ${r.file.slice(folder.length + 1)}:${r.line + 1}${r.prefixUnknown ? ' ?' : ''}`).sort();
}

function fixture(name: string): string[] {
  const folder = `${workspaces}/${name}`;
  return rows(findWorkspaceRoutes(fsSourceHost(), folder), folder);
}

test('Express: router factories, require(), index re-exports, nested routers, a router mounted twice, a router handed to a function', () => {
  assert.deepEqual(fixture('express'), [
    'GET /api/admin/stats src/routes/admin.ts:5',
    'GET /api/users src/routes/users.ts:7',
    'GET /api/users/:id src/routes/users.ts:10',
    'GET /health src/routes/health.ts:5',
    'GET /loop src/routes/loop.ts:6 ?',
    'GET /mirror/stats src/routes/admin.ts:5',
    'GET /things src/routes/computed.ts:5 ?',
    'GET /v1/items src/routes/legacy.js:5',
    'GET /v2/ping src/routes/v2.ts:5',
    'POST /api/admin/ src/routes/admin.ts:6',
    'POST /mirror/ src/routes/admin.ts:6',
  ]);
});

test("Express: express-generator's layout (CommonJS, app.use('/users', require'd router)) gives GET /users/", () => {
  assert.deepEqual(fixture('express-generator'), ['GET / routes/index.js:5', 'GET /users/ routes/users.js:5']);
});

test('Express: the route keeps its local path, handler name and the parameters of the full path', () => {
  const folder = `${workspaces}/express`;
  const routes = findWorkspaceRoutes(fsSourceHost(), folder);
  const list = routes.find((r) => r.path === '/api/users');
  assert.deepEqual(
    { localPath: list?.localPath, handlerName: list?.handlerName, framework: list?.framework, character: list?.character },
    { localPath: '/users', handlerName: 'listUsers', framework: 'express', character: 2 },
  );
  assert.deepEqual(routes.find((r) => r.path === '/api/users/:id')?.params, ['id']);
});

test("Fastify: fastify-cli's TypeScript template with @fastify/autoload (folders as prefixes, index files, routeParams, options.prefix)", () => {
  assert.deepEqual(fixture('fastify-cli'), [
    'DELETE /api/users/:id/ src/api/users/_id/index.ts:8',
    'GET / src/routes/root.ts:5',
    'GET /api/users/ src/api/users/list.ts:5',
    'GET /api/users/:id/ src/api/users/_id/index.ts:5',
    'GET /example/ src/routes/example/index.ts:5',
    // A fastify-plugin wrapped plugin: no encapsulation, so no folder prefix; it lives in the app.
    'GET /support src/plugins/support.ts:15',
  ]);
});

test('Fastify: register(import()), an imported plugin with a prefix, nested registers, require(), fastify-plugin', () => {
  assert.deepEqual(fixture('fastify-register'), [
    'GET /health/ src/routes/health.ts:5',
    'GET /legacy/items src/routes/legacy.js:4',
    'GET /users/ src/plugins/users.ts:6',
    'GET /users/:id src/plugins/users.ts:9',
    'GET /users/:id/orders/ src/plugins/orders.ts:5',
    'GET /v2/metrics src/plugins/metrics.ts:5',
    'GET /v2/people/ src/plugins/users.ts:6',
    'GET /v2/people/:id src/plugins/users.ts:9',
    'GET /v2/people/:id/orders/ src/plugins/orders.ts:5',
  ]);
});

test('NestJS: global prefix (from a constant in another file) with exclude, URI versioning, RouterModule paths', () => {
  assert.deepEqual(fixture('nest'), [
    'GET /api/admin/dashboard src/admin/dashboard.controller.ts:6',
    'GET /api/v1/cats src/cats/cats.controller.ts:6',
    'GET /api/v2/cats/:id src/cats/cats.controller.ts:11',
    'GET /health src/health/health.controller.ts:6',
    'GET /v1/cats/legacy src/cats/cats.controller.ts:22',
    'POST /api/v1/cats src/cats/cats.controller.ts:17',
  ]);
});

test('Koa: router.use(prefix, other.routes()), new Router({ prefix }) in another file, app.use(router.routes())', () => {
  assert.deepEqual(fixture('koa'), ['GET /api/admin/stats src/routes/admin.ts:5', 'GET /api/v1/users src/routes/users.ts:6', 'GET /api/v1/users/:id src/routes/users.ts:9']);
});

test('Hono: app.route(prefix, sub) with sub imported, basePath on both sides', () => {
  assert.deepEqual(fixture('hono'), [
    'GET /api src/index.ts:10',
    'GET /api/authors/people/:name src/routes/authors.ts:5',
    'GET /api/books src/routes/books.ts:5',
    'GET /api/books/:id src/routes/books.ts:6',
    'POST /api/books src/routes/books.ts:7',
  ]);
});

test('the demo service: every route, app.use(factory()) without a prefix', () => {
  assert.deepEqual(rows(findWorkspaceRoutes(fsSourceHost(), demo), demo), [
    'GET /block routes/block.ts:17',
    'GET /customers/:customerId/orders routes/orders.ts:25',
    'GET /health routes/health.ts:7',
    'GET /leak routes/leak.ts:24',
    'GET /orders/:orderId/invoice routes/invoice.ts:32',
    'GET /report routes/report.ts:14',
    'GET /reports/daily routes/dailyReport.ts:30',
    'GET /search routes/search.ts:11',
  ]);
});

const EXPRESS_ROUTER = (path: string) => `import { Router } from 'express';\nconst r = Router();\nr.get('${path}', (req, res) => res.end());\nexport default r;\n`;

test('tsconfig paths, export *, named CommonJS exports and destructured require are followed', () => {
  const host = memorySourceHost({
    '/w/tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "@routes/*": ["src/routes/*"] } } }',
    '/w/src/app.ts': "import express from 'express';\nimport { orders } from '@routes/all';\nconst { items } = require('./routes/cjs');\nconst app = express();\napp.use('/orders', orders);\napp.use('/items', items);\n",
    '/w/src/routes/all.ts': "export * from './orders';\n",
    '/w/src/routes/orders.ts': "import { Router } from 'express';\nexport const orders = Router();\norders.get('/:id', (req, res) => res.end());\n",
    '/w/src/routes/cjs.js': "const express = require('express');\nconst items = express.Router();\nitems.get('/', (req, res) => res.end());\nexports.items = items;\n",
  });
  assert.deepEqual(rows(findWorkspaceRoutes(host, '/w'), '/w'), ['GET /items/ src/routes/cjs.js:3', 'GET /orders/:id src/routes/orders.ts:3']);
});

test('a prefix imported from a constants file is known; one computed at run time is marked unknown, the route kept', () => {
  const host = memorySourceHost({
    '/w/app.ts': "import express from 'express';\nimport r from './r';\nimport s from './s';\nimport { API } from './constants';\nconst app = express();\napp.use(`${API}/v1`, r);\napp.use(process.env.PREFIX + '/x', s);\n",
    '/w/constants.ts': "export const API = '/api';\n",
    '/w/r.ts': EXPRESS_ROUTER('/a'),
    '/w/s.ts': EXPRESS_ROUTER('/b'),
  });
  const routes = findWorkspaceRoutes(host, '/w');
  assert.deepEqual(rows(routes, '/w'), ['GET /api/v1/a r.ts:3', 'GET /b s.ts:3 ?']);
  assert.equal(routes.find((r) => r.path === '/b')?.prefixUnknown, true);
  assert.equal(routes.find((r) => r.path === '/api/v1/a')?.prefixUnknown, undefined);
});

test('import cycles and routers mounted on each other end, with what is known', () => {
  const host = memorySourceHost({
    '/w/app.ts': "import express from 'express';\nimport a from './a';\nconst app = express();\napp.use('/top', a);\n",
    '/w/a.ts': "import { Router } from 'express';\nimport b from './b';\nconst a = Router();\na.get('/in-a', (req, res) => res.end());\na.use('/b', b);\nexport default a;\n",
    '/w/b.ts': "import { Router } from 'express';\nimport a from './a';\nconst b = Router();\nb.get('/in-b', (req, res) => res.end());\nb.use('/a', a);\nexport default b;\n",
    '/w/self.ts': "export { default } from './self';\nexport * from './self';\n",
  });
  assert.deepEqual(rows(findWorkspaceRoutes(host, '/w'), '/w'), ['GET /top/b/in-b b.ts:4', 'GET /top/in-a a.ts:4']);
});

test('node_modules, build output next to src, .d.ts and test files are not read; a huge folder is cut short and says so', () => {
  const files: Record<string, string> = {
    '/w/src/app.ts': "import express from 'express';\nconst app = express();\napp.get('/real', (req, res) => res.end());\n",
    '/w/dist/app.js': "const app = require('express')();\napp.get('/built', (req, res) => res.end());\n",
    '/w/node_modules/x/index.js': "const app = require('express')();\napp.get('/dep', (req, res) => res.end());\n",
    '/w/src/types.d.ts': "declare const app: any;\napp.get('/declared', (req, res) => res.end());\n",
    '/w/src/app.test.ts': "import express from 'express';\nconst app = express();\napp.get('/test', (req, res) => res.end());\n",
  };
  assert.deepEqual(rows(findWorkspaceRoutes(memorySourceHost(files), '/w'), '/w'), ['GET /real src/app.ts:3']);
  for (let i = 0; i < 50; i++) files[`/w/src/gen/f${String(i).padStart(2, '0')}.ts`] = EXPRESS_ROUTER(`/g${i}`);
  const index = new WorkspaceRouteIndex(memorySourceHost(files), '/w', { maxFiles: 20 });
  assert.equal(index.all().length <= 20, true);
  assert.equal(index.truncated, true);
});

test('WorkspaceRouteIndex: one file with full paths, unsaved text wins, invalidate re-reads a changed file', () => {
  const files: Record<string, string> = {
    '/w/app.ts': "import express from 'express';\nimport users from './users';\nconst app = express();\napp.use('/api', users);\n",
    '/w/users.ts': EXPRESS_ROUTER('/users'),
  };
  const host: SourceHost = { readFile: (p) => files[p], readDirectory: (d) => memorySourceHost(files).readDirectory(d) };
  const index = new WorkspaceRouteIndex(host, '/w');
  assert.deepEqual(index.routesOf('/w/users.ts').map((r) => r.path), ['/api/users']);
  // Unsaved text of the mounting file changes the prefix of the other file's routes.
  index.setText('/w/app.ts', files['/w/app.ts'].replace("'/api'", "'/v2'"));
  assert.deepEqual(index.routesOf('/w/users.ts').map((r) => r.path), ['/v2/users']);
  assert.deepEqual(index.routesOf('/w/users.ts', EXPRESS_ROUTER('/people')).map((r) => r.path), ['/v2/people']);
  // Lines added above the router move it: the mounts that point at it are worked out again.
  assert.deepEqual(index.routesOf('/w/users.ts', `// moved\n// down\n${EXPRESS_ROUTER('/people')}`).map((r) => `${r.path}:${r.line}`), ['/v2/people:4']);
  index.setText('/w/app.ts', undefined);
  index.setText('/w/users.ts', undefined);
  files['/w/users.ts'] = EXPRESS_ROUTER('/members');
  assert.deepEqual(index.routesOf('/w/users.ts').map((r) => r.path), ['/api/users'], 'cached until invalidated');
  index.invalidate('/w/users.ts');
  assert.deepEqual(index.routesOf('/w/users.ts').map((r) => r.path), ['/api/members']);
  // A new file appears.
  files['/w/more.ts'] = EXPRESS_ROUTER('/more');
  index.invalidate('/w/more.ts');
  assert.deepEqual(index.all().map((r) => r.path), ['/more', '/api/members']);
  // A file outside the folder is analysed on its own.
  assert.deepEqual(index.routesOf('/elsewhere/x.ts', EXPRESS_ROUTER('/alone')).map((r) => r.path), ['/alone']);
});

test('a broken file and an empty folder give what can be found, never an exception', () => {
  const host = memorySourceHost({ '/w/bad.ts': "import express from 'express';\nconst app = express();\napp.get('/ok', (req, res) => {\n  if (\n" });
  assert.deepEqual(rows(findWorkspaceRoutes(host, '/w'), '/w'), ['GET /ok bad.ts:3']);
  assert.deepEqual(findWorkspaceRoutes(memorySourceHost({}), '/nothing'), []);
});

test('WorkspaceRouteIndex: changes to build output and tests redo nothing; a file outside the folder that a mount reads is followed', () => {
  const files: Record<string, string> = {
    '/w/src/app.ts': "import express from 'express';\nimport local from './local';\nimport { PREFIX } from '../../shared/prefix';\nconst app = express();\napp.use(PREFIX, local);\n",
    '/w/src/local.ts': EXPRESS_ROUTER('/local'),
    '/shared/prefix.ts': "export const PREFIX = '/s';\n",
  };
  let reads = 0;
  const host: SourceHost = {
    readFile: (p) => {
      reads++;
      return files[p];
    },
    readDirectory: (d) => memorySourceHost(files).readDirectory(d),
  };
  const index = new WorkspaceRouteIndex(host, '/w');
  assert.deepEqual(index.all().map((r) => r.path), ['/s/local']);
  const before = reads;
  files['/w/dist/app.js'] = "require('express')().get('/built', (req, res) => res.end());\n";
  index.invalidate('/w/dist/app.js');
  files['/w/src/app.test.ts'] = EXPRESS_ROUTER('/t');
  index.invalidate('/w/src/app.test.ts');
  assert.deepEqual(index.all().map((r) => r.path), ['/s/local']);
  assert.equal(reads, before, 'nothing read again');
  files['/shared/prefix.ts'] = "export const PREFIX = '/shared';\n";
  index.invalidate('/shared/prefix.ts');
  assert.deepEqual(index.all().map((r) => r.path), ['/shared/local']);
});
