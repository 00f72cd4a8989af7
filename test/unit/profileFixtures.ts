// Fixture profiles for the analysis tests. Real profiles store script URLs as
// file:///FIXTURE_ROOT/... (see scripts/fixtures/makeProfiles.mjs); they are read back with the
// real test/fixtures folder in its place.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Protocol } from 'devtools-protocol';
import { parseCpuProfile } from '../../server/analysis/parseCpuProfile';
import { buildProfileModel, type ProfileModel } from '../../server/analysis/profileModel';
import type { LoadSummary } from '../../server/load/loadTypes';

export const fixturesDir = join(__dirname, '..', 'fixtures');
export const profilesDir = join(fixturesDir, 'profiles');
export const workloadsDir = join(fixturesDir, 'workloads');

/** The text of a fixture under test/fixtures/profiles/, with FIXTURE_ROOT replaced. */
export function fixtureText(path: string): string {
  return readFileSync(join(profilesDir, path), 'utf8').split('file:///FIXTURE_ROOT').join(pathToFileURL(fixturesDir).href);
}

export function fixtureProfile(path: string): Protocol.Profiler.Profile {
  return parseCpuProfile(fixtureText(path));
}

export function fixtureModel(path: string): ProfileModel {
  return buildProfileModel(fixtureProfile(path));
}

/** Profiles recorded from the workloads: `<producer>/<node version>/<name>.cpuprofile`. */
export function recordedFixtures(): string[] {
  const found: string[] = [];
  for (const producer of readdirSync(profilesDir)) {
    if (producer === 'synthetic' || producer === 'broken') continue;
    for (const version of readdirSync(join(profilesDir, producer))) {
      for (const file of readdirSync(join(profilesDir, producer, version))) {
        if (file.endsWith('.cpuprofile')) found.push(`${producer}/${version}/${file}`);
      }
    }
  }
  return found.sort();
}

/**
 * Compares text with a committed golden file; UPDATE_GOLDEN=1 rewrites the file instead. A missing
 * golden fails too: create it with UPDATE_GOLDEN=1 and review it.
 */
export function assertGolden(goldenPath: string, actual: string): void {
  const shown = relative(join(__dirname, '..', '..'), goldenPath);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(goldenPath), { recursive: true });
    writeFileSync(goldenPath, actual);
    return;
  }
  assert.ok(existsSync(goldenPath), `golden file ${shown} is missing: run with UPDATE_GOLDEN=1 to create it`);
  assert.equal(actual, readFileSync(goldenPath, 'utf8'), `output differs from ${shown} (UPDATE_GOLDEN=1 rewrites it)`);
}

/** Sum of a typed array or number list. */
export function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

/** A chain root → f → f → … deeper than any call stack: nothing may recurse. */
export function deepChainProfile(depth: number): Protocol.Profiler.Profile {
  const frame = (functionName: string, url = 'file:///app/deep.js'): Protocol.Runtime.CallFrame => ({ functionName, scriptId: '1', url, lineNumber: 3, columnNumber: 9 });
  const nodes: Protocol.Profiler.ProfileNode[] = [{ id: 1, callFrame: frame('(root)', ''), children: [2] }];
  for (let id = 2; id <= depth + 1; id++) nodes.push({ id, callFrame: frame('f'), children: id <= depth ? [id + 1] : [], positionTicks: [{ line: 5, ticks: 1 }] });
  const samples = [depth + 1, depth + 1, 2, Math.floor(depth / 2)];
  return { nodes, startTime: 0, endTime: 5000, samples, timeDeltas: samples.map(() => 1000) };
}

/** A load summary with every figure set, for report tests. */
export const sampleLoad: LoadSummary = {
  url: 'http://127.0.0.1:3000/orders',
  method: 'GET',
  connections: 10,
  requests: 1234,
  durationMs: 3000,
  rps: 411.33,
  latency: { p50: 1.2, p90: 2.5, p95: 3.4, p99: 5.6, max: 12, mean: 1.5 },
  errors: { total: 3, timeouts: 1, non2xx: 2, failed: 5, byStatus: { '500': 2 }, statusCodes: { '200': 1229, '500': 2 }, byKind: { ETIMEDOUT: 1, ECONNRESET: 2 } },
  stoppedEarly: false,
};
