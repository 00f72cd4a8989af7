// Puts the agent into the target for one run and takes it out again, over the target's inspector:
// the binding it reports through, the script itself, arming, the batches it pushes, disarming, and
// removal on detach (the service as it was).
import type { CdpConnection } from '../cdp/connection';
import { AGENT_BINDING, AGENT_GLOBAL, type QueryCapture } from '../queries/captureTypes';
import type { ArmOptions } from './agent';
import { agentSource } from './agentSource';
import { QueryCollector } from './queryCollector';
import { decodeBatch, type WireBatch } from './wire';

export const DEFAULT_ARM_OPTIONS: ArmOptions = { leakThresholdMs: 5000, firstStacks: 8, stackEvery: 256, flushMs: 1000, maxBuffered: 200_000, requestContext: true };

const AGENT = `globalThis[Symbol.for(${JSON.stringify(AGENT_GLOBAL)})]`;

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
    await connection.send('Runtime.addBinding', { name: AGENT_BINDING });
    const armed = await evaluate<{ status: QueryCapture['status']; atMs: number }>(
      connection,
      `(() => { if (!${AGENT}) { ${agentSource()} } return ${AGENT}.arm(${JSON.stringify({ ...DEFAULT_ARM_OPTIONS, ...options })}); })()`,
    );
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
        if (!this.connection.isClosed) this.collector.add(decodeBatch(await evaluate<WireBatch>(this.connection, `${AGENT}?.disarm()`)));
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
  const args = [statement, explainSql, before, after].map((a) => JSON.stringify(a)).join(', ');
  return evaluate(connection, `(() => { const agent = ${AGENT}; if (!agent) throw new Error('PerfLens is not in the service any more: profile the endpoint again'); return agent.explain(${args}); })()`, true);
}

/** Runs one read on the pool that ran `statement` (see agent.run); resolves with its rows. */
export function runInTarget(connection: CdpConnection, statement: number, sql: string, values: unknown[]): Promise<Array<Record<string, unknown>>> {
  const args = [statement, sql, values].map((a) => JSON.stringify(a)).join(', ');
  return evaluate(connection, `(() => { const agent = ${AGENT}; if (!agent) throw new Error('PerfLens is not in the service any more: profile the endpoint again'); return agent.run(${args}); })()`, true);
}

/** Takes the agent out of the target entirely (on detach): prototypes restored, its global and binding gone. */
export async function removeAgent(connection: CdpConnection): Promise<void> {
  if (connection.isClosed) return;
  await evaluate(connection, `(() => { ${AGENT}?.remove(); delete globalThis[${JSON.stringify(AGENT_BINDING)}]; })()`).catch(() => undefined);
  await connection.send('Runtime.removeBinding', { name: AGENT_BINDING }).catch(() => undefined);
}

async function evaluate<T>(connection: CdpConnection, expression: string, awaitPromise = false): Promise<T> {
  const { result, exceptionDetails } = await connection.send('Runtime.evaluate', { expression, returnByValue: true, includeCommandLineAPI: true, silent: true, awaitPromise });
  if (exceptionDetails) {
    const message = exceptionDetails.exception?.description?.split('\n')[0] ?? exceptionDetails.text;
    throw new Error(message);
  }
  return result.value as T;
}
