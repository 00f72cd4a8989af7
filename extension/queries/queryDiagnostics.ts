import * as vscode from 'vscode';
import type { QueryIndex, QueryProblem } from './queryIndex';

/**
 * The "PerfLens queries" diagnostics: N+1s, saturated pools and leaked checkouts at their lines in
 * the Problems panel. Replaced on each profile, emptied by Clear Annotations.
 */
export class QueryDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('PerfLens queries');
  /** Bumped on each show/clear, so that a slow show does not write over a later one. */
  private generation = 0;

  /** Replaces the diagnostics with the index's problems (none for no index). */
  async show(index: QueryIndex | undefined): Promise<void> {
    const generation = ++this.generation;
    const problems = index?.problems() ?? [];
    const byFile = new Map<string, QueryProblem[]>();
    for (const p of problems) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
    const entries: Array<[vscode.Uri, vscode.Diagnostic[]]> = [];
    for (const [file, list] of byFile) {
      const uri = vscode.Uri.file(file);
      const document = await openQuietly(uri);
      entries.push([uri, list.map((p) => toDiagnostic(p, document))]);
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

/** The document, to put the range on the code of the line; undefined when it cannot be read. */
async function openQuietly(uri: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  try {
    return await vscode.workspace.openTextDocument(uri);
  } catch {
    return undefined;
  }
}

function toDiagnostic(p: QueryProblem, document: vscode.TextDocument | undefined): vscode.Diagnostic {
  const line = Math.max(0, p.line - 1);
  let range = new vscode.Range(line, Math.max(0, p.column - 1), line, Math.max(0, p.column - 1) + 1);
  if (document && line < document.lineCount) {
    const text = document.lineAt(line);
    range = new vscode.Range(line, text.firstNonWhitespaceCharacterIndex, line, text.range.end.character);
  }
  const d = new vscode.Diagnostic(range, p.message, p.severity === 'information' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Warning);
  d.source = 'PerfLens';
  d.code = p.kind;
  return d;
}
