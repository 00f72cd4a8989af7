import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildReport } from '../../server/analysis/buildReport';
import { buildProfileModel } from '../../server/analysis/profileModel';
import type { SourceMapResolver } from '../../server/analysis/sourceMapResolver';
import { createFileSourceMapResolver } from '../../server/sourcemaps/fileSourceMapLoader';
import { fixtureModel, fixtureText, sampleLoad, workloadsDir } from './profileFixtures';

test('synthetic profile without source maps: JavaScript locations, shares, header figures', () => {
  const report = buildReport({ model: fixtureModel('synthetic/basic.cpuprofile'), target: 'basic.cpuprofile', load: sampleLoad });
  assert.equal(report.version, 1);
  assert.equal(report.target, 'basic.cpuprofile');
  assert.equal(report.load, sampleLoad);
  assert.deepEqual(report.profile, { durationMs: 11.5, samples: 11, samplingIntervalUs: 1000, idleShare: 1 / 11.5 });
  assert.deepEqual(report.functions[0], { name: 'hot', file: '/app/main.js', line: 10, column: 13, selfMs: 5, totalMs: 5, selfShare: 5 / 11.5, totalShare: 5 / 11.5, samples: 4, mapped: false, origin: 'own' });
  assert.deepEqual(
    report.functions.map((f) => [f.name, f.file, f.line]),
    [['hot', '/app/main.js', 10], ['fib', '/app/main.js', 20], ['(program)', '', 0], ['(garbage collector)', '', 0], ['main', '/app/main.js', 1]],
  );
  assert.deepEqual(report.lines[0], { file: '/app/main.js', line: 11, selfMs: 3.75, selfShare: 3.75 / 11.5, samples: 3, mapped: false, functionName: 'hot', origin: 'own' });
  assert.deepEqual(report.lines.map((l) => [l.line, l.approximated ?? false]), [[11, false], [21, false], [12, false], [20, true], [1, true]]);
  assert.deepEqual(report.warnings, ['2 of the top 5 lines had no line-level data for part of their time and show their function\'s declaration line']);
});

test('`top` limits both tables', () => {
  const report = buildReport({ model: fixtureModel('synthetic/basic.cpuprofile'), target: 'x', top: 2 });
  assert.equal(report.functions.length, 2);
  assert.equal(report.lines.length, 2);
});

test('several JavaScript lines mapping to one source line are merged', () => {
  // Lines 11 and 12 of main.js both come from line 4 of main.ts; line 21 from line 9.
  const resolver: SourceMapResolver = {
    resolve: () => undefined,
    resolveFrame: (frame) => ({ file: '/src/main.ts', line: frame.lineNumber + 100, column: 0 }),
    resolveLine: (_url, line) => (line === 11 || line === 12 ? { file: '/src/main.ts', line: 4, column: 2 } : line === 21 ? { file: '/src/main.ts', line: 9, column: 2 } : undefined),
    hasMap: () => true,
    generatedLineCount: () => undefined,
    warnings: () => ['one warning from the resolver'],
  };
  const report = buildReport({ model: fixtureModel('synthetic/basic.cpuprofile'), resolver, target: 'x' });
  assert.deepEqual(report.lines.map((l) => [l.file, l.line, l.selfMs, l.samples, l.mapped, l.functionName]), [
    ['/src/main.ts', 4, 5, 4, true, 'hot'],
    ['/src/main.ts', 9, 2, 2, true, 'fib'],
    ['/app/main.js', 20, 1, 1, false, 'fib'],
    ['/app/main.js', 1, 0.5, 1, false, 'main'],
  ]);
  assert.deepEqual(report.functions[0], { name: 'hot', file: '/src/main.ts', line: 109, column: 1, selfMs: 5, totalMs: 5, selfShare: 5 / 11.5, totalShare: 5 / 11.5, samples: 4, mapped: true, origin: 'own' });
  assert.equal(report.warnings[0], 'one warning from the resolver');
});

