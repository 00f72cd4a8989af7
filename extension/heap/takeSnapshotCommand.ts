import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HeapSnapshotTaken } from '../../server/protocol/protocol';
import { ensureTarget } from '../profiling/endpointRun';
import { ServerError, type ServerClient } from '../server/serverClient';
import { withHeapProgress } from './heapProgress';
import { snapshotSavedText, snapshotWarning } from './heapText';

export interface TakeSnapshotDeps {
  client: () => Promise<ServerClient>;
  log: vscode.LogOutputChannel;
  onTargetChanged: () => void;
  onBusy: (busy: boolean) => void;
  /** Opens a snapshot in the summary editor. */
  openSummary: (uri: vscode.Uri) => Thenable<unknown>;
}

/** Where snapshots go: `.perflens/heap/` in the workspace folder (else the extension's storage). */
export function heapDir(folder: vscode.WorkspaceFolder | undefined, fallback: vscode.Uri): string {
  return join(folder?.uri.fsPath ?? fallback.fsPath, '.perflens', 'heap');
}

/**
 * Take Heap Snapshot: on the current target (or one launched or attached now, as Profile Endpoint
 * does), after a modal warning (the service pauses; about twice its heap in memory), streamed by the
 * server to .perflens/heap/ with V8's progress in a cancellable notification. Then the file's size
 * and [Open Summary] [Reveal in Explorer]. Undefined: the user gave up or cancelled.
 */
export async function takeSnapshotCommand(storage: vscode.Uri, deps: TakeSnapshotDeps): Promise<HeapSnapshotTaken | undefined> {
  const folder = vscode.window.activeTextEditor ? vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri) ?? vscode.workspace.workspaceFolders?.[0] : vscode.workspace.workspaceFolders?.[0];
  const client = await deps.client();
  const target = await ensureTarget(client, folder, deps.onTargetChanged);
  if (!target) return undefined;
  const take = 'Take Snapshot';
  const warning = snapshotWarning(target.description);
  if ((await vscode.window.showWarningMessage(warning.message, { modal: true, detail: warning.detail }, take)) !== take) return undefined;
  const outDir = heapDir(folder, storage);
  await mkdir(outDir, { recursive: true });
  deps.onBusy(true);
  let taken: HeapSnapshotTaken;
  try {
    taken = await withHeapProgress(client, deps.log, { title: `PerfLens: heap snapshot of ${target.description}`, operation: 'snapshot', first: 'asking V8 for the snapshot…' }, () => client.request('takeHeapSnapshot', { outDir }));
  } catch (err) {
    if (err instanceof ServerError && err.code === 'CANCELLED') {
      vscode.window.setStatusBarMessage('PerfLens: heap snapshot cancelled (nothing was kept)', 5000);
      return undefined;
    }
    throw err;
  } finally {
    deps.onBusy(false);
  }
  const uri = vscode.Uri.file(taken.file);
  deps.log.info(`heap snapshot of ${target.description}: ${taken.file}, ${taken.bytes} bytes in ${taken.durationMs} ms${taken.heapUsedBefore ? ` (heap used before: ${taken.heapUsedBefore} bytes)` : ''}`);
  void vscode.window.showInformationMessage(`PerfLens: ${snapshotSavedText(vscode.workspace.asRelativePath(uri), taken.bytes)}. It also opens in Chrome DevTools (Memory tab → Load).`, 'Open Summary', 'Reveal in Explorer').then((pick) => {
    if (pick === 'Open Summary') return deps.openSummary(uri);
    if (pick === 'Reveal in Explorer') return vscode.commands.executeCommand('revealInExplorer', uri);
    return undefined;
  });
  return taken;
}
