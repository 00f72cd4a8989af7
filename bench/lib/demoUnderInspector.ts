// The demo started the way `perflens profile` starts a service (LaunchedTarget: --inspect on
// 127.0.0.1:0), answering, with one CDP connection to it; stopped with everything it started.
import { connectCdp, type CdpConnection } from '../../server/cdp/connection';
import { LaunchedTarget } from '../../server/target/launchTarget';
import { databaseUrl, demoServer, freePort, registerGroup, root, waitUntilAnswering } from './processes';

export interface DemoUnderInspector {
  target: LaunchedTarget;
  connection: CdpConnection;
  /** http://127.0.0.1:PORT */
  base: string;
  stop(): Promise<void>;
}

/** `node`: the Node.js binary to run the demo with (default this one). */
export async function startDemoUnderInspector(node = process.execPath): Promise<DemoUnderInspector> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const target = await LaunchedTarget.start([node, demoServer], { cwd: root, env: { DATABASE_URL: databaseUrl(), PORT: String(port) } });
  const unregister = registerGroup(target.pid);
  try {
    await waitUntilAnswering(`${base}/health`, 60_000, () => target.hasExited, () => target.formatTail());
    const connection = await connectCdp(await target.inspectorUrl());
    return {
      target,
      connection,
      base,
      stop: async () => {
        await connection.close().catch(() => undefined);
        await target.stop();
        unregister();
      },
    };
  } catch (err) {
    await target.stop();
    unregister();
    throw err;
  }
}
