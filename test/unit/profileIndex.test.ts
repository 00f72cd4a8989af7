import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMs, hotLineNote, ProfileIndex } from '../../extension/annotations/profileIndex';
import type { FunctionCost, LineCost, ProfileReport } from '../../server/analysis/reportTypes';

const fn = (name: string, file: string, line: number, selfShare: number): FunctionCost => ({ name, file, line, column: 1, selfMs: selfShare * 1000, totalMs: selfShare * 1000, selfShare, totalShare: selfShare, samples: Math.round(selfShare * 1000), mapped: true, origin: 'own' });
const line = (file: string, n: number, selfShare: number): LineCost => ({ file, line: n, selfMs: selfShare * 1000, selfShare, samples: Math.round(selfShare * 1000), mapped: true, functionName: 'f', origin: 'own' });

const report: ProfileReport = {
  version: 1,
  target: 'test',
  profile: { durationMs: 1000, samples: 1000, samplingIntervalUs: 1000, idleShare: 0 },
  functions: [fn('score', '/src/a.ts', 10, 0.6), fn('helper', '/src/a.ts', 30, 0.05), fn('helper', '/src/a.ts', 50, 0.02), fn('other', '/src/b.ts', 3, 0.004)],
  lines: [line('/src/a.ts', 12, 0.5), line('/src/a.ts', 13, 0.1), line('/src/a.ts', 31, 0.02), line('/src/b.ts', 4, 0.004)],
  warnings: [],
  summary: { verdict: 'own-code', headline: '', groups: [] },
};

test('hot lines are grouped by file, filtered by share and ranked into three heat levels', () => {
  const index = new ProfileIndex(report, { minShare: 0.01, maxLines: 20 });
  assert.deepEqual(index.costsFor('/src/a.ts')!.lines.map((l) => [l.line, l.heat]), [[12, 3], [13, 2], [31, 1]]);
  assert.equal(index.costsFor('/src/b.ts')!.lines.length, 0, 'under minShare');
  assert.equal(index.costsFor('/src/c.ts'), undefined);
});

test('maxLines caps the annotated lines across files', () => {
  const index = new ProfileIndex(report, { minShare: 0, maxLines: 2 });
  assert.deepEqual(index.costsFor('/src/a.ts')!.lines.map((l) => l.line), [12, 13]);
  assert.equal(index.costsFor('/src/b.ts')?.lines.length ?? 0, 0);
});

test('a hover picks the function of that name declared on or nearest above the line', () => {
  const index = new ProfileIndex(report, { minShare: 0.01, maxLines: 20 });
  assert.equal(index.functionAt('/src/a.ts', 10, 'score')?.line, 10);
  assert.equal(index.functionAt('/src/a.ts', 40, 'helper')?.line, 30);
  assert.equal(index.functionAt('/src/a.ts', 60, 'helper')?.line, 50);
  assert.equal(index.functionAt('/src/a.ts', 1, 'helper')?.line, 30, 'above all declarations: the first');
  assert.equal(index.functionAt('/src/a.ts', 10, 'nothing'), undefined);
  assert.equal(index.functionAt('/src/b.ts', 3, 'score'), undefined, 'only functions of that file');
});

test('windows paths match their forward-slash form', () => {
  const index = new ProfileIndex({ ...report, lines: [line('C:\\src\\w.ts', 1, 0.5)], functions: [] }, { minShare: 0, maxLines: 5 });
  assert.equal(index.costsFor('C:/src/w.ts')!.lines.length, 1);
});

test('notes read well', () => {
  assert.equal(formatMs(5846), '5.85 s');
  assert.equal(formatMs(44.5), '44.5 ms');
  assert.equal(formatMs(0.42), '0.42 ms');
  assert.equal(hotLineNote(line('/a.ts', 1, 0.718)), '● 718 ms self · 72 % · 718 samples');
});
