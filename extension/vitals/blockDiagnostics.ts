import * as vscode from 'vscode';
import type { BlockIndex, BlockLine } from './blockIndex';

/** The diagnostics' code: a block of the event loop at this line. */
export const BLOCK_DIAGNOSTIC_CODE = 'event-loop-block';

/**
 * The "PerfLens blocks" diagnostics: a warning on each line the event loop was blocked at, with its
 * figures. Replaced on each report and live block, emptied by Clear Annotations.
 */
export class BlockDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('PerfLens blocks');
  /** Bumped on each show/clear, so that a slow show does not write over a later one. */
  private generation = 0;

  /** Replaces the diagnostics with the index's lines (none for no index). */
  async show(index: BlockIndex | undefined): Promise<void> {
    const generation = ++this.generation;
    const byFile = new Map<string, BlockLine[]>();
    for (const line of index?.all() ?? []) byFile.set(line.file, [...(byFile.get(line.file) ?? []), line]);
    const entries: Array<[vscode.Uri, vscode.Diagnostic[]]> = [];
    for (const [file, lines] of byFile) {
      const uri = vscode.Uri.file(file);
      const document = await vscode.workspace.openTextDocument(uri).then((d) => d, () => undefined);
      entries.push([uri, lines.map((l) => toDiagnostic(l, document))]);
    }
    if (generation !== this.generation) return;
    this.collection.clear();
    this.collection.set(entries);
  }

  clear(): void {
    this.generation++;
    this.collection.clear();
  }

  get(uri: vscode.Uri): vscode.Diagnostic[] {
    return [...(this.collection.get(uri) ?? [])];
  }

  dispose(): void {
    this.collection.dispose();
  }
}

function toDiagnostic(b: BlockLine, document: vscode.TextDocument | undefined): vscode.Diagnostic {
  const line = Math.max(0, b.line - 1);
  let range = new vscode.Range(line, Math.max(0, b.column - 1), line, Math.max(0, b.column - 1) + 1);
  if (document && line < document.lineCount) {
    const text = document.lineAt(line);
    range = new vscode.Range(line, text.firstNonWhitespaceCharacterIndex, line, text.range.end.character);
  }
  const d = new vscode.Diagnostic(range, b.message, vscode.DiagnosticSeverity.Warning);
  d.source = 'PerfLens';
  d.code = BLOCK_DIAGNOSTIC_CODE;
  return d;
}
