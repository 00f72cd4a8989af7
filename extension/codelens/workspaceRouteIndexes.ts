import * as vscode from 'vscode';
import { WorkspaceRouteIndex } from '../../server/routes/workspaceRoutes';
import { fsSourceHost } from '../../server/workspace/fsSourceHost';

/** Files whose change can change a route's full path: scripts, and tsconfig (paths/baseUrl). */
const WATCHED = '**/{*.ts,*.tsx,*.mts,*.cts,*.js,*.jsx,*.mjs,*.cjs,tsconfig.json}';

/** '/'-separated absolute path, as the route analysis takes them. */
export function analysisPath(uri: vscode.Uri): string {
  return uri.fsPath.split('\\').join('/');
}

/**
 * One WorkspaceRouteIndex per workspace folder, built from the disk on first use and told about
 * every change: saved, created or deleted files (a file system watcher) and closed editors (their
 * unsaved text no longer counts). `onDidChange` fires when a full path may have changed.
 */
export class WorkspaceRouteIndexes implements vscode.Disposable {
  private readonly indexes = new Map<string, WorkspaceRouteIndex>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  readonly onDidChange = this.changed.event;

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(WATCHED);
    const onFile = (uri: vscode.Uri) => this.invalidate(uri);
    this.disposables.push(
      watcher,
      watcher.onDidChange(onFile),
      watcher.onDidCreate(onFile),
      watcher.onDidDelete(onFile),
      vscode.workspace.onDidCloseTextDocument((document) => {
        for (const index of this.indexes.values()) index.setText(analysisPath(document.uri), undefined);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.indexes.clear();
        this.changed.fire();
      }),
      this.changed,
    );
  }

  /** The index of the folder holding a file, or undefined for a file in no workspace folder. */
  forDocument(uri: vscode.Uri): WorkspaceRouteIndex | undefined {
    if (uri.scheme !== 'file') return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder || folder.uri.scheme !== 'file') return undefined;
    const key = folder.uri.toString();
    let index = this.indexes.get(key);
    if (!index) {
      index = new WorkspaceRouteIndex(fsSourceHost(), analysisPath(folder.uri));
      this.indexes.set(key, index);
    }
    return index;
  }

  private invalidate(uri: vscode.Uri): void {
    const path = analysisPath(uri);
    const all = uri.path.endsWith('/tsconfig.json');
    for (const index of this.indexes.values()) {
      if (all) index.invalidate();
      else index.invalidate(path);
    }
    if (this.indexes.size) this.changed.fire();
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    this.indexes.clear();
  }
}
