import * as vscode from 'vscode';
import type { Guard } from '../commandGuard';
import type { ProfilerServer } from '../server/profilerServer';
import type { StatusBar } from '../statusBar';
import { attachToProcess, launchService, pickTarget } from './targetPicker';

export interface TargetCommandDeps {
  server: ProfilerServer;
  status: StatusBar;
  guarded: Guard;
  /** The last profile shown in this window, for the menu's "Open Last Profile". */
  lastProfileTitle: () => string | undefined;
}

/** The target's commands: Attach, Launch, Switch Target, Detach, and the status bar's menu of them. */
export function registerTargetCommands(context: vscode.ExtensionContext, { server, status, guarded, lastProfileTitle }: TargetCommandDeps): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(
      'perflens.attach',
      guarded('Attach', async () => {
        const target = await attachToProcess(await server.client());
        if (target) status.setTarget(target.description);
      }),
    ),
    vscode.commands.registerCommand(
      'perflens.launch',
      guarded('Launch Service', async () => {
        const client = await server.client();
        if ((await client.request('getTarget', {})).target) await client.request('releaseTarget', {});
        const target = await launchService(client, vscode.workspace.workspaceFolders?.[0]);
        if (target) status.setTarget(target.description);
      }),
    ),
    vscode.commands.registerCommand(
      'perflens.detach',
      guarded('Detach', async () => {
        const client = await server.client();
        const { target } = await client.request('getTarget', {});
        if (!target) return void vscode.window.showInformationMessage('PerfLens: no target to detach from.');
        await client.request('releaseTarget', {});
        status.setTarget(undefined);
        void vscode.window.showInformationMessage(target.kind === 'launched' ? `PerfLens: stopped ${target.description}, which it had launched.` : `PerfLens: detached from ${target.description}; it runs on as it was.`);
      }),
    ),
    vscode.commands.registerCommand(
      'perflens.switchTarget',
      guarded('Switch Target', async () => {
        const client = await server.client();
        const target = await pickTarget(client, vscode.workspace.workspaceFolders?.[0], { alwaysAsk: true });
        status.setTarget(target?.description ?? (await client.request('getTarget', {})).target?.description);
      }),
    ),
    vscode.commands.registerCommand(
      'perflens.statusMenu',
      guarded('PerfLens menu', async () => {
        const { target } = await (await server.client()).request('getTarget', {});
        const last = lastProfileTitle();
        const items = [
          { label: '$(plug) Switch Target…', description: target?.description, command: 'perflens.switchTarget' },
          ...(target ? [{ label: target.kind === 'launched' ? '$(debug-stop) Stop the Launched Service' : '$(debug-disconnect) Detach', description: target.description, command: 'perflens.detach' }] : []),
          { label: '$(edit) Edit Request…', command: 'perflens.editRequest' },
          ...(last ? [{ label: '$(flame) Open Last Profile', description: last, command: 'perflens.openLastProfile' }] : []),
          { label: '$(output) Show Log', command: 'perflens.showLog' },
        ];
        const pick = await vscode.window.showQuickPick(items, { title: target ? `PerfLens: ${target.description}` : 'PerfLens: no target yet' });
        if (pick) await vscode.commands.executeCommand(pick.command);
      }),
    ),
  );
}
