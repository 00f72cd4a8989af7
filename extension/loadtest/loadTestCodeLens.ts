import * as vscode from 'vscode';

export const loadTestDocumentSelector: vscode.DocumentSelector = [{ pattern: '**/*.load.json' }];

export function isLoadTestFile(uri: vscode.Uri): boolean {
  return uri.path.endsWith('.load.json');
}

/** Arguments of perflens.runLoadTest: a Uri (palette, editor title, tests) or these (CodeLens). */
export interface RunLoadTestArgs {
  uri: string;
  profile?: boolean;
}

/** "Run Load Test" and "Run with CPU profile" at the top of every *.load.json. */
export class LoadTestCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!isLoadTestFile(document.uri)) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const args = (profile: boolean): RunLoadTestArgs => ({ uri: document.uri.toString(), profile });
    return [
      new vscode.CodeLens(top, { title: '$(play) Run Load Test', command: 'perflens.runLoadTest', arguments: [args(false)], tooltip: 'Run this load test and check its thresholds' }),
      new vscode.CodeLens(top, { title: '$(flame) Run with CPU profile', command: 'perflens.runLoadTest', arguments: [args(true)], tooltip: 'Run this load test while sampling the service’s CPU' }),
    ];
  }
}
