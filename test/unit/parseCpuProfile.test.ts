import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCpuProfile, ProfileFormatError, validateCpuProfile } from '../../server/analysis/parseCpuProfile';
import { fixtureProfile, fixtureText, profilesDir, recordedFixtures } from './profileFixtures';

const basic = () => JSON.parse(fixtureText('synthetic/basic.cpuprofile'));

function rejects(input: string | unknown, pattern: RegExp): void {
  const run = () => (typeof input === 'string' ? parseCpuProfile(input) : validateCpuProfile(input));
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof ProfileFormatError, `a ProfileFormatError, got ${String(err)}`);
    assert.match(err.message, pattern);
    assert.doesNotMatch(err.message, /\n\s+at /, 'no stack in the message');
    return true;
  });
}

test('recorded profiles parse, including the inspector\'s {profile} wrapper', () => {
  const files = recordedFixtures();
  assert.ok(files.some((f) => f.startsWith('node-cpu-prof/')) && files.some((f) => f.startsWith('node-inspector/')), 'both producers present');
  for (const file of files) {
    const profile = fixtureProfile(file);
    assert.ok(profile.nodes.length > 0, file);
    assert.equal(profile.samples!.length, profile.timeDeltas!.length, file);
  }
  assert.ok('profile' in JSON.parse(fixtureText('node-inspector/v20.20.2/cpuWork.cpuprofile')), 'the inspector fixture keeps its wrapper');
});

test('a raw CDP response {id, result: {profile}} and a byte-order mark are accepted', () => {
  const text = `\ufeff${JSON.stringify({ id: 7, result: { profile: basic() } })}`;
  assert.equal(parseCpuProfile(text).nodes.length, 9);
});

test('`parent` links are turned into `children`', () => {
  const profile = fixtureProfile('synthetic/parentLinks.cpuprofile');
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  assert.deepEqual(byId.get(10)!.children, [11, 13]);
  assert.deepEqual(byId.get(11)!.children, [12]);
});

test('missing call-frame fields get the protocol defaults', () => {
  const profile = basic();
  delete profile.nodes[4].callFrame.url;
  delete profile.nodes[4].callFrame.lineNumber;
  profile.nodes[4].callFrame.scriptId = 7;
  const frame = validateCpuProfile(profile).nodes[4].callFrame;
  assert.deepEqual([frame.url, frame.lineNumber, frame.scriptId], ['', -1, '7']);
});

