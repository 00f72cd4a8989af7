import * as vscode from 'vscode';

/** One finding at a line of a file, as a diagnostic shows it. */
export interface LineProblem {
  /** Absolute path. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based; the range covers the line's code when the document can be read. */
  column: number;
  message: string;
  severity: vscode.DiagnosticSeverity;
  code: string;
}

/**
 * A named diagnostics collection of PerfLens findings at lines ("PerfLens queries", "PerfLens
 * blocks"): each show replaces the last, Clear Annotations empties it.
 */
export class LineDiagnostics implements vscode.Disposable {
  readonly collection: vscode.DiagnosticCollection;
  /** Bumped on each show/clear, so that a slow show does not write over a later one. */
  private generation = 0;

  constructor(name: string) {
    this.collection = vscode.languages.createDiagnosticCollection(name);
  }

  /** Replaces the diagnostics with these problems. */
  async show(problems: readonly LineProblem[]): Promise<void> {
    const generation = ++this.generation;
    const byFile = new Map<string, LineProblem[]>();
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

function toDiagnostic(p: LineProblem, document: vscode.TextDocument | undefined): vscode.Diagnostic {
  const line = Math.max(0, p.line - 1);
  let range = new vscode.Range(line, Math.max(0, p.column - 1), line, Math.max(0, p.column - 1) + 1);
  if (document && line < document.lineCount) {
    const text = document.lineAt(line);
    range = new vscode.Range(line, text.firstNonWhitespaceCharacterIndex, line, text.range.end.character);
  }
  const d = new vscode.Diagnostic(range, p.message, p.severity);
  d.source = 'PerfLens';
  d.code = p.code;
  return d;
}
