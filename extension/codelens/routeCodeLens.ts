import * as vscode from 'vscode';
import { detectRoutes, type RouteInfo } from '../../server/routes/detectRoutes';

/** What the CodeLens hands to `perflens.profileEndpoint`. */
export interface ProfileEndpointArgs {
  route: Pick<RouteInfo, 'method' | 'path' | 'handlerName' | 'framework'> & Partial<Pick<RouteInfo, 'line' | 'character'>>;
  uri: string;
}

/** "Profile this endpoint" above every route handler, found with a real parser. */
export class RouteCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    return detectRoutes(document.fileName, document.getText()).map((route) => {
      const range = new vscode.Range(route.line, route.character, route.line, route.character);
      const args: ProfileEndpointArgs = { route: { method: route.method, path: route.path, handlerName: route.handlerName, framework: route.framework, line: route.line, character: route.character }, uri: document.uri.toString() };
      return new vscode.CodeLens(range, { title: `$(flame) Profile this endpoint (${route.method} ${route.path})`, command: 'perflens.profileEndpoint', arguments: [args] });
    });
  }
}

export const routeDocumentSelector: vscode.DocumentSelector = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact'].map((language) => ({ scheme: 'file', language }));
