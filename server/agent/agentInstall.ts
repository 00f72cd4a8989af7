// Putting the agent into the target and taking it out again, over the target's inspector: the one
// binding every report comes through, the script itself (once per target, replaced when another
// PerfLens version left its own), evaluation with the target's error as the message, and removal on
// detach (the service as it was). The query capture (queryAgent.ts) and the vitals
// (vitalsStream.ts) both go through here.
import type { CdpConnection } from '../cdp/connection';
import { AGENT_BINDING, AGENT_GLOBAL, AGENT_VERSION } from '../queries/captureTypes';
import { agentSource } from './agentSource';

/** The agent's global in the target, as an expression. */
export const AGENT = `globalThis[Symbol.for(${JSON.stringify(AGENT_GLOBAL)})]`;

/** The name the agent's script has in stacks and in Debugger.scriptParsed: frames there are PerfLens's own. */
export const AGENT_SCRIPT_URL = 'perflens-agent.js';

/** Adds the binding and evaluates the agent unless this version is there already; then evaluates `then` (an expression using AGENT). */
export async function withAgent<T>(connection: CdpConnection, then: string): Promise<T> {
  await connection.send('Runtime.addBinding', { name: AGENT_BINDING });
  const install = `if (!${AGENT} || ${AGENT}.version !== ${AGENT_VERSION}) { ${AGENT}?.remove(); ${agentSource()} }`;
  return evaluateInTarget<T>(connection, `(() => { ${install} return ${then}; })()\n//# sourceURL=${AGENT_SCRIPT_URL}`);
}

/** Evaluates `expression` against an agent already in place; fails with a message for the user when it is gone. */
export function callAgent<T>(connection: CdpConnection, call: string, awaitPromise = false): Promise<T> {
  return evaluateInTarget<T>(connection, `(() => { const agent = ${AGENT}; if (!agent) throw new Error('PerfLens is not in the service any more: profile the endpoint again'); return agent.${call}; })()\n//# sourceURL=${AGENT_SCRIPT_URL}`, awaitPromise);
}

/** Takes the agent out of the target entirely (on detach): prototypes restored, timers stopped, its global and binding gone. */
export async function removeAgent(connection: CdpConnection): Promise<void> {
  if (connection.isClosed) return;
  await evaluateInTarget(connection, `(() => { ${AGENT}?.remove(); delete globalThis[${JSON.stringify(AGENT_BINDING)}]; })()`, false, 5000).catch(() => undefined);
  await connection.send('Runtime.removeBinding', { name: AGENT_BINDING }).catch(() => undefined);
}

/**
 * Evaluates in the target and returns the value; fails with the target's own error message. With
 * `timeoutMs`, gives up after that long (a thread stuck in native code never answers).
 */
export async function evaluateInTarget<T>(connection: CdpConnection, expression: string, awaitPromise = false, timeoutMs?: number): Promise<T> {
  const sent = connection.send('Runtime.evaluate', { expression, returnByValue: true, includeCommandLineAPI: true, silent: true, awaitPromise });
  let timer: NodeJS.Timeout | undefined;
  const answer = timeoutMs === undefined ? sent : Promise.race([sent, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the service did not answer within ${timeoutMs / 1000} s`)), timeoutMs)))]);
  try {
    const { result, exceptionDetails } = await answer;
    if (exceptionDetails) {
      const message = exceptionDetails.exception?.description?.split('\n')[0] ?? exceptionDetails.text;
      throw new Error(message);
    }
    return result.value as T;
  } finally {
    clearTimeout(timer);
  }
}
