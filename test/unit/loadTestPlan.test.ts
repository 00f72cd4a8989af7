import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLoadTestFile, type Execution, type RequestSpec, type Scenario, withPort } from '../../server/loadtest/loadTestFile';
import { defaultConnections, pickRequests, planScenarios, totalDurationMs, type PlannedPhase } from '../../server/loadtest/planScenarios';

const root = join(__dirname, '..', '..');
const plan = (scenarios: Scenario[], execution: Execution = 'sequential') => planScenarios({ scenarios, execution });
/** [startMs, durationMs, rate] of each phase. */
const timing = (phases: PlannedPhase[]) => phases.map((p) => [p.startMs, p.durationMs, p.rate]);

test('ramp: evenly spaced whole rates from `from` to `to`, both included, over equal steps', () => {
  const cases: Array<[from: number, to: number, steps: number, durationMs: number, expected: Array<[number, number, number]>]> = [
    [10, 60, 5, 20_000, [[0, 4000, 10], [4000, 4000, 23], [8000, 4000, 35], [12_000, 4000, 48], [16_000, 4000, 60]]],
    [50, 10, 5, 60_000, [[0, 12_000, 50], [12_000, 12_000, 40], [24_000, 12_000, 30], [36_000, 12_000, 20], [48_000, 12_000, 10]]],
    [5, 20, 3, 10_000, [[0, 3000, 5], [3000, 4000, 13], [7000, 3000, 20]]], // steps start on whole seconds
    [1, 2, 2, 2000, [[0, 1000, 1], [1000, 1000, 2]]],
    [7, 7, 3, 3000, [[0, 1000, 7], [1000, 1000, 7], [2000, 1000, 7]]],
  ];
  for (const [from, to, steps, durationMs, expected] of cases) {
    const phases = plan([{ name: 'r', type: 'ramp', from, to, steps, durationMs }]);
    assert.deepEqual(timing(phases), expected, `${from}→${to} in ${steps}`);
    assert.deepEqual(phases.map((p) => p.step), expected.map((_, i) => i + 1));
    assert.equal(totalDurationMs(phases), durationMs);
    assert.ok(phases.every((p) => !p.open && p.scenario === 'r' && p.scenarioIndex === 0));
  }
});

test('spike: baseline, spike in the middle, baseline', () => {
  const cases: Array<[durationMs: number, spikeMs: number, expected: Array<[number, number, number]>]> = [
    [20_000, 5000, [[0, 7000, 20], [7000, 5000, 100], [12_000, 8000, 20]]], // the spike starts on a whole second
    [10_001, 3000, [[0, 3000, 20], [3000, 3000, 100], [6000, 4001, 20]]],
  ];
  for (const [durationMs, spikeDurationMs, expected] of cases) {
    const phases = plan([{ name: 's', type: 'spike', baseline: 20, spike: 100, spikeDurationMs, durationMs }]);
    assert.deepEqual(timing(phases), expected);
    assert.deepEqual(phases.map((p) => p.step), [1, 2, 3]);
    assert.deepEqual(phases.map((p) => p.connections), [20, 100, 20]);
  }
});

test('sustained and arrival-rate: one phase; only arrival-rate is open', () => {
  const phases = plan([
    { name: 'closed', type: 'sustained', connections: 4, durationMs: 5000 },
    { name: 'rated', type: 'sustained', rate: 40, durationMs: 3000, timeoutMs: 2000 },
    { name: 'open', type: 'arrival-rate', rate: 50, durationMs: 1000, connections: 8 },
  ]);
  assert.deepEqual(phases, [
    { scenario: 'closed', scenarioIndex: 0, startMs: 0, durationMs: 5000, connections: 4, open: false },
    { scenario: 'rated', scenarioIndex: 1, startMs: 5000, durationMs: 3000, rate: 40, connections: 40, open: false, timeoutMs: 2000 },
    { scenario: 'open', scenarioIndex: 2, startMs: 8000, durationMs: 1000, rate: 50, connections: 8, open: true },
  ]);
});

test('connections for a rate: the rate, at least 10, at most 200, unless the scenario sets them', () => {
  const cases: Array<[rate: number, connections: number]> = [[1, 10], [10, 10], [11, 11], [60, 60], [200, 200], [5000, 200]];
  for (const [rate, connections] of cases) assert.equal(defaultConnections(rate), connections, String(rate));
  const capped = plan([{ name: 'r', type: 'ramp', from: 100, to: 400, steps: 2, durationMs: 2000, connections: 50 }]);
  assert.deepEqual(capped.map((p) => p.connections), [50, 50]);
});

