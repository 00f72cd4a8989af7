import type { CdpConnection } from '../cdp/connection';

/**
 * Leaves an attached service as it was. When we opened its inspector with SIGUSR1, we ask it to close
 * the inspector again, just after we disconnect (inspector.close() waits for sessions to end).
 */
export async function detach(connection: CdpConnection, closeInspector: boolean): Promise<void> {
  if (closeInspector && !connection.isClosed) {
    await connection
      .send('Runtime.evaluate', {
        expression: `(() => { const load = typeof require === 'function' ? require : process.getBuiltinModule; setTimeout(() => load('inspector').close(), 50); })()`,
        includeCommandLineAPI: true,
        silent: true,
      })
      .catch(() => undefined); // The target may be gone; there is then nothing to close.
  }
  await connection.close();
}
