import * as vscode from 'vscode';
import type { WorkspaceRoute } from '../../server/routes/fullPaths';
import { detectRoutes, type RouteInfo } from '../../server/routes/detectRoutes';
import { analysisPath, WorkspaceRouteIndexes } from './workspaceRouteIndexes';

/** What the CodeLens hands to `perflens.profileEndpoint` (and `perflens.findLeak`, `perflens.editRequest`). */
export interface ProfileEndpointArgs {
  /** `path` is the full path: the prefixes other files mount the route's router at included. */
  route: Pick<RouteInfo, 'method' | 'path' | 'handlerName' | 'framework'> & Partial<Pick<RouteInfo, 'line' | 'character'>>;
  uri: string;
}

/**
 * "Profile this endpoint" and "Find leak" above every route handler, found with a real parser, with its full path
 * from the workspace's mount graph (the open document's unsaved text counts). Files outside any
 * workspace folder get the paths their own text gives. Pass `subscriptions` to have the file
 * watcher behind the index disposed with the extension.
 */
export class RouteCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly indexes = new WorkspaceRouteIndexes();
  readonly onDidChangeCodeLenses = this.indexes.onDidChange;

  constructor(subscriptions?: vscode.Disposable[]) {
    subscriptions?.push(this);
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    return this.routes(document).flatMap((route) => {
      const range = new vscode.Range(route.line, route.character, route.line, route.character);
      const args: ProfileEndpointArgs = { route: { method: route.method, path: route.path, handlerName: route.handlerName, framework: route.framework, line: route.line, character: route.character }, uri: document.uri.toString() };
      const tooltip = route.prefixUnknown ? 'Part of the prefix is computed at run time or mounted where PerfLens cannot follow: the path shows what is known.' : undefined;
      return [
        new vscode.CodeLens(range, { title: `$(flame) Profile this endpoint (${route.method} ${route.path})`, command: 'perflens.profileEndpoint', arguments: [args], ...(tooltip ? { tooltip } : {}) }),
        new vscode.CodeLens(range, { title: '$(search) Find leak', command: 'perflens.findLeak', arguments: [args], tooltip: 'Three heap snapshots with the same load on this route between them: what it leaves alive, held by what, allocated at which line' }),
        new vscode.CodeLens(range, { title: 'Edit Request…', command: 'perflens.editRequest', arguments: [args], tooltip: 'The path values, query string, headers and body PerfLens sends to this route' }),
      ];
    });
  }

  /** Every route of the workspace folder holding `uri` (or of the first folder). */
  workspaceRoutes(uri?: vscode.Uri): WorkspaceRoute[] {
    const folder = uri ? vscode.workspace.getWorkspaceFolder(uri) : vscode.workspace.workspaceFolders?.[0];
    const index = folder && this.indexes.forDocument(folder.uri);
    return index ? index.all() : [];
  }

  private routes(document: vscode.TextDocument): Array<RouteInfo & { prefixUnknown?: boolean }> {
    const index = this.indexes.forDocument(document.uri);
    if (!index) return detectRoutes(document.fileName, document.getText());
    return index.routesOf(analysisPath(document.uri), document.getText());
  }

  dispose(): void {
    this.indexes.dispose();
  }
}

export const routeDocumentSelector: vscode.DocumentSelector = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact'].map((language) => ({ scheme: 'file', language }));
