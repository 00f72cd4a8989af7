import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol } from 'devtools-protocol';
import { mergeCpuProfiles } from '../../server/analysis/mergeCpuProfiles';
import { buildProfileModel } from '../../server/analysis/profileModel';
import { locateFrames } from '../../server/vitals/locateBlock';
import { GC_FRAME, locateBlocksInProfile } from '../../server/vitals/profileBlocks';
import type { ObservedBlock } from '../../server/vitals/vitalsTypes';
import { frame } from './vitalsFixtures';

type Node = Protocol.Profiler.ProfileNode;
const call = (functionName: string, url: string, lineNumber = 0, columnNumber = 0): Protocol.Runtime.CallFrame => ({ functionName, scriptId: '1', url, lineNumber, columnNumber });
const ROUTES = 'file:///app/dist/routes/block.js';

// root ─ (idle) 2, (garbage collector) 3, (program) 4
//      ─ handler 5 (anonymous, line 18) ─ busyWait 6 (line 12, hottest line 13)
//                                       ─ hashPassword 8 (auth.js) ─ pbkdf2Sync 7 (node:internal)
//      ─ read 9 (body-parser) ─ parse 10 (native)
const nodes: Node[] = [
  { id: 1, callFrame: call('(root)', ''), children: [2, 3, 4, 5, 9] },
  { id: 2, callFrame: call('(idle)', ''), children: [] },
  { id: 3, callFrame: call('(garbage collector)', ''), children: [] },
  { id: 4, callFrame: call('(program)', ''), children: [] },
  { id: 5, callFrame: call('', ROUTES, 17, 20), children: [6, 8] },
  { id: 6, callFrame: call('busyWait', ROUTES, 11, 17), children: [], positionTicks: [{ line: 12, ticks: 2 }, { line: 13, ticks: 5 }] },
  { id: 7, callFrame: call('pbkdf2Sync', 'node:internal/crypto/pbkdf2', 57, 19), children: [] },
  { id: 8, callFrame: call('hashPassword', 'file:///app/dist/auth.js', 8, 21), children: [7] },
  { id: 9, callFrame: call('read', 'file:///app/node_modules/body-parser/lib/read.js', 79, 13), children: [10] },
  { id: 10, callFrame: call('parse', ''), children: [] },
];

const START = 5_000_000;
/** Sample i at START + (i + 1) ms. */
function profileOf(samples: number[], startTime = START): Protocol.Profiler.Profile {
  return { nodes: structuredClone(nodes), startTime, endTime: startTime + (samples.length + 1) * 1000, samples, timeDeltas: samples.map(() => 1000) };
}
/** A block whose window ends at sample `last` (index) and is `count` samples long. */
const stallAt = (last: number, count: number, location: ObservedBlock['location'] = { source: 'none', frames: [] }, startTime = START): ObservedBlock => {
  const endUs = startTime + (last + 1) * 1000;
  return { endMs: endUs / 1000, endWallMs: 0, endUs, ms: count, location };
};

test("the window's samples name the user's function with the most of them, with its whole stack, the top frame at its hottest line", () => {
  const profile = profileOf([2, 2, 2, 6, 6, 6, 6, 6, 2, 2]);
  const { blocks, located } = locateBlocksInProfile([stallAt(7, 5)], profile);
  assert.equal(located, 1);
  assert.equal(blocks[0].location.source, 'profile');
  assert.deepEqual(blocks[0].location.frames, [frame(ROUTES, 13, 1, 'busyWait'), frame(ROUTES, 18, 21, '')], 'top first, 1-based, the root left out');
  // A model already built does as well.
  assert.deepEqual(locateBlocksInProfile([stallAt(7, 5)], buildProfileModel(profile)).blocks[0].location, blocks[0].location);
});

test('idle and (program) samples are passed over: one sample of code in the window is enough', () => {
  const { blocks } = locateBlocksInProfile([stallAt(9, 9)], profileOf([2, 4, 4, 2, 2, 6, 2, 4, 2, 2]));
  assert.equal(blocks[0].location.frames[0].functionName, 'busyWait');
});

