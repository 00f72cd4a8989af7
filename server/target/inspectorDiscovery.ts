import { readFile, readdir, readlink } from 'node:fs/promises';
import http from 'node:http';

export interface InspectorTarget {
  id: string;
  type: string;
  title: string;
  url: string;
  webSocketDebuggerUrl: string;
}

const LISTENING_LINE = /Debugger listening on (ws:\/\/\S+)/;

/** The inspector URL a Node process prints on stderr when its inspector opens, if this line is it. */
export function inspectorUrlFromLine(line: string): string | undefined {
  return LISTENING_LINE.exec(line)?.[1];
}

/** Asks an inspector port for its targets (`/json/list`). Rejects when nothing answers like an inspector. */
export function fetchInspectorTargets(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<InspectorTarget[]> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/json/list', timeout: timeoutMs, headers: { host: `${host}:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        try {
          const list = JSON.parse(body) as InspectorTarget[];
          if (!Array.isArray(list) || !list.every((t) => typeof t.webSocketDebuggerUrl === 'string')) throw new Error('not an inspector target list');
          resolve(list);
        } catch {
          reject(new Error(`port ${port} answered, but not as a V8 inspector`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from port ${port} within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** The first debuggable target's WebSocket URL on an inspector port, or undefined when it is no inspector. */
export async function inspectorUrlOnPort(port: number, host = '127.0.0.1'): Promise<string | undefined> {
  try {
    const targets = await fetchInspectorTargets(port, host);
    return targets.find((t) => t.type === 'node')?.webSocketDebuggerUrl ?? targets[0]?.webSocketDebuggerUrl;
  } catch {
    return undefined;
  }
}

/**
 * TCP ports a process listens on, found by matching its socket inodes (/proc/PID/fd) with LISTEN rows of
 * /proc/net/tcp and tcp6. Linux only; an empty list elsewhere or when the process is gone.
 */
export async function listeningPortsOf(pid: number): Promise<number[]> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const inodes = new Set<string>();
  await Promise.all(
    fds.map(async (fd) => {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m) inodes.add(m[1]);
    }),
  );
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const row of text.split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      // cols: sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9])) continue;
      const port = parseInt(cols[1].split(':')[1], 16);
      if (!ports.includes(port)) ports.push(port);
    }
  }
  return ports;
}
