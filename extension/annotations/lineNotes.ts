import * as vscode from 'vscode';

/** The hot-line notes' colour (annotations.ts): every PerfLens note after a line looks the same. */
const NOTE_COLOR = new vscode.ThemeColor('editorCodeLens.foreground');

/** A note written after a line (1-based), with an optional hover on it. */
export interface LineNote {
  line: number;
  note: string;
  hover?: vscode.MarkdownString;
}

/**
 * Notes after lines in every visible editor, and a mark in the overview ruler: `notesIn` says what
 * a file gets; `refresh()` after it changes. Editors shown later are decorated when they appear.
 */
export class LineNotes implements vscode.Disposable {
  private readonly decoration: vscode.TextEditorDecorationType;
  private readonly disposables: vscode.Disposable[] = [];
  /** What was last applied per document (1-based lines with their notes): for tests and the API. */
  private readonly applied = new Map<string, Array<{ line: number; note: string }>>();

  constructor(
    rulerColor: vscode.ThemeColor,
    private readonly notesIn: (fsPath: string) => readonly LineNote[],
  ) {
    this.decoration = vscode.window.createTextEditorDecorationType({ overviewRulerColor: rulerColor, overviewRulerLane: vscode.OverviewRulerLane.Right });
    this.disposables.push(this.decoration, vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.decorate(e))));
  }

  /** Decorates the visible editors again; editors not visible now are decorated (and recorded) when shown. */
  refresh(): void {
    this.applied.clear();
    vscode.window.visibleTextEditors.forEach((e) => this.decorate(e));
  }

  /** The notes last applied to a document's editors, by 1-based line. */
  appliedTo(uri: vscode.Uri): Array<{ line: number; note: string }> {
    return this.applied.get(uri.toString()) ?? [];
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private decorate(editor: vscode.TextEditor): void {
    const options: vscode.DecorationOptions[] = [];
    const applied: Array<{ line: number; note: string }> = [];
    for (const { line, note, hover } of this.notesIn(editor.document.uri.fsPath)) {
      if (line < 1 || line > editor.document.lineCount) continue;
      const end = editor.document.lineAt(line - 1).range.end;
      options.push({ range: new vscode.Range(end, end), ...(hover ? { hoverMessage: hover } : {}), renderOptions: { after: { contentText: `  ${note}`, color: NOTE_COLOR, fontStyle: 'italic' } } });
      applied.push({ line, note: note.trim() });
    }
    editor.setDecorations(this.decoration, options);
    this.applied.set(editor.document.uri.toString(), applied);
  }
}
