import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteHandlerSite } from '../../server/analysis/routeHandlerNames';
import { groupBlocks, groupOrigin } from '../../server/vitals/groupBlocks';
import { block, frame, WALL0 } from './vitalsFixtures';

const busyWait = (column = 9) => frame('file:///app/dist/routes/block.js', 12, column, 'busyWait');
const handler = frame('file:///app/dist/routes/block.js', 20, 5, '');
const parse = frame('file:///app/dist/parse.js', 3, 1, 'parseBig');
const sites: RouteHandlerSite[] = [{ file: '/app/dist/routes/block.js', line: 18, method: 'GET', path: '/block' }];

test('blocks at one function and line make a group: median, max, total, count, ends oldest first', () => {
  const blocks = [block(4000, 300, [busyWait(), handler]), block(1000, 100, [busyWait(), handler]), block(2000, 200, [busyWait(7)], 'profile'), block(3000, 900, [parse])];
  const groups = groupBlocks(blocks, { routeHandlers: sites });
  assert.equal(groups.length, 2);
  const [first, second] = groups;
  assert.equal(first.function, 'parseBig', 'the longest total first: 900 ms against 600 ms');
  assert.equal(second.function, 'busyWait');
  assert.equal(second.count, 3);
  assert.equal(second.ms, 200, 'the median');
  assert.equal(second.maxMs, 300);
  assert.equal(second.totalMs, 600);
  assert.deepEqual(second.atWallMs, [WALL0 + 1000, WALL0 + 2000, WALL0 + 4000]);
  assert.deepEqual(second.sources, ['pause', 'profile'], 'the most frequent first');
  assert.equal(second.endpoint, 'GET /block');
  assert.equal(second.located, true);
  assert.equal(second.column, 9, 'of the most recent block');
  assert.equal(second.stack.length, 2, 'the most recent block stack');
  assert.equal(groupOrigin(second), 'own');
});

test('an even count: the median is the mean of the two middle lengths', () => {
  const groups = groupBlocks([block(1000, 100, [parse]), block(2000, 150, [parse]), block(3000, 250, [parse]), block(4000, 1000, [parse])]);
  assert.equal(groups[0].ms, 200);
});

test('blocks not located make one group, (unknown), not located', () => {
  const groups = groupBlocks([block(1000, 500), block(2000, 700), block(3000, 150, [parse])]);
  assert.equal(groups[0].function, '(unknown)');
  assert.equal(groups[0].file, '');
  assert.equal(groups[0].line, 0);
  assert.equal(groups[0].located, false);
  assert.deepEqual(groups[0].sources, []);
  assert.equal(groups[0].count, 2);
  assert.equal(groupOrigin(groups[0]), undefined);
  assert.equal(groups[1].function, 'parseBig');
});

test('the same line called into Node keeps inside; equal totals: the most blocks first', () => {
  const hash = [frame('node:internal/crypto/pbkdf2', 58, 38, 'pbkdf2Sync'), frame('file:///app/dist/auth.js', 9, 20, 'hashPassword')];
  const groups = groupBlocks([block(1000, 200, hash), block(2000, 200, hash), block(3000, 400, [parse])]);
  assert.equal(groups[0].function, 'hashPassword');
  assert.equal(groups[0].inside, 'pbkdf2Sync');
  assert.equal(groups[0].count, 2);
  assert.equal(groupBlocks([]).length, 0);
});
