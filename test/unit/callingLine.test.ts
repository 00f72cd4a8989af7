import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSourceMapResolver } from '../../server/analysis/sourceMapResolver';
import type { StackFrame } from '../../server/queries/captureTypes';
import { callingLine } from '../../server/queries/callingLine';

const frame = (url: string, line: number, column: number, functionName = '', async = false): StackFrame => ({ url, line, column, functionName, ...(async ? { async } : {}) });

const pgQuery = frame('file:///app/node_modules/pg/lib/client.js', 527, 12, 'Client.query');
const pgPool = frame('file:///app/node_modules/pg-pool/index.js', 418, 7, 'BoundPool.query');
const internal = frame('node:internal/process/task_queues', 95, 5, 'process.processTicksAndRejections');

test('the first frame of the service own code is the calling line; node: and pg frames are passed over', () => {
  const found = callingLine([pgPool, internal, frame('file:///app/dist/routes/orders.js', 14, 27, 'getOrders'), frame('/app/dist/server.js', 3, 1, 'main')]);
  assert.deepEqual(found?.site, { file: '/app/dist/routes/orders.js', line: 14, column: 27, functionName: 'getOrders', mapped: false, origin: 'own' });
  assert.equal(found?.stack.length, 4, 'the whole stack, top first');
  assert.deepEqual(found?.stack.map((l) => l.origin), ['dependency', 'node', 'own', 'own']);
  assert.equal(found?.stack[0].package, 'pg-pool');
  assert.equal(found?.stack[3].file, '/app/dist/server.js', 'a plain path is a file too');
});

test('frames with no file (natives, eval) are not the calling line', () => {
  const found = callingLine([frame('', 0, 0, 'Array.map'), frame('evalmachine.<anonymous>', 1, 1), frame('file:///app/src/a.js', 5, 3, 'load')]);
  assert.equal(found?.site.file, '/app/src/a.js');
  assert.equal(found?.site.line, 5);
});

test('a query builder is node_modules: the line that called knex wins, across V8 async frames', () => {
  // What a knex query's stack looks like once its promise is awaited: knex's runner, then the
  // user's async frames.
  const frames = [
    pgQuery,
    frame('file:///app/node_modules/knex/lib/dialects/postgres/index.js', 224, 19, 'Client_PG._query'),
    frame('file:///app/node_modules/knex/lib/execution/runner.js', 149, 23, 'Runner.query'),
    internal,
    frame('file:///app/node_modules/knex/lib/execution/runner.js', 30, 19, 'async Runner.run', true),
    frame('file:///app/dist/routes/orders.js', 22, 20, 'async listItems', true),
    frame('file:///app/dist/routes/orders.js', 9, 5, 'async getOrders', true),
  ];
  const found = callingLine(frames);
  assert.equal(found?.site.file, '/app/dist/routes/orders.js');
  assert.equal(found?.site.line, 22);
  assert.equal(found?.site.functionName, 'async listItems');
  assert.equal(found?.site.origin, 'own');
});

test('kysely, drizzle and typeorm frames (scoped and nested installs) are passed over too', () => {
  for (const dep of ['kysely/dist/cjs/driver/runtime-driver.js', 'drizzle-orm/node-postgres/session.cjs', 'typeorm/driver/postgres/PostgresQueryRunner.js', '@mikro-orm/knex/node_modules/knex/lib/runner.js']) {
    const found = callingLine([pgQuery, frame(`file:///app/node_modules/${dep}`, 10, 2, 'run', true), frame('file:///app/dist/repo.js', 40, 9, 'async find', true)]);
    assert.equal(found?.site.file, '/app/dist/repo.js', dep);
  }
});

test('every frame in node_modules: the first one outside pg, as a dependency with its package', () => {
  const found = callingLine([
    pgQuery,
    frame('file:///app/node_modules/pg-pool/index.js', 45, 1, 'Pool.connect'),
    frame('file:///app/node_modules/connect-pg-simple/index.js', 300, 12, 'PGStore.query'),
    frame('file:///app/node_modules/express-session/index.js', 480, 11, 'store.get'),
  ]);
  assert.equal(found?.site.file, '/app/node_modules/connect-pg-simple/index.js');
  assert.equal(found?.site.origin, 'dependency');
  assert.equal(found?.site.package, 'connect-pg-simple');
});

test('only pg and Node frames: the first pg frame; an empty stack has none', () => {
  assert.equal(callingLine([internal, pgQuery])?.site.package, 'pg');
  assert.equal(callingLine([internal])?.site.origin, 'node');
  assert.equal(callingLine([]), undefined);
});

// A source map for /app/dist/routes/orders.js: generated line 14 (column 26, 0-based) comes from
// src/routes/orders.ts line 31 (0-based 30), column 12 (0-based 11); generated line 3 is from
// a file in node_modules (a bundled dependency).
const mappings: Array<Array<[number, number, number, number]>> = Array.from({ length: 14 }, () => []);
mappings[2] = [[0, 1, 99, 0]];
mappings[13] = [[0, 0, 29, 0], [26, 0, 30, 11]];
const map = { version: 3 as const, sources: ['../../src/routes/orders.ts', '../../node_modules/knex/lib/runner.js'], names: [], mappings };

test('the calling line is mapped to the TypeScript source (V8 columns are 1-based, the resolver wants 0-based)', () => {
  const resolver = createSourceMapResolver((url) => (url === 'file:///app/dist/routes/orders.js' ? { map, mapUrl: 'file:///app/dist/routes/orders.js.map' } : undefined));
  const found = callingLine([pgQuery, frame('file:///app/dist/routes/orders.js', 14, 27, 'getOrders')], resolver);
  assert.deepEqual(found?.site, { file: '/app/src/routes/orders.ts', line: 31, column: 12, functionName: 'getOrders', mapped: true, origin: 'own' });
  assert.equal(found?.stack[0].mapped, false, 'no map for pg: its JavaScript position');
});

test('a bundle frame that maps into node_modules is a dependency, and is passed over', () => {
  const resolver = createSourceMapResolver((url) => (url === 'file:///app/dist/routes/orders.js' ? { map, mapUrl: 'file:///app/dist/routes/orders.js.map' } : undefined));
  const found = callingLine([frame('file:///app/dist/routes/orders.js', 3, 5, 'Runner.query'), frame('file:///app/dist/routes/orders.js', 14, 27, 'getOrders', true)], resolver);
  assert.equal(found?.stack[0].origin, 'dependency');
  assert.equal(found?.stack[0].package, 'knex');
  assert.equal(found?.stack[0].file, '/app/node_modules/knex/lib/runner.js');
  assert.equal(found?.site.line, 31);
});
