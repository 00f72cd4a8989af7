import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TargetInfo } from '../../server/protocol/protocol';
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

/** Attaches to a Node process the user picks from the machine's Node processes. */
export async function attachToProcess(client: ServerClient): Promise<TargetInfo | undefined> {
  const { processes } = await client.request('listNodeProcesses', {});
  if (processes.length === 0) {
    void vscode.window.showWarningMessage('PerfLens: no running Node.js process was found to attach to.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    processes.map((p) => ({ label: `$(debug-alt) ${p.pid}`, description: p.commandLine, detail: [p.cwd, p.inspectorUrl ? 'inspector open' : undefined].filter(Boolean).join(' · '), pid: p.pid })),
    { title: 'PerfLens: attach to which Node.js process?', matchOnDescription: true },
  );
  return pick ? client.request('attachTarget', { spec: `pid:${pick.pid}` }) : undefined;
}

/**
 * When no target is known: the configured `perflens.target.command` when there is one; otherwise
 * the user picks a way to launch the service, or a running process to attach to.
 */
export async function pickTarget(client: ServerClient, folder: vscode.WorkspaceFolder | undefined): Promise<TargetInfo | undefined> {
  const launchable = await launchChoices(folder);
  const configured = launchable.find((c) => c.description === SETTING);
  if (configured) return launch(client, configured);
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
