import { readFile, readlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { inspectorUrlOnPort, listeningPortsOf } from './inspectorDiscovery';
import { redactSecrets } from '../text/redactSecrets';

/** An inspector we found (or opened) on a running process. */
export interface AttachPoint {
  wsUrl: string;
  pid?: number;
  /** True when we opened the inspector with SIGUSR1: detaching should close it again. */
  openedBySignal: boolean;
  description: string;
}

const SIGNAL_WAIT_MS = 5000;
const LOOPBACK_WS = /^ws:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+\//;

/**
 * Finds the inspector of a running service, from `pid:N`, `port:N`, a WebSocket URL, or a bare number
 * (an inspector port if one answers there, else a PID). A PID without an open inspector gets SIGUSR1,
 * which makes Node open one; we then find the port it really bound from /proc.
 */
export async function locateInspector(spec: string): Promise<AttachPoint> {
  const text = spec.trim();
  if (/^wss?:\/\//.test(text)) {
    if (!LOOPBACK_WS.test(text)) throw new Error(`--attach ${text}: PerfLens attaches only to inspectors on loopback (127.0.0.1, localhost, [::1]); an inspector reachable over the network runs anyone's code.`);
    return { wsUrl: text, openedBySignal: false, description: text };
  }
  const m = /^(?:(pid|port):)?(\d+)$/.exec(text);
  if (!m) throw new Error(`--attach ${JSON.stringify(spec)}: expected a PID, an inspector port or a ws:// URL (forms: 1234, pid:1234, port:9229, ws://127.0.0.1:9229/<id>)`);
  const [, kind, digits] = m;
  const n = Number(digits);
  if (kind === 'port' || !kind) {
    const wsUrl = await inspectorUrlOnPort(n);
    if (wsUrl) return { wsUrl, openedBySignal: false, description: `inspector port ${n}` };
    if (kind === 'port') throw new Error(`--attach port:${n}: no V8 inspector answers on 127.0.0.1:${n}. Start the service with --inspect=127.0.0.1:${n}, or attach by PID.`);
  }
  return attachToPid(n);
}

async function attachToPid(pid: number): Promise<AttachPoint> {
  const commandLine = await readCommandLine(pid);
  if (commandLine === undefined) throw new Error(`--attach ${pid}: no process with PID ${pid} exists (and no inspector answers on port ${pid}).`);
  if (!(await isNodeProcess(pid, commandLine))) throw new Error(`--attach ${pid}: PID ${pid} is \`${shorten(commandLine.join(' '))}\`, not a Node.js process.`);
  const description = `PID ${pid} (${shorten(redactSecrets(commandLine.join(' ')))})`;

  const existing = await findInspectorOf(pid);
  if (existing) return { wsUrl: existing, pid, openedBySignal: false, description };

  try {
    process.kill(pid, 'SIGUSR1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`--attach ${pid}: could not signal PID ${pid} to open its inspector (${code === 'EPERM' ? 'it belongs to another user' : code}).`, { cause: err });
  }
  const deadline = Date.now() + SIGNAL_WAIT_MS;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if ((await readCommandLine(pid)) === undefined) throw new Error(`--attach ${pid}: the process exited while its inspector was opening.`);
    const wsUrl = await findInspectorOf(pid);
    if (wsUrl) return { wsUrl, pid, openedBySignal: true, description };
  }
  throw new Error(
    `--attach ${pid}: sent SIGUSR1 but no inspector opened within ${SIGNAL_WAIT_MS / 1000} s. ` +
      `Port 9229 may be taken by another process (the target's own stderr says so), or the process was started with --disable-sigusr1. ` +
      `Start it with NODE_OPTIONS=--inspect-port=0 so SIGUSR1 binds a free port, or with --inspect=127.0.0.1:0.`,
  );
}

async function findInspectorOf(pid: number): Promise<string | undefined> {
  for (const port of await listeningPortsOf(pid)) {
    const url = await inspectorUrlOnPort(port);
    if (url) return url;
  }
  return undefined;
}

async function readCommandLine(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

async function isNodeProcess(pid: number, commandLine: string[]): Promise<boolean> {
  const exe = await readlink(`/proc/${pid}/exe`).catch(() => commandLine[0] ?? '');
  return /^node/.test(basename(exe)) || /^node(js)?$/.test(basename(commandLine[0] ?? ''));
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
