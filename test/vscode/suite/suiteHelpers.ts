// What the extension-host suites share: the demo folder they run in, and waiting for the editor.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

/** The workspace folder the suite runs with: the demo's. */
export function demoFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(folder, 'the tests run with the demo folder open');
  return folder;
}

/** Polls `check` every 100 ms until it gives a value; fails with "timed out" after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