test("native code under the user's function: the stack goes up to it, and the block is located at the caller, inside pbkdf2Sync", () => {
  const { blocks } = locateBlocksInProfile([stallAt(5, 6)], profileOf([7, 7, 7, 7, 7, 7]));
  const frames = blocks[0].location.frames;
  assert.deepEqual(frames.map((f) => f.functionName), ['pbkdf2Sync', 'hashPassword', '']);
  const place = locateFrames(frames);
  assert.equal(place.function, 'hashPassword');
  assert.equal(place.inside, 'pbkdf2Sync');
  assert.equal(place.line, 9, 'a caller frame is at its function start: the profile has no call lines');
});

test('the function with the most samples wins, even when it is a dependency', () => {
  const { blocks } = locateBlocksInProfile([stallAt(8, 9)], profileOf([6, 6, 6, 10, 10, 10, 10, 10, 10]));
  assert.deepEqual(blocks[0].location.frames.map((f) => f.functionName), ['parse', 'read']);
  assert.equal(locateFrames(blocks[0].location.frames).function, 'read');
});

test('a window of garbage collection only gets the GC frame; GC over half the busy samples is counted', () => {
  const gcOnly = locateBlocksInProfile([stallAt(3, 4)], profileOf([3, 3, 2, 3]));
  assert.deepEqual(gcOnly.blocks[0].location, { source: 'profile', frames: [GC_FRAME] });
  assert.equal(gcOnly.gcDominated, 1);
  const mostlyGc = locateBlocksInProfile([stallAt(4, 5)], profileOf([3, 3, 3, 6, 6]));
  assert.equal(mostlyGc.blocks[0].location.frames[0].functionName, 'busyWait', 'code is still named');
  assert.equal(mostlyGc.gcDominated, 1);
  assert.equal(locateBlocksInProfile([stallAt(4, 5)], profileOf([3, 3, 6, 6, 6])).gcDominated, 0);
});

test('no sample in the window (outside the profile, or only idle): the block stays as it was', () => {
  const profile = profileOf([6, 6, 6, 2, 2, 2]);
  const before = stallAt(40, 5);
  const idle = stallAt(5, 2);
  const { blocks, located } = locateBlocksInProfile([before, idle], profile);
  assert.equal(blocks[0], before);
  assert.equal(blocks[1], idle);
  assert.equal(located, 0);
  assert.equal(idle.location.source, 'none', 'the input is not changed');
});

test("a merged profile keeps its chunks' times: a block in the second chunk finds its samples", () => {
  const first = profileOf([6, 6, 6, 6], START);
  const second = profileOf([2, 7, 7, 7, 2], START + 60_000_000);
  const merged = mergeCpuProfiles([first, second]);
  const { blocks } = locateBlocksInProfile([stallAt(1, 2, undefined, START), stallAt(3, 3, undefined, START + 60_000_000)], merged);
  assert.equal(blocks[0].location.frames[0].functionName, 'busyWait');
  assert.equal(blocks[1].location.frames[0].functionName, 'pbkdf2Sync', 'the second chunk, a minute later');
});

test("a block located by pausing keeps its frames when they hold the user's code; Node-only pause frames give way to the profile's", () => {
  const profile = profileOf([6, 6, 6, 6, 6]);
  const paused = stallAt(4, 5, { source: 'pause', frames: [frame('file:///app/dist/parse.js', 3, 1, 'parseBig')] });
  const inNode = stallAt(4, 5, { source: 'pause', frames: [frame('node:internal/timers', 512, 7, 'listOnTimeout')] });
  const { blocks, located } = locateBlocksInProfile([paused, inNode], profile);
  assert.equal(blocks[0], paused);
  assert.equal(blocks[1].location.source, 'profile');
  assert.equal(blocks[1].location.frames[0].functionName, 'busyWait');
  assert.equal(located, 1);
  assert.equal(locateBlocksInProfile([inNode], profileOf([10, 10, 10, 10, 10])).blocks[0], inNode, 'the profile has no user code either: the pause stays');
});

test("a callee inlined from another script leaves its own lines in its caller's ticks: lines past the script's end are passed over", () => {
  const profile = profileOf([6, 6, 6, 6, 6]);
  profile.nodes.find((n) => n.id === 6)!.positionTicks = [{ line: 139, ticks: 9 }, { line: 13, ticks: 3 }];
  const at = (lineCount?: (url: string) => number | undefined) => locateBlocksInProfile([stallAt(4, 5)], profile, { lineCount }).blocks[0].location.frames[0].line;
  assert.equal(at((url) => (url === ROUTES ? 40 : undefined)), 13, 'line 139 is not in a 40-line block.js');
  assert.equal(at(), 139, 'without the script length the hottest line stands');
});
