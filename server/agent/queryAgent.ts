// The query capture of one run, over the target's inspector: arming the agent (agentInstall.ts puts
// it in place), the batches it pushes, disarming; and Explain's calls into it.
import type { CdpConnection } from '../cdp/connection';
import { AGENT_BINDING, type QueryCapture } from '../queries/captureTypes';
import type { ArmOptions } from './agent';
import { AGENT, callAgent, evaluateInTarget, withAgent } from './agentInstall';
import { QueryCollector } from './queryCollector';
import { decodeBatch, type WireBatch } from './wire';

/** A thread stuck in native code never answers: the capture so far is kept after this long. */
const DISARM_TIMEOUT_MS = 5000;

export const DEFAULT_ARM_OPTIONS: ArmOptions = { leakThresholdMs: 5000, firstStacks: 8, stackEvery: 256, flushMs: 1000, maxBuffered: 200_000, requestContext: true };

/** The agent armed in a target for one run. */
export class QueryAgent {
  private readonly disposeBinding: { dispose(): void };
  private disarmed?: Promise<QueryCapture>;

  private constructor(
    private readonly connection: CdpConnection,
    private readonly collector: QueryCollector,
    onBatch: ((capture: QueryCapture) => void) | undefined,
  ) {
    this.disposeBinding = connection.on('Runtime.bindingCalled', ({ name, payload }) => {
      if (name !== AGENT_BINDING) return;
      let batch: WireBatch;
      try {
        batch = JSON.parse(payload) as WireBatch;
        if (batch.type !== 'batch') return; // the vitals' beats and samples share the binding
        this.collector.add(decodeBatch(batch));
      } catch {
        return; // A payload we cannot read (another PerfLens's agent, a version mismatch): ignore it.
      }
      onBatch?.(this.collector.result());
    });
  }

  /**
   * Installs the agent (once per target) and arms it. Fails with the target's own error message.
   * `onBatch` hears the capture so far each time a batch arrives (about once a second).
   */
  static async arm(connection: CdpConnection, options: Partial<ArmOptions> = {}, onBatch?: (capture: QueryCapture) => void): Promise<QueryAgent> {
    const armed = await withAgent<{ status: QueryCapture['status']; atMs: number }>(connection, `${AGENT}.arm(${JSON.stringify({ ...DEFAULT_ARM_OPTIONS, ...options })})`);
    return new QueryAgent(connection, new QueryCollector(armed.status, armed.atMs), onBatch);
  }

  /** What the run has captured so far (batches arrive once a second). */
  get capture(): QueryCapture {
    return this.collector.result();
  }

  /**
   * Ends the run: the agent restores everything it wrapped and hands over its last records. When the
   * target is gone, what arrived before is the capture.
   */
  disarm(): Promise<QueryCapture> {
    this.disarmed ??= (async () => {
      try {
        if (!this.connection.isClosed) this.collector.add(decodeBatch(await evaluateInTarget<WireBatch>(this.connection, `${AGENT}?.disarm()`, false, DISARM_TIMEOUT_MS)));
      } catch {
        // The target went away: keep what arrived.
      } finally {
        this.disposeBinding.dispose();
      }
      return this.collector.result();
    })();
    return this.disarmed;
  }
}

/**
 * Runs EXPLAIN in the target on a client of the pool that ran `statement` (the id of the last run),
 * with the parameters of its slowest execution, which never leave the service. See agent.explain.
 */
export function explainInTarget(connection: CdpConnection, statement: number, explainSql: string, before: string[], after: string[]): Promise<unknown> {
  return callAgent(connection, `explain(${[statement, explainSql, before, after].map((a) => JSON.stringify(a)).join(', ')})`, true);
}

/** Runs one read on the pool that ran `statement` (see agent.run); resolves with its rows. */
export function runInTarget(connection: CdpConnection, statement: number, sql: string, values: unknown[]): Promise<Array<Record<string, unknown>>> {
  return callAgent(connection, `run(${[statement, sql, values].map((a) => JSON.stringify(a)).join(', ')})`, true);
}
