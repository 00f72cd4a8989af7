import * as vscode from 'vscode';

/** PerfLens's open panels: a new one joins their column, so results share one side column. */
const open = new Set<vscode.WebviewPanel>();

/** The column of an open PerfLens panel, else beside the editor. */
export function sideColumn(): vscode.ViewColumn {
  for (const panel of open) if (panel.viewColumn !== undefined) return panel.viewColumn;
  return vscode.ViewColumn.Beside;
}

/** Creates a PerfLens panel in the shared side column, without taking the focus from the code. */
export function createSidePanel(viewType: string, title: string, options: vscode.WebviewPanelOptions & vscode.WebviewOptions): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(viewType, title, { viewColumn: sideColumn(), preserveFocus: true }, options);
  open.add(panel);
  panel.onDidDispose(() => open.delete(panel));
  return panel;
}
