// How the agent's batches travel through the binding: executions and checkouts as arrays of numbers
// (a run can send thousands of queries a second; objects would triple the JSON), everything else as
// the objects of captureTypes. Shared by the agent (which encodes) and the collector (which decodes).
import type { AgentBatch, Checkout, QueryExecution } from '../queries/captureTypes';

/** [statement, site, request, startMs, ms, waitMs, rows, pool, errorIndex] — errorIndex into `errors`, -1 for none. */
export type WireExecution = [number, number, number, number, number, number, number, number, number];
/** [pool, waitMs, heldMs, request] */
export type WireCheckout = [number, number, number, number];

export interface WireBatch extends Omit<AgentBatch, 'executions' | 'checkouts'> {
  executions: WireExecution[];
  checkouts: WireCheckout[];
  /** The errors the executions point at: [SQLSTATE or '?', first line of the message]. */
  errors: Array<[string, string]>;
}

/** Rounds to 1 µs: enough for database times, and short in JSON. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export function decodeBatch(wire: WireBatch): AgentBatch {
  const executions = wire.executions.map(([statement, site, request, startMs, ms, waitMs, rows, pool, errorIndex]): QueryExecution => {
    const error = errorIndex >= 0 ? wire.errors[errorIndex] : undefined;
    return { statement, site, request, startMs, ms, waitMs, rows, pool, ...(error ? { errorCode: error[0], errorMessage: error[1] } : {}) };
  });
  const checkouts = wire.checkouts.map(([pool, waitMs, heldMs, request]): Checkout => ({ pool, waitMs, heldMs, request }));
  const { errors: _errors, ...rest } = wire;
  return { ...rest, executions, checkouts };
}
