import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { NodeProcessInfo, TargetInfo } from '../../server/protocol/protocol';
import type { ServerClient } from '../server/serverClient';
import { splitCommandLine } from '../../server/target/splitCommandLine';

interface LaunchChoice extends vscode.QuickPickItem {
  choice: 'launch';
  command: string[];
  cwd: string;
}
interface AttachChoice extends vscode.QuickPickItem {
  choice: 'attach';
}
type Choice = LaunchChoice | AttachChoice;

const SETTING = 'perflens.target.command';

/** Launches the workspace's service from the command the user picks (settings, scripts, launch configurations). */
export async function launchService(client: ServerClient, folder: vscode.WorkspaceFolder | undefined): Promise<TargetInfo | undefined> {
  const choices = await launchChoices(folder);
  if (choices.length === 0) {
    void vscode.window.showWarningMessage('PerfLens: set `perflens.target.command` to the command that starts your service (e.g. `node dist/server.js`).', 'Open Settings').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'perflens.target.command');
    });
    return undefined;
  }
  const pick = choices.length === 1 ? choices[0] : await vscode.window.showQuickPick(choices, { title: 'PerfLens: launch which service?' });
  return pick ? launch(client, pick) : undefined;
}

type ProcessItem = vscode.QuickPickItem & { pid?: number; showAll?: boolean };

/** One process as a pick-list row: its command, ports and PID; its folder (relative to the workspace). */
function processItem(p: NodeProcessInfo): ProcessItem {
  const ports = p.ports.length ? p.ports.map((port) => `:${port}`).join(' ') : 'no port';
  const folder = p.cwd ? vscode.workspace.asRelativePath(p.cwd, true) : undefined;
  return {
    label: `${p.inWorkspace ? '$(server-process)' : '$(debug-alt)'} ${shortCommand(p.commandLine)}`,
    description: `${ports} · PID ${p.pid}`,
    detail: [folder && folder !== p.cwd ? `in ${folder}` : p.cwd, p.inspectorUrl ? 'inspector open' : undefined, p.commandLine.length > 80 ? p.commandLine : undefined].filter(Boolean).join(' · '),
    pid: p.pid,
  };
}

/**
 * Attaches to a Node process the user picks: the workspace's services first (with their ports and
 * folder); the editor's own processes (code-server, tsserver, PerfLens) are left out unless asked for.
 */
export async function attachToProcess(client: ServerClient): Promise<TargetInfo | undefined> {
  const workspaceFolders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const { processes } = await client.request('listNodeProcesses', { workspaceFolders });
  const shown = processes.filter((p) => !p.editor);
  if (processes.length === 0) {
    void vscode.window.showWarningMessage('PerfLens: no running Node.js process was found to attach to. Start your service, or launch it with "PerfLens: Launch Service".');
    return undefined;
  }
  let items: ProcessItem[] = [];
  const workspace = shown.filter((p) => p.inWorkspace);
  const others = shown.filter((p) => !p.inWorkspace);
  if (workspace.length) items.push({ label: 'In this workspace', kind: vscode.QuickPickItemKind.Separator }, ...workspace.map(processItem));
  if (others.length) items.push({ label: 'Other Node.js processes', kind: vscode.QuickPickItemKind.Separator }, ...others.map(processItem));
  const hidden = processes.length - shown.length;
  if (hidden) items.push({ label: `$(eye) Show the editor's own ${hidden} Node.js process${hidden === 1 ? '' : 'es'} too`, showAll: true });
  if (!shown.length) items = [{ label: "No service of yours is running: only the editor's own Node.js processes were found", kind: vscode.QuickPickItemKind.Separator }, ...processes.map(processItem)];
  let pick = await vscode.window.showQuickPick(items, { title: 'PerfLens: attach to which Node.js process?', matchOnDescription: true, matchOnDetail: true });
  if (pick?.showAll) pick = await vscode.window.showQuickPick(processes.map(processItem), { title: 'PerfLens: attach to which Node.js process? (all)', matchOnDescription: true, matchOnDetail: true });
  return pick?.pid !== undefined ? client.request('attachTarget', { spec: `pid:${pick.pid}` }) : undefined;
}

/** 'node dist/server.js' from '/usr/bin/node --enable-x /app/dist/server.js': the program and its script. */
function shortCommand(commandLine: string): string {
  const parts = commandLine.split(' ');
  const script = parts.slice(1).find((p) => !p.startsWith('-'));
  const program = parts[0].split('/').pop() ?? parts[0];
  const text = script ? `${program} ${script.split('/').slice(-2).join('/')}` : commandLine;
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * When no target is known: the configured `perflens.target.command` when there is one; otherwise
 * the user picks a way to launch the service, or a running process to attach to.
 */
export async function pickTarget(client: ServerClient, folder: vscode.WorkspaceFolder | undefined, options: { alwaysAsk?: boolean } = {}): Promise<TargetInfo | undefined> {
  const launchable = await launchChoices(folder);
  const configured = launchable.find((c) => c.description === SETTING);
  if (configured && !options.alwaysAsk) return launch(client, configured);
  const choices: Choice[] = [...launchable, { choice: 'attach', label: '$(plug) Attach to a running Node.js process…' }];
  const pick = await vscode.window.showQuickPick(choices, { title: 'PerfLens: which service should be profiled?' });
  if (!pick) return undefined;
  return pick.choice === 'attach' ? attachToProcess(client) : launch(client, pick);
}

async function launch(client: ServerClient, choice: LaunchChoice): Promise<TargetInfo> {
  return client.request('launchTarget', { command: choice.command, cwd: choice.cwd });
}

async function launchChoices(folder: vscode.WorkspaceFolder | undefined): Promise<LaunchChoice[]> {
  const config = vscode.workspace.getConfiguration('perflens', folder);
  const cwd = config.get<string>('target.cwd') || folder?.uri.fsPath || process.cwd();
  const choices: LaunchChoice[] = [];
  const command = config.get<string>('target.command')?.trim();
  if (command) choices.push({ choice: 'launch', label: `$(play) ${command}`, description: SETTING, command: splitCommandLine(command), cwd });
  if (folder) {
    try {
      const pkg = JSON.parse(await readFile(join(folder.uri.fsPath, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
      for (const name of ['start', 'serve', 'dev', 'start:prod']) {
        if (pkg.scripts?.[name]) choices.push({ choice: 'launch', label: `$(play) npm run ${name}`, description: pkg.scripts[name], command: ['npm', 'run', name], cwd: folder.uri.fsPath });
      }
    } catch {
      // No package.json in the folder: nothing to offer from it.
    }
    const launchConfigs = vscode.workspace.getConfiguration('launch', folder).get<Array<Record<string, unknown>>>('configurations') ?? [];
    for (const c of launchConfigs) {
      if (c.type !== 'node' || c.request !== 'launch' || typeof c.program !== 'string') continue;
      const resolve = (s: string) => s.replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath);
      const args = Array.isArray(c.args) ? (c.args as string[]).map(resolve) : [];
      const runtime = typeof c.runtimeExecutable === 'string' ? resolve(c.runtimeExecutable) : 'node';
      choices.push({ choice: 'launch', label: `$(play) ${String(c.name)}`, description: 'launch configuration', command: [runtime, resolve(c.program), ...args], cwd: typeof c.cwd === 'string' ? resolve(c.cwd) : folder.uri.fsPath });
    }
  }
  return choices;
}
