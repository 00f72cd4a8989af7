// Which Node.js processes the user most likely means: the workspace's services first (running in a
// workspace folder, listening on a port), and the editor's own processes (code-server, the extension
// host, tsserver, PerfLens's server) marked so a picker can hide them. Pure.
import type { NodeProcessInfo } from '../protocol/protocol';

/** Command lines of the editor's own Node processes and language servers. */
const EDITOR_PATTERNS = [
  /code-server/,
  /vscode-server|\.vscode-test\//,
  /--type=extensionHost|extensionHost(Process)?\.js|bootstrap-fork/,
  /tsserver(\.js)?\b|typingsInstaller(\.js)?\b/,
  /(eslintServer|jsonServerMain|cssServerMain|htmlServerMain|markdown-language-features|server-main)\.js/,
  /\bperflens\b.*\bserve\b|dist\/server\.js serve\b/,
];

export function isEditorProcess(commandLine: string): boolean {
  return EDITOR_PATTERNS.some((p) => p.test(commandLine));
}

function inFolder(cwd: string | undefined, folder: string): boolean {
  if (!cwd) return false;
  const base = folder.replace(/[\\/]+$/, '');
  return cwd === base || cwd.startsWith(`${base}/`) || cwd.startsWith(`${base}\\`);
}

/**
 * Marks `editor` (by command line, or being one of `editorPids`: the server's own ancestors) and
 * `inWorkspace`, and sorts: workspace processes that listen on a port, other workspace processes,
 * other processes with a port, the rest, the editor's last; then by PID.
 */
export function orderProcesses(processes: readonly NodeProcessInfo[], workspaceFolders: readonly string[], editorPids: ReadonlySet<number> = new Set()): NodeProcessInfo[] {
  const rank = (p: NodeProcessInfo) => (p.editor ? 4 : p.inWorkspace ? (p.ports.length ? 0 : 1) : p.ports.length ? 2 : 3);
  return processes
    .map((p) => ({ ...p, inWorkspace: workspaceFolders.some((f) => inFolder(p.cwd, f)), editor: editorPids.has(p.pid) || isEditorProcess(p.commandLine) }))
    .sort((a, b) => rank(a) - rank(b) || a.pid - b.pid);
}
