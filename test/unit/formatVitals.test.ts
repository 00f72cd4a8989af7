import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteHandlerSite } from '../../server/analysis/routeHandlerNames';
import { buildVitalsSection } from '../../server/vitals/buildVitalsSection';
import { formatLiveBlockLine, formatLiveStallLine, formatVitalsLine, formatVitalsTable, vitalsHeadline } from '../../server/vitals/formatVitals';
import { DEFAULT_VITALS_OPTIONS, type LiveBlock, type VitalsCapture } from '../../server/vitals/vitalsTypes';
import { block, frame, MB, sample, seconds, WALL0 } from './vitalsFixtures';

const clock = (wallMs: number) => new Date(wallMs).toISOString().slice(11, 19);
const sites: RouteHandlerSite[] = [{ file: '/app/src/routes/block.ts', line: 18, method: 'GET', path: '/block' }];
const busyWait = frame('file:///app/src/routes/block.ts', 12, 9, 'busyWait');
const handler = frame('file:///app/src/routes/block.ts', 20, 5, '');
const hash = [frame('node:internal/crypto/pbkdf2', 58, 38, 'pbkdf2Sync'), frame('file:///app/src/auth.ts', 9, 20, 'hashPassword')];

test('the live line: loop delay, ELU, CPU, GC, heap, RSS and external, once a second', () => {
  const s = sample({
    atMs: 7000,
    delay: { p50: 0.14, p99: 2.31, max: 4 },
    elu: 0.342,
    cpu: 0.41,
    gc: { minor: 2, major: 0, incremental: 1.2, weakcb: 0, count: 3, maxMs: 1 },
    memory: { heapUsed: 45.2 * MB, heapTotal: 64 * MB, rss: 120 * MB, external: 2 * MB },
  });
  assert.equal(formatVitalsLine(s, { clock }), '13:02:07  loop p50 0.1 · p99 2.3 · max 4 ms · ELU 34% · CPU 41% · GC 3.2 ms · heap 45/64 MB · RSS 120 MB · ext 2 MB');
  const { elu: _, ...withoutElu } = s;
  assert.equal(formatVitalsLine({ ...withoutElu, delay: { ...s.delay, max: 212.4 } }, { clock }), '13:02:07  loop p50 0.1 · p99 2.3 · max 212 ms · CPU 41% · GC 3.2 ms · heap 45/64 MB · RSS 120 MB · ext 2 MB');
  assert.match(formatVitalsLine(s), /^\d\d:\d\d:\d\d {2}loop /, 'local time by default');
});

test('a live block: where, the Node function it was in, the endpoint; or not located', () => {
  const live: LiveBlock = { endWallMs: WALL0 + 9000, ms: 212, function: 'busyWait', file: '/app/src/routes/block.ts', line: 12, column: 9, located: true, source: 'pause', endpoint: 'GET /block' };
  assert.equal(formatLiveBlockLine(live, { clock, cwd: '/app' }), '13:02:09  blocked 212 ms in busyWait (src/routes/block.ts:12) · GET /block');
  assert.equal(formatLiveBlockLine({ ...live, function: 'GET /block' }, { clock, cwd: '/app' }), '13:02:09  blocked 212 ms in GET /block (src/routes/block.ts:12)', 'an anonymous handler is already named by its route');
  assert.equal(formatLiveBlockLine({ ...live, function: 'hashPassword', file: '/app/src/auth.ts', line: 9, inside: 'pbkdf2Sync', endpoint: undefined }, { clock, cwd: '/app' }), '13:02:09  blocked 212 ms in pbkdf2Sync, called from hashPassword (src/auth.ts:9)');
  assert.equal(formatLiveBlockLine({ ...live, located: false, function: '(unknown)', file: '', line: 0, source: 'none' }, { clock }), '13:02:09  blocked 212 ms, not located');
});

test('a live stall: not answering for so long, in where the pause found the thread; then answering again', () => {
  const where: LiveBlock = { endWallMs: 0, ms: 12_000, function: 'spin', file: '/app/src/x.ts', line: 5, column: 3, located: true, source: 'pause' };
  assert.equal(formatLiveStallLine({ sinceWallMs: 0, ms: 12_000, where, over: false }, { cwd: '/app' }), 'not answering for 12 s — in spin (src/x.ts:5)');
  assert.equal(formatLiveStallLine({ sinceWallMs: 0, ms: 3_000, over: false }), 'not answering for 3 s');
  assert.equal(formatLiveStallLine({ sinceWallMs: 0, ms: 14_500, where, over: true }, { cwd: '/app' }), 'answering again after 15 s — it was in spin (src/x.ts:5)');
});

