import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { HeapDiff } from '../../server/heap/heapTypes';
import { ServerError, type ServerClient } from '../server/serverClient';
import { withHeapProgress } from './heapProgress';
import { compareSelectionProblem } from './heapText';
import { heapDir } from './takeSnapshotCommand';

export interface CompareSnapshotsDeps {
  client: () => Promise<ServerClient>;
  log: vscode.LogOutputChannel;
  onBusy: (busy: boolean) => void;
}

/**
 * Compare Heap Snapshots…: two or three .heapsnapshot files of one process (the Explorer's
 * selection, else picked in a dialog that opens in .perflens/heap/), oldest first by their times,
 * diffed by the server (memlab's method: what the second has and the first had not, still alive
 * in the last) with progress and Cancel. Undefined: the user gave up or cancelled.
 */
export async function compareSnapshotsCommand(args: readonly unknown[], storage: vscode.Uri, deps: CompareSnapshotsDeps): Promise<{ diff: HeapDiff; label: string } | undefined> {
  let uris = selectedUris(args);
  if (uris.length === 0) {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: true,
      defaultUri: vscode.Uri.file(heapDir(folder, storage)),
      filters: { 'Heap snapshots': ['heapsnapshot'] },
      openLabel: 'Compare',
      title: 'PerfLens: two or three heap snapshots of one process',
    });
    if (!picked) return undefined;
    uris = picked;
  }
  const problem = compareSelectionProblem(uris.length);
  if (problem) {
    void vscode.window.showErrorMessage(`PerfLens: ${problem}`);
    return undefined;
  }
  const files = await oldestFirst(uris.map((u) => u.fsPath));
  const label = files.map((f) => basename(f)).join(' → ');
  const client = await deps.client();
  deps.onBusy(true);
  try {
    const { diff } = await withHeapProgress(client, deps.log, { title: `PerfLens: comparing ${label}`, operation: 'diff' }, () => client.request('diffHeapSnapshots', { files }));
    return { diff, label };
  } catch (err) {
    if (err instanceof ServerError && err.code === 'CANCELLED') {
      vscode.window.setStatusBarMessage('PerfLens: comparing heap snapshots cancelled', 5000);
      return undefined;
    }
    throw err;
  } finally {
    deps.onBusy(false);
  }
}

/** What an Explorer menu passes: the clicked file, then every selected one. */
function selectedUris(args: readonly unknown[]): vscode.Uri[] {
  const [clicked, selected] = args;
  if (Array.isArray(selected) && selected.every((u) => u instanceof vscode.Uri)) return selected as vscode.Uri[];
  return clicked instanceof vscode.Uri ? [clicked] : [];
}

/** The files by modification time, oldest first (a diff needs them in the order they were taken). */
async function oldestFirst(files: readonly string[]): Promise<string[]> {
  const times = await Promise.all(files.map(async (file) => ({ file, at: (await stat(file)).mtimeMs })));
  return times.sort((a, b) => a.at - b.at).map((t) => t.file);
}
