import * as vscode from 'vscode';
import type { ProfileEndpointArgs } from '../codelens/routeCodeLens';
import type { Guard } from '../commandGuard';
import { editRequest, pickSavedRequest } from './editRequest';
import type { RequestStore } from './savedRequest';

/** Edit Request…: from a route's lens (its request), or the palette (a remembered one picked). */
export function registerRequestCommands(context: vscode.ExtensionContext, { requests, guarded }: { requests: RequestStore; guarded: Guard }): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(
      'perflens.editRequest',
      guarded('Edit Request', async (args?: ProfileEndpointArgs) => {
        const request = args ? requests.get(args.route.method, args.route.path) : await pickSavedRequest(requests);
        if (!request) return;
        const folder = args ? vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(args.uri)) : vscode.workspace.workspaceFolders?.[0];
        await editRequest(requests, request, vscode.workspace.getConfiguration('perflens', folder).get<string>('baseUrl') ?? 'http://127.0.0.1:3000');
      }),
    ),
  );
}
