// Whatever a workspace holds, the route analysis ends and does not throw: random files assembled
// from the pieces real services mount routers with (imports, exports, use/register/route, cycles).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findWorkspaceRoutes } from '../../server/routes/workspaceRoutes';
import { memorySourceHost } from '../../server/routes/sourceHost';

const names = ['a', 'b', 'c', 'index'];
const name = fc.constantFrom(...names);
const path = fc.constantFrom("'/x'", "'/'", "'/:id'", '`${P}/y`', 'P', 'process.env.X', "['/m', '/n']");
const statement = fc.oneof(
  name.map((n) => `import ${n}Mod from './${n}';`),
  name.map((n) => `const ${n}Req = require('./${n}.js');`),
  fc.constant("import express, { Router } from 'express';"),
  fc.constant("import Fastify from 'fastify';"),
  fc.constant('const r = Router();'),
  fc.constant('const app = express();'),
  fc.constant('const f = Fastify();'),
  fc.tuple(path, name).map(([p, n]) => `app.use(${p}, ${n}Mod);`),
  fc.tuple(path, name).map(([p, n]) => `r.use(${p}, ${n}Req, r);`),
  fc.tuple(path, name).map(([p, n]) => `f.register(${n}Mod, { prefix: ${p} });`),
  fc.tuple(path, name).map(([p, n]) => `f.register(import('./${n}'), { prefix: ${p} });`),
  path.map((p) => `r.get(${p}, (req, res) => res.end());`),
  path.map((p) => `export default async function (fastify) { fastify.get(${p}, async () => 1); }`),
  name.map((n) => `${n}Mod(app);`),
  name.map((n) => `export * from './${n}';`),
  name.map((n) => `export { default } from './${n}';`),
  fc.constant('module.exports = r;'),
  fc.constant('export default r;'),
  fc.constant("const P = '/p';"),
  fc.constant('if ('),
);
const file = fc.array(statement, { maxLength: 8 }).map((lines) => lines.join('\n'));

test('random workspaces: no exception, every route has a path', () => {
  let found = 0;
  fc.assert(
    fc.property(fc.tuple(file, file, file, file), (texts) => {
      const files = Object.fromEntries(texts.map((text, i) => [`/w/${names[i]}.ts`, text]));
      const routes = findWorkspaceRoutes(memorySourceHost(files), '/w');
      for (const route of routes) assert.match(route.path, /^[/*]/);
      found += routes.length;
    }),
    { numRuns: 200 },
  );
  assert.ok(found > 0, 'some runs have routes');
});
