// How the agent's batches travel through the binding: executions and checkouts as arrays of numbers
// (a run can send thousands of queries a second; objects would triple the JSON), everything else as
// the objects of captureTypes. Shared by the agent (which encodes) and the collector (which decodes).
import type { AgentBatch, Checkout, QueryExecution } from '../queries/captureTypes';

/**
 * Executions travel as one flat array, EXECUTION_FIELDS numbers each: statement, site, request,
 * startMs, ms, waitMs, rows, pool, errorIndex (into `errors`, -1 for none).
 */
export const EXECUTION_FIELDS = 9;
/** [pool, waitMs, heldMs, request] */
export type WireCheckout = [number, number, number, number];

export interface WireBatch extends Omit<AgentBatch, 'executions' | 'checkouts'> {
  /** EXECUTION_FIELDS numbers per execution, one after the other. */
  executions: number[];
  checkouts: WireCheckout[];
  /** The errors the executions point at: [SQLSTATE or '?', first line of the message]. */
  errors: Array<[string, string]>;
}

/** Rounds to 1 µs: enough for database times, and short in JSON. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export function decodeBatch(wire: WireBatch): AgentBatch {
  const executions: QueryExecution[] = [];
  const flat = wire.executions;
  for (let i = 0; i + EXECUTION_FIELDS <= flat.length; i += EXECUTION_FIELDS) {
    const [statement, site, request, startMs, ms, waitMs, rows, pool, errorIndex] = flat.slice(i, i + EXECUTION_FIELDS) as number[];
    const error = errorIndex! >= 0 ? wire.errors[errorIndex!] : undefined;
    executions.push({ statement: statement!, site: site!, request: request!, startMs: startMs!, ms: ms!, waitMs: waitMs!, rows: rows!, pool: pool!, ...(error ? { errorCode: error[0], errorMessage: error[1] } : {}) });
  }
  const checkouts = wire.checkouts.map(([pool, waitMs, heldMs, request]): Checkout => ({ pool, waitMs, heldMs, request }));
  const { errors: _errors, ...rest } = wire;
  return { ...rest, executions, checkouts };
}