function capture(): VitalsCapture {
  const samples = seconds(60, (i) => ({
    elu: 0.3 + (i % 3) * 0.1,
    cpu: 0.4,
    delay: { p50: 0.4, p99: 12, max: 4 },
    gc: { minor: 3, major: i === 30 ? 120 : 0, count: 2, maxMs: 2 },
    memory: { heapUsed: (40 + Math.floor(i / 5) + (i % 5) * 4) * MB },
  }));
  return {
    status: { node: 'v22.12.0', missing: ['samplePerIteration: Node ≥ 26.5'], pauseCapture: true },
    options: DEFAULT_VITALS_OPTIONS,
    samples,
    gcPauses: [],
    blocks: [block(3000, 212, [busyWait, handler]), block(6000, 300, [busyWait, handler]), block(8000, 120), block(9000, 400, hash)],
    warnings: ['a debugger held the thread for 2 s'],
  };
}

test('the table: summary lines, the block groups, the diagnosis with its next steps, the warnings', () => {
  const text = formatVitalsTable(buildVitalsSection(capture(), { routeHandlers: sites, cwd: '/app' }), { cwd: '/app' });
  const lines = text.split('\n');
  assert.equal(lines[0], 'Vitals over 60 s (Node v22.12.0)');
  assert.equal(lines[1], '  event loop    delay p50 0.4 ms · p99 12 ms · max 400 ms · ELU mean 40%, p50 40%, max 50%');
  assert.equal(lines[3], '  GC            300 ms in 120 collections · blocking up to 123 ms in one second · longest 2 ms');
  assert.equal(lines[4], '  heap used     40 MB → 67 MB · max 67 MB · floor +12 MB a minute');
  assert.equal(lines[6], '  not measured  samplePerIteration: Node ≥ 26.5');
  assert.ok(lines.includes('Blocks of 100 ms or more: 4, 1 s in all, longest 400 ms'));
  const rows = lines.filter((l) => /^ +\d+\.\d +\d+ /.test(l));
  assert.equal(rows.length, 3);
  assert.match(rows[0], /^ +512\.0 +2 +256\.0 +300\.0 +busyWait +src\/routes\/block\.ts:12 +GET \/block +pause$/);
  assert.match(rows[1], /hashPassword \(in pbkdf2Sync\) +src\/auth\.ts:9 +pause$/);
  assert.match(rows[2], /\(unknown\) +not located$/);
  const diagnosis = lines.slice(lines.indexOf('Diagnosis') + 1, lines.indexOf('Diagnosis') + 3);
  assert.deepEqual(diagnosis, ['  - GET /block blocked the event loop for 256 ms in busyWait (src/routes/block.ts:12), twice.', '    next step: Open busyWait (src/routes/block.ts:12)']);
  assert.ok(text.includes('    next step: Take heap snapshots'));
  assert.deepEqual(lines.slice(-2), ['Warnings', '  - a debugger held the thread for 2 s']);

  const top1 = formatVitalsTable(buildVitalsSection(capture(), { routeHandlers: sites }), { cwd: '/app', top: 1 });
  assert.ok(top1.includes('  … and 2 other places'));
});

test('a quiet run: no block, no finding', () => {
  const quiet = { ...capture(), samples: seconds(10), blocks: [], warnings: [] };
  const text = formatVitalsTable(buildVitalsSection(quiet), { cwd: '/app' });
  assert.ok(text.includes('No block of 100 ms or more'));
  assert.ok(text.endsWith("Diagnosis: nothing crosses Clinic Doctor's thresholds, and the heap does not only grow"));
});

test('the headline sentence: the worst block group in code the user can open, else none', () => {
  const section = buildVitalsSection(capture(), { routeHandlers: sites });
  assert.equal(vitalsHeadline(section, '/app'), 'GET /block blocked the event loop for 256 ms in busyWait (src/routes/block.ts:12), twice.');
  const unlocated = buildVitalsSection({ ...capture(), blocks: [block(3000, 500), block(4000, 300, [frame('node:internal/timers', 512, 7, 'listOnTimeout')])] });
  assert.equal(vitalsHeadline(unlocated, '/app'), undefined);
  const native = buildVitalsSection({ ...capture(), blocks: [block(3000, 500, hash), block(5000, 520, hash), block(7000, 1300, hash)] });
  assert.equal(vitalsHeadline(native, '/app'), 'The event loop was blocked for 520 ms (up to 1.3 s) in pbkdf2Sync, called from hashPassword (src/auth.ts:9), 3 times.');
});

test('a group in an anonymous handler reads "its handler"; garbage collection reads as such', () => {
  const section = buildVitalsSection({ ...capture(), blocks: [block(3000, 150, [handler]), block(4000, 150, [handler, frame('node:internal/x', 1, 1, 'y')])] }, { routeHandlers: sites });
  assert.equal(vitalsHeadline(section, '/app'), 'GET /block blocked the event loop for 150 ms in its handler (src/routes/block.ts:20), twice.');
  const gc = buildVitalsSection({ ...capture(), blocks: [block(3000, 150, [{ url: '', line: 0, column: 0, functionName: '(garbage collector)' }])] });
  assert.equal(formatLiveBlockLine({ ...gc.blocks[0], endWallMs: WALL0 + 3000, ms: 150, source: 'profile' }, { clock }), '13:02:03  blocked 150 ms in garbage collection');
  assert.equal(vitalsHeadline(gc, '/app'), undefined, 'nothing to open');
});
