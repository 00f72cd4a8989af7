import * as vscode from 'vscode';

/**
 * Opens the file at the line (1-based), the line in the middle: in the first editor group, or beside
 * the panel when the panel is in the first (the code then does not cover the panel).
 */
export async function openBesidePanel(file: string, line: number, column = 1, panelColumn?: vscode.ViewColumn): Promise<void> {
  const pos = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  const viewColumn = panelColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn, selection: new vscode.Range(pos, pos) });
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
