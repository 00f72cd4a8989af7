// `perflens summarize` on profiles made elsewhere, as a user runs it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, runCli } from '../helpers/cli';
import type { ProfileReport } from '../../server/analysis/reportTypes';

const fixtures = join(repoRoot, 'test', 'fixtures');
const scratch = mkdtempSync(join(tmpdir(), 'perflens-summarize-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A recorded fixture profile pointing at a copy of the workloads under `root`. */
function profileFor(fixture: string, root: string, name: string): string {
  const text = readFileSync(join(fixtures, 'profiles', fixture), 'utf8').split('file:///FIXTURE_ROOT').join(pathToFileURL(root).href);
  const file = join(scratch, name);
  writeFileSync(file, text);
  return file;
}

function lineOf(file: string, marker: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;
}

test('a node --cpu-prof profile of compiled TypeScript is reported at its .ts lines', async () => {
  const root = join(scratch, 'mapped');
  cpSync(fixtures, root, { recursive: true });
  const profile = profileFor('node-cpu-prof/v20.20.2/tsHotPath.cpuprofile', root, 'ts.cpuprofile');
  const json = join(scratch, 'ts.json');
  const run = await runCli(['summarize', profile, '--json', json]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(readFileSync(json, 'utf8')) as ProfileReport;
  const source = join(root, 'workloads', 'ts-src', 'hotPath.ts');
  const hot = report.lines[0];
  assert.equal(hot.file, source);
  assert.equal(hot.line, lineOf(source, '// HOT LINE'));
  assert.equal(report.warnings.length, 0, report.warnings.join('\n'));
  assert.match(run.stdout, /hotPath\.ts:\d+/);
});

test('a missing source map falls back to JavaScript locations and says so once', async () => {
  const root = join(scratch, 'unmapped');
  cpSync(fixtures, root, { recursive: true });
  rmSync(join(root, 'workloads', 'ts-dist', 'hotPath.js.map'));
  const profile = profileFor('node-cpu-prof/v20.20.2/tsHotPath.cpuprofile', root, 'ts-unmapped.cpuprofile');
  const run = await runCli(['summarize', profile]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /ts-dist\/hotPath\.js:\d+/);
  assert.doesNotMatch(run.stdout, /hotPath\.ts:/);
  const mentions = run.stdout.split('\n').filter((l) => l.includes('hotPath.js.map'));
  assert.equal(mentions.length, 1, `one warning about the missing map:\n${run.stdout}`);
});

for (const [fixture, expected] of [
  ['broken/truncated.cpuprofile', /looks truncated/],
  ['broken/speedscope.json', /speedscope/i],
  ['broken/noSamples.cpuprofile', /no samples/],
  ['broken/danglingSample.cpuprofile', /refers to node 99, which is not in `nodes`/],
] as const) {
  test(`a malformed profile (${fixture}) gets a message, not a stack trace`, async () => {
    const run = await runCli(['summarize', join(fixtures, 'profiles', fixture)]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /is not a usable CPU profile: /);
    assert.match(run.stderr, expected);
    assert.doesNotMatch(run.stderr, /^\s+at /m);
  });
}

test('a file that does not exist is named', async () => {
  const run = await runCli(['summarize', 'nowhere.cpuprofile']);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /nowhere\.cpuprofile does not exist/);
});
