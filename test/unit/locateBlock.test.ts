import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteHandlerSite } from '../../server/analysis/routeHandlerNames';
import { createSourceMapResolver } from '../../server/analysis/sourceMapResolver';
import { locateFrames, toLiveBlock } from '../../server/vitals/locateBlock';
import { block, frame, WALL0 } from './vitalsFixtures';

const busyWait = frame('file:///app/dist/routes/block.js', 12, 9, 'busyWait');
const handler = frame('file:///app/dist/routes/block.js', 20, 5, '');
const layer = frame('file:///app/node_modules/express/lib/router/layer.js', 95, 5, 'Layer.handle [as handle_request]');
const sites: RouteHandlerSite[] = [
  { file: '/app/dist/routes/block.js', line: 18, method: 'GET', path: '/block' },
  { file: '/app/dist/routes/block.js', line: 30, method: 'POST', path: '/hash' },
];

test('the first frame of the user own code is named; the stack is mapped, top first', () => {
  const place = locateFrames([busyWait, handler, layer]);
  assert.equal(place.function, 'busyWait');
  assert.equal(place.file, '/app/dist/routes/block.js');
  assert.equal(place.line, 12);
  assert.equal(place.column, 9);
  assert.equal(place.located, true);
  assert.equal(place.origin, 'own');
  assert.equal(place.inside, undefined);
  assert.deepEqual(place.stack.map((l) => l.origin), ['own', 'own', 'dependency']);
});

test("inside Node's own or native code: the user's frame that called it is named, and inside is the Node function it called", () => {
  const stack = [
    frame('', 0, 0, 'pbkdf2Sync'),
    frame('node:internal/crypto/pbkdf2', 58, 38, 'pbkdf2Sync'),
    frame('file:///app/dist/auth.js', 9, 20, 'hashPassword'),
    frame('file:///app/dist/routes/block.js', 31, 3, ''),
  ];
  const place = locateFrames(stack, { routeHandlers: sites });
  assert.equal(place.function, 'hashPassword');
  assert.equal(place.file, '/app/dist/auth.js');
  assert.equal(place.line, 9);
  assert.equal(place.inside, 'pbkdf2Sync');
  assert.equal(place.endpoint, 'POST /hash', 'the handler lower on the stack');

  // A dependency between the user and Node: inside still names Node's function nearest the user.
  const wrapped = locateFrames([frame('node:fs', 440, 3, 'readFileSync'), frame('file:///app/node_modules/fs-extra/lib/index.js', 7, 1, 'readJson'), frame('file:///app/dist/config.js', 4, 10, 'loadConfig')]);
  assert.equal(wrapped.function, 'loadConfig');
  assert.equal(wrapped.inside, 'readFileSync');
});

test('only dependency and Node frames: the first dependency frame; only Node frames: the first frame', () => {
  const dep = locateFrames([frame('node:internal/buffer', 100, 1, 'from'), frame('file:///app/node_modules/body-parser/lib/read.js', 80, 3, 'read'), layer]);
  assert.equal(dep.function, 'read');
  assert.equal(dep.origin, 'dependency');
  assert.equal(dep.inside, 'from');
  assert.equal(dep.endpoint, undefined);

  const node = locateFrames([frame('node:internal/timers', 512, 7, 'listOnTimeout'), frame('node:internal/timers', 400, 5, 'processTimers')]);
  assert.equal(node.function, 'listOnTimeout');
  assert.equal(node.file, 'node:internal/timers');
  assert.equal(node.origin, 'node');
  assert.equal(node.located, true);
});

test('no frames: not located', () => {
  assert.deepEqual(locateFrames([]), { function: '(unknown)', file: '', line: 0, column: 0, located: false, stack: [] });
});

test('an anonymous route handler is named by its route; a frame is in the handler whose start is the nearest at or before it', () => {
  const place = locateFrames([handler, layer], { routeHandlers: sites });
  assert.equal(place.function, 'GET /block', 'line 20 is in the handler starting at 18');
  assert.equal(place.endpoint, 'GET /block');

  const named = locateFrames([busyWait, handler], { routeHandlers: sites });
  assert.equal(named.function, 'busyWait', 'a named function keeps its name');
  assert.equal(named.endpoint, 'GET /block', 'the handler frame below sets the endpoint');

  assert.equal(locateFrames([frame('file:///app/dist/routes/block.js', 31, 3, '')], { routeHandlers: sites }).function, 'POST /hash', 'after the second start: the second handler');
  const before = locateFrames([frame('file:///app/dist/routes/block.js', 5, 3, '')], { routeHandlers: sites });
  assert.equal(before.function, '(anonymous)', 'before any handler of the file');
  assert.equal(before.endpoint, undefined);
  assert.equal(locateFrames([frame('file:///app/dist/other.js', 20, 3, '')], { routeHandlers: sites }).endpoint, undefined, 'another file');
});

test('the handler sites are matched against the mapped (TypeScript) position', () => {
  // Generated line 20 (0-based 19) of block.js comes from src/routes/block.ts line 12 (0-based 11).
  const mappings: Array<Array<[number, number, number, number]>> = Array.from({ length: 20 }, () => []);
  mappings[19] = [[0, 0, 11, 2]];
  const map = { version: 3 as const, sources: ['../../src/routes/block.ts'], names: [], mappings };
  const resolver = createSourceMapResolver((url) => (url === handler.url ? { map, mapUrl: 'file:///app/dist/routes/block.js.map' } : undefined));
  const tsSites: RouteHandlerSite[] = [{ file: '/app/src/routes/block.ts', line: 10, method: 'GET', path: '/block' }];
  const place = locateFrames([handler], { resolver, routeHandlers: tsSites });
  assert.equal(place.file, '/app/src/routes/block.ts');
  assert.equal(place.line, 12);
  assert.equal(place.column, 3);
  assert.equal(place.function, 'GET /block');
  assert.equal(place.stack[0].mapped, true);
});

test('toLiveBlock: the block with its place; not located keeps source none', () => {
  const live = toLiveBlock(block(5000, 212, [busyWait, handler]), { routeHandlers: sites });
  assert.deepEqual(live, { endWallMs: WALL0 + 5000, ms: 212, function: 'busyWait', file: '/app/dist/routes/block.js', line: 12, column: 9, located: true, source: 'pause', endpoint: 'GET /block' });
  const none = toLiveBlock(block(6000, 150));
  assert.equal(none.located, false);
  assert.equal(none.source, 'none');
  assert.equal(none.function, '(unknown)');
});

test("a pause that landed at once found the user's loop running: the Node call on top is not where it was stuck; one that landed late names it", () => {
  const frames = [frame('node:internal/errors', 540, 3, 'wrappedFn'), frame('node:internal/perf/performance', 138, 7, 'now'), frame('file:///app/spin.js', 4, 9, 'spin')];
  const landed = (pauseLatencyMs: number) => toLiveBlock({ endMs: 1, endWallMs: WALL0, endUs: 1, ms: 250, location: { source: 'pause', frames, pauseLatencyMs } });
  const atOnce = landed(2);
  assert.equal(atOnce.function, 'spin');
  assert.equal(atOnce.inside, undefined);
  const late = landed(240);
  assert.equal(late.function, 'spin');
  assert.equal(late.inside, 'now');
  assert.equal(locateFrames(frames).inside, 'now', 'frames alone (a profile): the Node function named');
});