const brokenFiles: Array<[string, RegExp]> = [
  ['truncated.cpuprofile', /not valid JSON: it looks truncated \(the text stops after 700 characters/],
  ['speedscope.json', /speedscope file, not a \.cpuprofile/],
  ['noSamples.cpuprofile', /the profile has no samples \(`samples` and `timeDeltas` are missing/],
  ['danglingSample.cpuprofile', /samples\[6\] refers to node 99, which is not in `nodes`/],
  ['danglingChild.cpuprofile', /node 7 lists child 42, which is not in `nodes`/],
  ['noCallFrame.cpuprofile', /node 6 \(nodes\[5\]\) has no `callFrame`/],
  ['lengthMismatch.cpuprofile', /`samples` has 11 entries but `timeDeltas` has 10/],
];

for (const [file, pattern] of brokenFiles) {
  test(`broken fixture ${file} is rejected with a helpful message`, () => {
    rejects(readFileSync(join(profilesDir, 'broken', file), 'utf8'), pattern);
  });
}

const brokenValues: Array<[string, unknown, RegExp]> = [
  ['invalid JSON in the middle', '{\n  "nodes": [1,,2]\n}', /not valid JSON at line 2, column 15 \(character 16\): expected a value, found ",2]\\n}"/],
  ['a truncated string', '{"nodes": [{"callFrame": {"url": "file:///ab', /it looks truncated \(the text stops after 44 characters/],
  ['a trailing comma', '{"a": 1,}', /line 1, column 9 \(character 8\): expected a property name in double quotes, found "}"/],
  ['text after the value', '{"a": 1} x', /expected the end of the text, found "x"/],
  ['an empty file', '  \n', /the file is empty/],
  ['a JSON number', '42', /the JSON is a number, not a CPU profile object/],
  ['a JSON array', '[1, 2]', /the JSON is an array/],
  ['a Chrome trace (array form)', [{ ph: 'X', ts: 1, name: 'x' }], /Chrome performance trace/],
  ['a Chrome trace (object form)', { traceEvents: [] }, /Chrome performance trace/],
  ['a heap snapshot', { snapshot: {}, nodes: undefined, strings: [] }, /heap snapshot/],
  ['a sampling heap profile', { head: { callFrame: {}, selfSize: 0, children: [] }, samples: [] }, /sampling heap profile \(\.heapprofile\)/],
  ['the pre-2016 format', { head: { functionName: '(root)', children: [] }, startTime: 1, endTime: 2 }, /old Chrome format/],
  ['a PerfLens report', { version: 1, functions: [], lines: [] }, /PerfLens report/],
  ['no nodes', { startTime: 0, endTime: 1, samples: [], timeDeltas: [] }, /`nodes` is missing \(the object has `startTime`, `endTime`, `samples`, `timeDeltas`\)/],
  ['nodes not an array', { nodes: {}, startTime: 0, endTime: 1 }, /`nodes` must be an array of call-tree nodes, not an object/],
  ['empty nodes', { nodes: [], startTime: 0, endTime: 1 }, /`nodes` is empty/],
  ['startTime missing', { ...basic(), startTime: undefined }, /`startTime` is missing/],
  ['endTime a string', { ...basic(), endTime: '12' }, /`endTime` must be a number \(microseconds\), not "12"/],
  ['endTime before startTime', { ...basic(), endTime: 10 }, /`endTime` \(10\) is before `startTime` \(1000\)/],
  ['samples without timeDeltas', { ...basic(), timeDeltas: undefined }, /`timeDeltas` is missing/],
  ['timeDeltas without samples', { ...basic(), samples: undefined }, /the profile has no samples: `samples` is missing/],
  ['empty samples', { ...basic(), samples: [], timeDeltas: [] }, /the profile has no samples \(`samples` is empty\)/],
  ['samples not an array', { ...basic(), samples: 'x' }, /`samples` must be an array of node ids, not a string/],
  ['a non-numeric delta', { ...basic(), timeDeltas: [1000, null, 1, 1, 1, 1, 1, 1, 1, 1, 1] }, /`timeDeltas\[1\]` must be a number, not null/],
  ['a node that is not an object', { ...basic(), nodes: [...basic().nodes, 5] }, /nodes\[9\] is a number, not a node object/],
  ['a node that is undefined (in-process callers)', { ...basic(), nodes: [...basic().nodes, undefined] }, /nodes\[9\] is missing, not a node object/],
  ['a node id that is not an integer', { ...basic(), nodes: basic().nodes.map((n: { id: number }) => (n.id === 9 ? { ...n, id: 'nine' } : n)) }, /nodes\[8\]: `id` must be an integer, not "nine"/],
  ['a duplicate id', { ...basic(), nodes: basic().nodes.map((n: { id: number }) => (n.id === 9 ? { ...n, id: 8 } : n)) }, /node id 8 appears twice/],
  ['a call frame without functionName', { ...basic(), nodes: basic().nodes.map((n: { id: number; callFrame: object }) => (n.id === 6 ? { ...n, callFrame: { url: 'x' } } : n)) }, /node 6 \(nodes\[5\]\): `callFrame.functionName` is missing/],
  ['a child with two parents', { ...basic(), nodes: basic().nodes.map((n: { id: number }) => (n.id === 6 ? { ...n, children: [9] } : n)) }, /node 9 is listed as a child of both node 6 and node 8/],
  ['a cycle', { ...basic(), nodes: basic().nodes.map((n: { id: number }) => (n.id === 9 ? { ...n, children: [7] } : n)) }, /node 7 is listed as a child of both node 5 and node 9|cycle/],
  ['children not an array', { ...basic(), nodes: basic().nodes.map((n: { id: number }) => (n.id === 5 ? { ...n, children: 6 } : n)) }, /node 5 \(nodes\[4\]\): `children` must be an array of node ids, not a number/],
  ['a parent that does not exist', { nodes: [{ id: 1, callFrame: { functionName: '(root)' } }, { id: 2, parent: 5, callFrame: { functionName: 'x' } }], startTime: 0, endTime: 1, samples: [2], timeDeltas: [1] }, /node 2 names parent 5, which is not in `nodes`/],
  ['a parent cycle without a root', { nodes: [{ id: 1, parent: 2, callFrame: { functionName: 'a' } }, { id: 2, parent: 1, callFrame: { functionName: 'b' } }], startTime: 0, endTime: 1, samples: [2], timeDeltas: [1] }, /the call tree has a cycle through node/],
  ['times too far apart for a duration', { ...basic(), startTime: -Number.MAX_VALUE, endTime: Number.MAX_VALUE }, /`startTime` \(.*\) and `endTime` \(.*\) are too far apart/],
  ['deltas whose sum overflows', { ...basic(), timeDeltas: [Number.MAX_VALUE, Number.MAX_VALUE, 1, 1, 1, 1, 1, 1, 1, 1, 1] }, /`timeDeltas\[1\]` \(.*\) puts sample 1 at Infinity µs/],
  ['negative positionTicks', { ...basic(), nodes: basic().nodes.map((n: { id: number }) => (n.id === 6 ? { ...n, positionTicks: [{ line: 3, ticks: 2 }, { line: 4, ticks: -1 }] } : n)) }, /node 6 \(nodes\[5\]\): `positionTicks` `ticks` must be a count \(a whole number ≥ 0\), not -1/],
  ['positionTicks too large to add up', { ...basic(), nodes: basic().nodes.map((n: { id: number }) => (n.id === 6 ? { ...n, positionTicks: [{ line: 3, ticks: 1e308 }, { line: 4, ticks: 1e308 }] } : n)) }, /`ticks` must be a count \(a whole number ≥ 0\), not 1e\+308/],
  ['bad positionTicks', { ...basic(), nodes: basic().nodes.map((n: { id: number }) => (n.id === 6 ? { ...n, positionTicks: [{ line: 'x' }] } : n)) }, /node 6 \(nodes\[5\]\): every `positionTicks` entry needs a numeric `line` and `ticks`/],
];

for (const [name, value, pattern] of brokenValues) {
  test(`rejects ${name}`, () => rejects(value, pattern));
}
