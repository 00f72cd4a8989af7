import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockText, endedText, formatStallMs, nowLine, relativePath, stallText, statusLine } from '../../webview/vitals/vitalsText';
import { liveBlock, sample } from './vitalsUiFixtures';

const roots = ['/work/app'];

test('the stall banner names the function and its line, relative to the workspace', () => {
  const where = liveBlock('/work/app/src/x.ts', 5, 0, 0, { function: 'spin' });
  assert.equal(stallText({ sinceWallMs: 0, ms: 12_300, where, over: false }, roots), 'The service has not answered for 12 s — blocked in spin (src/x.ts:5)');
  assert.equal(stallText({ sinceWallMs: 0, ms: 2_000, over: false }, roots), 'The service has not answered for 2 s — its event loop is blocked; where is not known yet.');
  assert.equal(
    stallText({ sinceWallMs: 0, ms: 3_000, where: liveBlock('/work/app/src/x.ts', 9, 0, 0, { function: 'hash', inside: 'pbkdf2Sync' }), over: false }, roots),
    'The service has not answered for 3 s — blocked in hash inside pbkdf2Sync (src/x.ts:9)',
  );
  assert.equal(formatStallMs(850), '850 ms');
});

test('paths outside the workspace stay whole; Windows separators are read', () => {
  assert.equal(relativePath('/elsewhere/x.ts', roots), '/elsewhere/x.ts');
  assert.equal(relativePath('C:\\w\\src\\a.ts', ['C:\\w']), 'src/a.ts');
  assert.equal(relativePath('/work/application/a.ts', roots), '/work/application/a.ts', 'a prefix is not a folder');
});

test('a block in the list: its length, function, line and endpoint; one not located says so', () => {
  assert.equal(blockText(liveBlock('/work/app/src/routes/block.ts', 13, 0, 212), roots), '212 ms · busyWait · src/routes/block.ts:13 · GET /block');
  assert.equal(blockText(liveBlock('', 0, 0, 1500, { located: false, source: 'none', endpoint: undefined }), roots), '1.5 s · not located (the loop turned again before the pause reached it)');
});

test('header and end lines', () => {
  assert.equal(statusLine({ target: 't', blockThresholdMs: 100, nameBlocks: true, status: { node: 'v20.20.2', missing: [], pauseCapture: true }, startedWallMs: 0, roots }), 'Node v20.20.2 · blocks ≥ 100 ms · blocks are named by pausing the thread through the inspector (about 1 ms per block)');
  assert.match(statusLine({ target: 't', blockThresholdMs: 50, nameBlocks: false, status: { node: 'v22.1.0', missing: [], pauseCapture: false }, startedWallMs: 0, roots }), /perflens\.vitals\.nameBlocks is off/);
  assert.equal(endedText('The target went away: node exited with code 1.'), 'The target went away: node exited with code 1. The charts keep what arrived until then; Export still saves it.');
  assert.equal(nowLine(sample(0, { p99: 12, elu: 0.34, cpu: 0.41, heapMb: 52 })), 'loop p99 12 ms · ELU 34 % · CPU 41 % · heap 52 MB · RSS 120 MB');
});
