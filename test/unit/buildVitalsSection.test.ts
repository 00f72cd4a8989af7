import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol } from 'devtools-protocol';
import type { RouteHandlerSite } from '../../server/analysis/routeHandlerNames';
import { buildVitalsSection } from '../../server/vitals/buildVitalsSection';
import { DEFAULT_VITALS_OPTIONS, type VitalsCapture } from '../../server/vitals/vitalsTypes';
import { block, frame, seconds } from './vitalsFixtures';

const ROUTES = 'file:///app/src/routes/block.ts';
const sites: RouteHandlerSite[] = [{ file: '/app/src/routes/block.ts', line: 18, method: 'GET', path: '/block' }];
const busyWait = frame(ROUTES, 12, 9, 'busyWait');
const handler = frame(ROUTES, 20, 5, '');

function capture(overrides: Partial<VitalsCapture> = {}): VitalsCapture {
  return {
    status: { node: 'v22.12.0', missing: [], pauseCapture: true },
    options: DEFAULT_VITALS_OPTIONS,
    samples: seconds(10).reverse(),
    gcPauses: [],
    blocks: [block(3000, 250, [busyWait, handler]), block(6000, 300, [busyWait, handler]), block(8000, 120)],
    warnings: ['a debugger held the thread for 2 s'],
    ...overrides,
  };
}

test('the section: the series in time order, the summary, the groups, the diagnosis naming the worst place', () => {
  const section = buildVitalsSection(capture(), { routeHandlers: sites, cwd: '/app' });
  assert.deepEqual(section.series.map((s) => s.atMs), [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000]);
  assert.equal(section.blockThresholdMs, 100);
  assert.equal(section.summary.blocks.count, 3);
  assert.equal(section.summary.delay.max, 300);
  assert.deepEqual(section.blocks.map((g) => [g.function, g.count, g.located]), [['busyWait', 2, true], ['(unknown)', 1, false]]);
  assert.equal(section.blocks[0].endpoint, 'GET /block');
  assert.equal(section.diagnosis[0].title, 'GET /block blocked the event loop for 275 ms in busyWait (src/routes/block.ts:12), twice.');
  assert.deepEqual(section.warnings, ['a debugger held the thread for 2 s']);
});

test('a CPU profile locates the blocks the pause did not, and says when a block was mostly GC', () => {
  const call = (functionName: string, url: string, lineNumber = 0): Protocol.Runtime.CallFrame => ({ functionName, scriptId: '1', url, lineNumber, columnNumber: 0 });
  const profile: Protocol.Profiler.Profile = {
    nodes: [
      { id: 1, callFrame: call('(root)', ''), children: [2, 3] },
      { id: 2, callFrame: call('parseBig', 'file:///app/src/parse.ts', 2) },
      { id: 3, callFrame: call('(garbage collector)', '') },
    ],
    startTime: 7_000_000,
    endTime: 10_000_000,
    // 7.9 s … 8.0 s: parseBig; 9.9 s … 10.0 s: GC.
    samples: [2, 2, 2, 3, 3, 3],
    timeDeltas: [900_000, 50_000, 50_000, 1_900_000, 50_000, 50_000],
  };
  const blocks = [block(3000, 250, [busyWait, handler]), block(8000, 120), block(10_000, 120)];
  const section = buildVitalsSection(capture({ blocks }), { routeHandlers: sites, profile });
  const parse = section.blocks.find((g) => g.function === 'parseBig');
  assert.ok(parse, 'parseBig located from the samples');
  assert.deepEqual(parse.sources, ['profile']);
  assert.equal(parse.line, 3);
  assert.ok(section.blocks.some((g) => g.function === '(garbage collector)' && g.located));
  assert.ok(section.warnings.includes('1 block was mostly garbage collection in the CPU profile: see the GC figures and take heap snapshots'));
});

test('blocks not located, with pausing off and no profile: a warning says why', () => {
  const section = buildVitalsSection(capture({ status: { node: 'v22.12.0', missing: [], pauseCapture: false }, blocks: [block(3000, 250), block(4000, 150)], warnings: [] }));
  assert.deepEqual(section.warnings, ['2 blocks are not located: naming blocks by pausing the thread was off and no CPU profile was taken']);
  assert.equal(section.diagnosis[0].action.kind, 'profile-cpu');
});

test('an empty capture gives an empty section', () => {
  const section = buildVitalsSection(capture({ samples: [], blocks: [], warnings: [] }));
  assert.equal(section.summary.seconds, 0);
  assert.deepEqual(section.blocks, []);
  assert.deepEqual(section.diagnosis, []);
});