test('TypeScript fixture: the hot function and the hot line land in the .ts source', () => {
  const tsPath = join(workloadsDir, 'ts-src', 'hotPath.ts');
  const ts = readFileSync(tsPath, 'utf8').split('\n');
  const model = fixtureModel('node-cpu-prof/v20.20.2/tsHotPath.cpuprofile');
  const { resolver, warnings } = createFileSourceMapResolver();
  const report = buildReport({ model, resolver, target: 'tsHotPath' });
  const top = report.functions[0];
  assert.deepEqual([top.name, top.file, top.line, top.mapped], ['computeDiscount', tsPath, ts.findIndex((l) => l.includes('function computeDiscount(')) + 1, true]);
  const hotLine = report.lines[0];
  assert.deepEqual([hotLine.file, hotLine.line, hotLine.functionName, hotLine.mapped], [tsPath, ts.findIndex((l) => l.includes('// HOT LINE')) + 1, 'computeDiscount', true]);
  assert.ok(hotLine.selfShare > 0.5, 'the loop line dominates');
  assert.deepEqual(warnings(), []);
  assert.deepEqual(report.warnings, []);
});

test('TypeScript fixture with its map gone: JavaScript locations and one warning for the script', () => {
  const text = fixtureText('node-cpu-prof/v20.20.2/tsHotPath.cpuprofile').split('/ts-dist/hotPath.js').join('/ts-dist-missing/hotPath.js');
  const model = buildProfileModel(JSON.parse(text));
  const { resolver } = createFileSourceMapResolver();
  const report = buildReport({ model, resolver, target: 'x' });
  assert.equal(report.functions[0].mapped, false);
  assert.match(report.functions[0].file, /ts-dist-missing\/hotPath\.js$/);
  assert.equal(report.warnings.length, 1, report.warnings.join('\n'));
  assert.match(report.warnings[0], /ts-dist-missing\/hotPath\.js not found/);
});

test('a profile without positionTicks says its lines are approximate', () => {
  const profile = JSON.parse(fixtureText('synthetic/basic.cpuprofile'));
  for (const node of profile.nodes) delete node.positionTicks;
  const report = buildReport({ model: buildProfileModel(profile), target: 'x' });
  assert.ok(report.lines.every((l) => l.approximated));
  assert.match(report.warnings.join('\n'), /no line-level data \(positionTicks\)/);
});

test('line ticks past the end of their script (V8 inlining across scripts) are left out, with a warning', () => {
  // main.js's map covers 12 lines: its ticks on lines 20 and 21 cannot be main.js's own.
  const resolver: SourceMapResolver = {
    resolve: () => undefined,
    resolveFrame: (frame) => ({ file: '/src/main.ts', line: frame.lineNumber + 1, column: 0 }),
    resolveLine: (_url, line) => (line <= 12 ? { file: '/src/main.ts', line, column: 0 } : undefined),
    hasMap: () => true,
    generatedLineCount: () => 12,
    warnings: () => [],
  };
  const report = buildReport({ model: fixtureModel('synthetic/basic.cpuprofile'), resolver, target: 'x' });
  assert.ok(report.lines.every((l) => l.line <= 12 && l.mapped), JSON.stringify(report.lines));
  assert.match(report.warnings[0], /^3\.0 ms of line-level samples in \/app\/main\.js fall past the end of that script: V8 inlined a function from another script into fib/);
  assert.equal(report.functions.find((f) => f.name === 'fib')!.selfMs, 3, 'the function costs stand');
});

test('a service that waited for a CPU a quarter of the load or more: a warning says the machine was busy', () => {
  const busy = buildReport({ model: fixtureModel('synthetic/basic.cpuprofile'), target: 'x', load: sampleLoad, cpu: { cpuMs: 500, wallMs: 1000, runQueueMs: 540 } });
  assert.ok(busy.warnings.some((w) => /^the service waited for a CPU 54 % of the load \(this machine was busy/.test(w)), JSON.stringify(busy.warnings));
  const quiet = buildReport({ model: fixtureModel('synthetic/basic.cpuprofile'), target: 'x', load: sampleLoad, cpu: { cpuMs: 900, wallMs: 1000, runQueueMs: 20 } });
  assert.ok(!quiet.warnings.some((w) => w.includes('waited for a CPU')));
});