test('sequential scenarios run back to back; parallel ones all start at 0', () => {
  const file = parseLoadTestFile(readFileSync(join(root, 'test/fixtures/loadtests/full.load.json'), 'utf8'));
  const starts = (phases: PlannedPhase[]) => phases.map((p) => `${p.scenario}${p.step ? `#${p.step}` : ''}@${p.startMs}`);

  const sequential = planScenarios(file);
  assert.deepEqual(starts(sequential), [
    'warmup@0',
    'ramp-up#1@5000', 'ramp-up#2@9000', 'ramp-up#3@13000', 'ramp-up#4@17000', 'ramp-up#5@21000',
    'steady@25000',
    'spike#1@55000', 'spike#2@62000', 'spike#3@67000',
    'open@75000',
  ]);
  assert.equal(totalDurationMs(sequential), 105_000);
  // Back to back: each phase starts where the previous one ended.
  for (let i = 1; i < sequential.length; i++) assert.equal(sequential[i].startMs, sequential[i - 1].startMs + sequential[i - 1].durationMs);

  const parallel = planScenarios({ ...file, execution: 'parallel' });
  assert.deepEqual(starts(parallel), [
    'warmup@0',
    'ramp-up#1@0', 'ramp-up#2@4000', 'ramp-up#3@8000', 'ramp-up#4@12000', 'ramp-up#5@16000',
    'steady@0',
    'spike#1@0', 'spike#2@7000', 'spike#3@12000',
    'open@0',
  ]);
  assert.equal(totalDurationMs(parallel), 30_000);
  assert.equal(totalDurationMs([]), 0);
});

test('the demo load tests each run in under 20 s', () => {
  const cases: Array<[file: string, totalMs: number, rates: Array<number | undefined>]> = [
    ['demo/perf/report.load.json', 15_000, [10, 5, 13, 20]],
    ['demo/perf/breach.load.json', 8000, [60]],
  ];
  for (const [name, totalMs, rates] of cases) {
    const phases = planScenarios(parseLoadTestFile(withPort(readFileSync(join(root, name), 'utf8'), 3000), name));
    assert.equal(totalDurationMs(phases), totalMs, name);
    assert.deepEqual(phases.map((p) => p.rate), rates, name);
  }
});

test('pickRequests spreads weighted requests evenly in a deterministic cycle', () => {
  const request = (name: string, weight: number): RequestSpec => ({ name, method: 'GET', path: `/${name}`, headers: {}, weight });
  const cases: Array<[weights: Array<[string, number]>, sequence: string]> = [
    [[['a', 3], ['b', 1]], 'aaba'],
    [[['a', 1], ['b', 3]], 'babb'],
    [[['a', 30], ['b', 10]], 'aaba'],
    [[['a', 1], ['b', 1], ['c', 1]], 'abc'],
    [[['a', 5], ['b', 2], ['c', 1]], 'abaacaba'],
    [[['a', 4]], 'a'],
  ];
  for (const [weights, expected] of cases) {
    const sequence = pickRequests(weights.map(([n, w]) => request(n, w)));
    assert.equal(sequence.map((r) => r.name).join(''), expected, JSON.stringify(weights));
  }
  // Ratios hold exactly over a cycle, and no request waits much longer than its share between turns.
  const weights: Array<[string, number]> = [['a', 7], ['b', 3], ['c', 2], ['d', 1]];
  const sequence = pickRequests(weights.map(([n, w]) => request(n, w))).map((r) => r.name);
  assert.equal(sequence.length, 13);
  for (const [name, weight] of weights) {
    assert.equal(sequence.filter((n) => n === name).length, weight, name);
    const at = sequence.flatMap((n, i) => (n === name ? [i] : []));
    const gaps = at.map((i, k) => (k + 1 < at.length ? at[k + 1] - i : at[0] + sequence.length - i));
    assert.ok(Math.max(...gaps) <= Math.ceil(13 / weight) + 1, `${name}: gaps ${gaps}`);
  }
  assert.deepEqual(pickRequests([]), []);
});
