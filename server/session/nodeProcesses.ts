import { readFile, readdir, readlink, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { NodeProcessInfo } from '../protocol/protocol';
import { inspectorUrlOnPort, listeningPortsOf } from '../target/inspectorDiscovery';

export interface ListNodeProcessesOptions {
  /** PIDs to leave out (the server itself and its parent, the editor). */
  exclude?: number[];
}

/**
 * The Node.js processes of this user (Linux, from /proc), sorted by PID: command line, working
 * directory, and the inspector's WebSocket URL when its inspector is already open. An empty list
 * where /proc is not there.
 */
export async function listNodeProcesses(options: ListNodeProcessesOptions = {}): Promise<NodeProcessInfo[]> {
  const exclude = new Set(options.exclude ?? []);
  const uid = process.getuid?.();
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const pids = entries.filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => !exclude.has(pid));
  const found = await Promise.all(pids.map((pid) => describeNodeProcess(pid, uid)));
  return found.filter((p): p is NodeProcessInfo => p !== undefined).sort((a, b) => a.pid - b.pid);
}

async function describeNodeProcess(pid: number, uid: number | undefined): Promise<NodeProcessInfo | undefined> {
  try {
    if (uid !== undefined && (await stat(`/proc/${pid}`)).uid !== uid) return undefined;
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    if (argv.length === 0) return undefined; // a kernel thread or a zombie
    const exe = await readlink(`/proc/${pid}/exe`).catch(() => argv[0]);
    if (!/^node/.test(basename(exe)) && !/^node(js)?$/.test(basename(argv[0]))) return undefined;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
    const listening = await listeningPortsOf(pid);
    const inspector = await findInspector(listening);
    const ports = listening.filter((port) => port !== inspector?.port);
    return { pid, commandLine: argv.join(' '), ...(cwd ? { cwd } : {}), ...(inspector ? { inspectorUrl: inspector.url } : {}), ports };
  } catch {
    return undefined; // It exited while we looked.
  }
}

/** Asks each port the process listens on whether it is an inspector (`/json/list`). */
async function findInspector(ports: number[]): Promise<{ port: number; url: string } | undefined> {
  const urls = await Promise.all(ports.map((port) => inspectorUrlOnPort(port)));
  const at = urls.findIndex((url) => url !== undefined);
  return at < 0 ? undefined : { port: ports[at], url: urls[at]! };
}

/** The PIDs above `pid` (its parent, grandparent…), from /proc. */
export async function ancestorsOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (let current = pid; out.length < 64; ) {
    const stat = await readFile(`/proc/${current}/stat`, 'utf8').catch(() => '');
    const ppid = Number(/\) \S+ (\d+)/.exec(stat)?.[1] ?? 0);
    if (!ppid || ppid === 1 || out.includes(ppid)) break;
    out.push(ppid);
    current = ppid;
  }
  return out;
}
