import * as vscode from 'vscode';
import { formatMs, formatShare, hotFunctionNote, hotLineNote, type ProfileIndex } from './profileIndex';

const ANNOTATION_COLOR = new vscode.ThemeColor('editorCodeLens.foreground');

/**
 * Writes a profile into the source: a heat mark in the gutter and a note after each hot line, a
 * note after each hot function's declaration, and hovers with a function's self and total time.
 */
export class Annotations implements vscode.Disposable, vscode.HoverProvider {
  private index?: ProfileIndex;
  private readonly heat: vscode.TextEditorDecorationType[];
  private readonly functionMark: vscode.TextEditorDecorationType;
  private readonly disposables: vscode.Disposable[] = [];
  /** What was last applied per document (1-based lines with their notes): for tests and the API. */
  private readonly applied = new Map<string, Array<{ line: number; note: string }>>();

  constructor(
    extensionUri: vscode.Uri,
    private readonly minFunctionShare: () => number,
  ) {
    this.heat = [1, 2, 3].map((level) =>
      vscode.window.createTextEditorDecorationType({
        gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', `heat-${level}.svg`),
        gutterIconSize: 'contain',
        isWholeLine: true,
        overviewRulerColor: level === 3 ? '#e0352b' : level === 2 ? '#f28c28' : '#f5c542',
        overviewRulerLane: vscode.OverviewRulerLane.Right,
      }),
    );
    this.functionMark = vscode.window.createTextEditorDecorationType({});
    this.disposables.push(
      ...this.heat,
      this.functionMark,
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.decorate(e))),
      vscode.languages.registerHoverProvider([{ scheme: 'file', language: 'typescript' }, { scheme: 'file', language: 'javascript' }, { scheme: 'file', language: 'typescriptreact' }, { scheme: 'file', language: 'javascriptreact' }], this),
    );
  }

  get current(): ProfileIndex | undefined {
    return this.index;
  }

  show(index: ProfileIndex): void {
    this.index = index;
    vscode.window.visibleTextEditors.forEach((e) => this.decorate(e));
  }

  clear(): void {
    this.index = undefined;
    vscode.window.visibleTextEditors.forEach((e) => this.decorate(e));
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!this.index) return undefined;
    const range = document.getWordRangeAtPosition(position, /[\p{L}\p{N}_$]+/u);
    if (!range) return undefined;
    const fn = this.index.functionAt(document.uri.fsPath, position.line + 1, document.getText(range));
    if (!fn) return undefined;
    const link = `command:perflens.showInFlameGraph?${encodeURIComponent(JSON.stringify([fn.name]))}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['perflens.showInFlameGraph'] };
    md.appendMarkdown(`**PerfLens: \`${fn.name}\`**\n\n`);
    md.appendMarkdown(`| | |\n|---|---|\n`);
    md.appendMarkdown(`| Self time | ${formatMs(fn.selfMs)} (${formatShare(fn.selfShare)}) |\n`);
    md.appendMarkdown(`| Total time | ${formatMs(fn.totalMs)} (${formatShare(fn.totalShare)}) |\n`);
    md.appendMarkdown(`| Samples | ${fn.samples} |\n\n`);
    md.appendMarkdown(`[$(flame) Show in flame graph](${link})`);
    return new vscode.Hover(md, range);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private decorate(editor: vscode.TextEditor): void {
    const costs = this.index?.costsFor(editor.document.uri.fsPath);
    const byHeat: vscode.DecorationOptions[][] = [[], [], []];
    for (const line of costs?.lines ?? []) {
      if (line.line < 1 || line.line > editor.document.lineCount) continue;
      const text = editor.document.lineAt(line.line - 1);
      byHeat[line.heat - 1].push({
        range: new vscode.Range(text.range.end, text.range.end),
        hoverMessage: `PerfLens: ${hotLineNote(line)} (${line.functionName})`,
        renderOptions: { after: { contentText: `  ${hotLineNote(line)}`, color: ANNOTATION_COLOR, fontStyle: 'italic' } },
      });
    }
    this.heat.forEach((type, i) => editor.setDecorations(type, byHeat[i]));
    const marks: vscode.DecorationOptions[] = [];
    for (const fn of this.index?.hotFunctions(editor.document.uri.fsPath, this.minFunctionShare()) ?? []) {
      if (fn.line < 1 || fn.line > editor.document.lineCount) continue;
      const text = editor.document.lineAt(fn.line - 1);
      marks.push({ range: new vscode.Range(text.range.end, text.range.end), renderOptions: { after: { contentText: `  ${hotFunctionNote(fn)}`, color: ANNOTATION_COLOR, fontStyle: 'italic' } } });
    }
    editor.setDecorations(this.functionMark, marks);
    const notes = [...byHeat.flat(), ...marks].map((d) => ({ line: d.range.start.line + 1, note: d.renderOptions?.after?.contentText?.trim() ?? '' }));
    this.applied.set(editor.document.uri.toString(), notes.sort((a, b) => a.line - b.line));
  }

  /** The notes last applied to a document's editors, by 1-based line. */
  appliedTo(uri: vscode.Uri): Array<{ line: number; note: string }> {
    return this.applied.get(uri.toString()) ?? [];
  }
}
