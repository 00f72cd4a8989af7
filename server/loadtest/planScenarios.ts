/**
 * Turns a load-test file's scenarios into timed phases of constant load, and its weighted requests
 * into the sequence the runner cycles through. Pure.
 */
import type { LoadTestFile, RequestSpec, Scenario } from './loadTestFile';

/** A stretch of constant load: one autocannon run. */
export interface PlannedPhase {
  /** The scenario's name. */
  scenario: string;
  /** Its position in the file. */
  scenarioIndex: number;
  /** 1-based: the step of a ramp, or the part of a spike (1 baseline, 2 spike, 3 baseline). */
  step?: number;
  /** From the start of the whole run. */
  startMs: number;
  durationMs: number;
  /** Requests per second; absent for a sustained scenario driven by connections alone. */
  rate?: number;
  connections: number;
  /** Open model (arrival-rate): requests arrive at `rate` whatever the latency. */
  open: boolean;
  /** The scenario's per-request timeout, if it sets one. */
  timeoutMs?: number;
}

export const MIN_DEFAULT_CONNECTIONS = 10;
export const MAX_DEFAULT_CONNECTIONS = 200;

/**
 * Connections for a phase with a rate, when the scenario does not set them: the rate, at least 10,
 * at most 200. By Little's law the requests in flight are rate × latency; one connection per
 * request/s keeps the rate while responses take under a second (under 10/rate s at low rates,
 * thanks to the floor of 10, which matters for the open model). More than that would mostly sit
 * idle (autocannon opens no more connections than the rate anyway); the ceiling of 200 bounds
 * sockets and worker memory: above 200 req/s the rate holds while latency stays under 200/rate s,
 * and a scenario that needs more says so with `connections`.
 */
export function defaultConnections(rate: number): number {
  return Math.min(MAX_DEFAULT_CONNECTIONS, Math.max(MIN_DEFAULT_CONNECTIONS, Math.ceil(rate)));
}

/**
 * The phases of every scenario. Sequential: scenarios back to back, in file order. Parallel: each
 * scenario starts at 0 and they overlap (the runner runs them in concurrent workers). Within a
 * scenario its phases are always back to back; their durations add up exactly to the scenario's.
 */
export function planScenarios(file: Pick<LoadTestFile, 'scenarios' | 'execution'>): PlannedPhase[] {
  const phases: PlannedPhase[] = [];
  let sequentialStart = 0;
  file.scenarios.forEach((scenario, scenarioIndex) => {
    const start = file.execution === 'parallel' ? 0 : sequentialStart;
    for (const part of scenarioParts(scenario)) {
      phases.push({
        scenario: scenario.name,
        scenarioIndex,
        ...(part.step !== undefined && { step: part.step }),
        startMs: start + part.offsetMs,
        durationMs: part.durationMs,
        ...(part.rate !== undefined && { rate: part.rate }),
        connections: scenario.connections ?? (part.rate !== undefined ? defaultConnections(part.rate) : MIN_DEFAULT_CONNECTIONS),
        open: scenario.type === 'arrival-rate',
        ...(scenario.timeoutMs !== undefined && { timeoutMs: scenario.timeoutMs }),
      });
    }
    sequentialStart += scenario.durationMs;
  });
  return phases;
}

/** When the last phase ends, from the start of the run. */
export function totalDurationMs(plan: readonly PlannedPhase[]): number {
  return plan.reduce((end, phase) => Math.max(end, phase.startMs + phase.durationMs), 0);
}

interface Part {
  step?: number;
  offsetMs: number;
  durationMs: number;
  rate?: number;
}

function scenarioParts(scenario: Scenario): Part[] {
  switch (scenario.type) {
    case 'sustained':
      return [{ offsetMs: 0, durationMs: scenario.durationMs, ...(scenario.rate !== undefined && { rate: scenario.rate }) }];
    case 'arrival-rate':
      return [{ offsetMs: 0, durationMs: scenario.durationMs, rate: scenario.rate }];
    case 'ramp': {
      const { steps, from, to, durationMs } = scenario;
      // Steps start on whole seconds (autocannon sends each second's share of a rate at the start
      // of that second, so a step of 3.3 s would get 4 seconds' worth); the last ends with the
      // duration, so the steps tile it exactly.
      const boundary = (i: number) => (i === steps ? durationMs : Math.round((i * durationMs) / steps / 1000) * 1000);
      return Array.from({ length: steps }, (_, i) => ({
        step: i + 1,
        offsetMs: boundary(i),
        durationMs: boundary(i + 1) - boundary(i),
        // Rates are whole requests per second (autocannon's overallRate); both ends are included.
        rate: Math.max(1, Math.round(from + ((to - from) * i) / (steps - 1))),
      }));
    }
    case 'spike': {
      const { baseline, spike, spikeDurationMs, durationMs } = scenario;
      const before = Math.floor((durationMs - spikeDurationMs) / 2 / 1000) * 1000; // on a whole second, as ramp steps
      const after = durationMs - spikeDurationMs - before;
      return [
        { step: 1, offsetMs: 0, durationMs: before, rate: baseline },
        { step: 2, offsetMs: before, durationMs: spikeDurationMs, rate: spike },
        { step: 3, offsetMs: before + spikeDurationMs, durationMs: after, rate: baseline },
      ];
    }
  }
}

/**
 * The requests in the order the runner cycles through them (autocannon's `requests` sends them in
 * turn): each appears `weight / g` times, g being the weights' greatest common divisor, spread as
 * evenly as it can be (smooth weighted round robin, ties to the earlier request): weights 3 and 1
 * give [a, a, b, a]. Deterministic.
 */
export function pickRequests(requests: readonly RequestSpec[]): RequestSpec[] {
  if (requests.length === 0) return [];
  const divisor = requests.map((r) => r.weight).reduce(gcd);
  const weights = requests.map((r) => r.weight / divisor);
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  const sequence: RequestSpec[] = [];
  for (let n = 0; n < total; n++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i] += weights[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    sequence.push(requests[best]);
  }
  return sequence;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
