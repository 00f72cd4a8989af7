import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Protocol } from 'devtools-protocol';
import { functionCosts } from '../../server/analysis/functionCosts';
import { lineCosts } from '../../server/analysis/lineCosts';
import { buildProfileModel } from '../../server/analysis/profileModel';
import { fixtureModel, recordedFixtures, workloadsDir } from './profileFixtures';

test('synthetic profile: self time spread over lines by ticks; no ticks → declaration line, approximated', () => {
  const model = fixtureModel('synthetic/basic.cpuprofile');
  const lines = lineCosts(model);
  assert.deepEqual(
    lines.map((l) => [l.url, l.line, l.selfMs, l.samples, l.approximated, model.functions[l.functionIndex].functionName]),
    [
      ['file:///app/main.js', 11, 3.75, 3, false, 'hot'],
      ['file:///app/main.js', 21, 2, 2, false, 'fib'],
      ['file:///app/main.js', 12, 1.25, 1, false, 'hot'],
      ['file:///app/main.js', 20, 1, 1, true, 'fib'],
      ['file:///app/main.js', 1, 0.5, 1, true, 'main'],
    ],
  );
  // Per function, the lines add up to its self time: hot 3.75 + 1.25 = 5, fib 2 + 1 = 3.
  const hot = functionCosts(model).find((c) => c.callFrame.functionName === 'hot')!;
  assert.equal(lines.filter((l) => l.functionIndex === hot.functionIndex).reduce((s, l) => s + l.selfMs, 0), hot.selfMs);
});

test('inlining: a callee\'s line ticks under its caller\'s node add to the same url + line', () => {
  const frame = (functionName: string, lineNumber: number): Protocol.Runtime.CallFrame => ({ functionName, scriptId: '3', url: 'file:///app/a.js', lineNumber, columnNumber: 0 });
  const profile: Protocol.Profiler.Profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', -1), children: [2] },
      // caller (declared on line 30) had callee (line 10) inlined: its ticks name the callee's line 12
      { id: 2, callFrame: frame('caller', 29), children: [3], positionTicks: [{ line: 12, ticks: 3 }, { line: 31, ticks: 1 }] },
      { id: 3, callFrame: frame('callee', 9), positionTicks: [{ line: 12, ticks: 2 }] },
    ],
    startTime: 0,
    endTime: 6000,
    samples: [2, 2, 2, 2, 3, 3],
    timeDeltas: [0, 1000, 1000, 1000, 1000, 1000],
  };
  const model = buildProfileModel({ ...profile, nodes: profile.nodes.map((n) => ({ ...n, callFrame: { ...n.callFrame, url: n.id === 1 ? '' : n.callFrame.url } })) });
  const lines = lineCosts(model);
  assert.deepEqual(
    lines.map((l) => [l.line, l.selfMs, l.samples, model.functions[l.functionIndex].functionName]),
    [
      // 3 of caller's 4 ms plus callee's 2 ms; the line belongs to callee (declared above it), not to caller below.
      [12, 5, 5, 'callee'],
      [31, 1, 1, 'caller'],
    ],
  );
});

for (const file of recordedFixtures()) {
  test(`${file}: line costs add up to the self time of the nodes with a script`, () => {
    const model = fixtureModel(file);
    let scripted = 0;
    for (let n = 0; n < model.nodeCount; n++) if (model.callFrame[n].url !== '') scripted += model.selfMs[n];
    const lines = lineCosts(model);
    assert.ok(Math.abs(lines.reduce((s, l) => s + l.selfMs, 0) - scripted) < 0.001);
    for (let i = 1; i < lines.length; i++) assert.ok(lines[i - 1].selfMs >= lines[i].selfMs, 'sorted by self time');
    assert.ok(lines.every((l) => Number.isInteger(l.line) && l.line >= 1));
  });
}

test('cpuWork: hotLoop\'s lines hold its self time; the hottest line is inside hotLoop', () => {
  const source = readFileSync(join(workloadsDir, 'cpuWork.js'), 'utf8').split('\n');
  const declared = source.findIndex((l) => l.includes('function hotLoop')) + 1;
  const end = source.findIndex((l, i) => i >= declared && l === '}') + 1;
  const model = fixtureModel('node-cpu-prof/v20.20.2/cpuWork.cpuprofile');
  const lines = lineCosts(model).filter((l) => l.url.endsWith('/cpuWork.js'));
  assert.ok(lines[0].line > declared && lines[0].line < end, `hottest line ${lines[0].line} in hotLoop (${declared}–${end})`);
  const hotLoop = functionCosts(model).find((c) => c.callFrame.functionName === 'hotLoop')!;
  const inHotLoop = lines.filter((l) => l.line >= declared && l.line <= end).reduce((s, l) => s + l.selfMs, 0);
  assert.ok(Math.abs(inHotLoop - hotLoop.selfMs) < 0.001, `${inHotLoop} vs ${hotLoop.selfMs}`);
});
