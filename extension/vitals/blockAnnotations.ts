import * as vscode from 'vscode';
import type { BlockIndex, BlockLine } from './blockIndex';

/** The hot-line notes' colour (extension/annotations/annotations.ts): the block notes look the same. */
const ANNOTATION_COLOR = new vscode.ThemeColor('editorCodeLens.foreground');

/**
 * Writes the event-loop blocks into the source: a note after each line the thread was blocked at
 * ("● blocked the event loop 212 ms · 14× · GET /block"), with the figures in its hover, and a
 * warning mark in the overview ruler.
 */
export class BlockAnnotations implements vscode.Disposable {
  private index?: BlockIndex;
  private readonly note = vscode.window.createTextEditorDecorationType({
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.warningForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
  });
  private readonly disposables: vscode.Disposable[] = [];
  /** What was last applied per document (1-based lines with their notes): for tests and the API. */
  private readonly applied = new Map<string, Array<{ line: number; note: string }>>();

  constructor() {
    this.disposables.push(this.note, vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.decorate(e))));
  }

  show(index: BlockIndex | undefined): void {
    this.index = index;
    // Editors not visible now are decorated (and recorded) again when they are shown.
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
    const notes: vscode.DecorationOptions[] = [];
    for (const line of this.index?.linesIn(editor.document.uri.fsPath) ?? []) {
      if (line.line < 1 || line.line > editor.document.lineCount) continue;
      const end = editor.document.lineAt(line.line - 1).range.end;
      notes.push({ range: new vscode.Range(end, end), hoverMessage: blockHover(line), renderOptions: { after: { contentText: `  ${line.note}`, color: ANNOTATION_COLOR, fontStyle: 'italic' } } });
    }
    editor.setDecorations(this.note, notes);
    this.applied.set(editor.document.uri.toString(), notes.map((d) => ({ line: d.range.start.line + 1, note: d.renderOptions?.after?.contentText?.trim() ?? '' })));
  }
}

function blockHover(line: BlockLine): vscode.MarkdownString {
  const how = line.sources.length === 0 ? '' : line.sources.map((s) => (s === 'pause' ? 'by pausing the thread mid-block' : "from the CPU profile's samples")).join(' and ');
  const md = new vscode.MarkdownString();
  md.appendText(`PerfLens: ${line.message}`);
  if (how) md.appendMarkdown(`\n\n*Located ${how}.*`);
  return md;
}
