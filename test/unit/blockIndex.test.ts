import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { BlockIndex, blockMessage, blockNote, weightedMedian } from '../../extension/vitals/blockIndex';
import { blockGroup, DEMO_BUSY_LINE, demoVitalsSection, liveBlock } from './vitalsUiFixtures';

const FILE = '/w/src/routes/block.ts';

test("a report's group: one note at its line, in the house style", () => {
  const index = new BlockIndex(demoVitalsSection('/w').blocks);
  const lines = index.linesIn(FILE);
  assert.equal(lines.length, 1, 'the group that was not located gets no note');
  assert.equal(lines[0].line, DEMO_BUSY_LINE);
  assert.equal(lines[0].note, '● blocked the event loop 212 ms · 14× · GET /block');
  assert.equal(lines[0].message, 'The event loop was blocked here 14 times (typically 212 ms, at most 480 ms, 3 s in all), in busyWait, during GET /block: nothing else in the service ran meanwhile.');
  assert.equal(index.size, 1);
});

test('one block: no "1×"; inside Node\'s own code it says where', () => {
  assert.equal(blockNote({ ms: 212, count: 1, endpoints: ['GET /block'] }), '● blocked the event loop 212 ms · GET /block');
  assert.equal(blockNote({ ms: 1234, count: 3, inside: 'pbkdf2Sync', endpoints: [] }), '● blocked the event loop 1.2 s in pbkdf2Sync · 3×');
  assert.equal(
    blockMessage({ ms: 300, maxMs: 300, totalMs: 300, count: 1, functions: ['hashPassword'], inside: 'pbkdf2Sync', endpoints: ['POST /login'] }),
    'The event loop was blocked here for 300 ms, inside pbkdf2Sync called from hashPassword, during POST /login: nothing else in the service ran meanwhile.',
  );
  assert.equal(blockNote({ ms: 150, count: 4, endpoints: ['GET /a', 'GET /b', 'GET /c', 'GET /d'] }), '● blocked the event loop 150 ms · 4× · GET /a, GET /b +2 more');
});

test('live blocks add to the line; the same block in the report and live counts once', () => {
  const group = blockGroup(FILE, 13, { count: 2, ms: 200, maxMs: 210, totalMs: 410, atWallMs: [1000, 2000] });
  const index = new BlockIndex([group], [liveBlock(FILE, 13, 2000, 210), liveBlock(FILE, 13, 5000, 600), liveBlock(FILE, 13, 6000, 650)]);
  const [line] = index.linesIn(FILE);
  assert.equal(line.count, 4);
  assert.equal(line.maxMs, 650);
  assert.equal(line.totalMs, 410 + 600 + 650);
  assert.equal(line.ms, 200, 'the median of 200, 200, 600, 650 (the lower middle)');
});

test('live blocks alone, on other lines and files; not located ones are left out', () => {
  const index = new BlockIndex([], [liveBlock(FILE, 13, 1, 120), liveBlock('/w/src/b.ts', 4, 2, 130, { source: 'profile' }), liveBlock('', 0, 3, 500, { located: false, source: 'none' })]);
  assert.deepEqual(index.all().map((l) => `${l.file}:${l.line}`).sort(), ['/w/src/b.ts:4', `${FILE}:13`]);
  assert.deepEqual(index.linesIn('/w/src/b.ts')[0].sources, ['profile']);
});

test('file: URLs and Windows paths name the same file', () => {
  const index = new BlockIndex([blockGroup(pathToFileURL(FILE).href, 13)]);
  assert.equal(index.linesIn(FILE).length, 1);
  const win = new BlockIndex([blockGroup('C:\\w\\a.ts', 2)]);
  assert.equal(win.linesIn('C:/w/a.ts').length, 1);
});

test('weighted median', () => {
  assert.equal(weightedMedian([{ ms: 10, count: 1 }, { ms: 100, count: 3 }]), 100);
  assert.equal(weightedMedian([{ ms: 10, count: 3 }, { ms: 100, count: 1 }]), 10);
  assert.equal(weightedMedian([]), 0);
});
