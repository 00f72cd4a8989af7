import * as vscode from 'vscode';
import { isReadStatement, displayStatement, queryFigures, shortStatement } from './queryFormat';
import type { QueryIndex, QueryLine } from './queryIndex';

/** The hot-line notes' colour (extension/annotations/annotations.ts): the query notes look the same. */
const ANNOTATION_COLOR = new vscode.ThemeColor('editorCodeLens.foreground');
const CODE_FILES: vscode.DocumentSelector = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact'].map((language) => ({ scheme: 'file', language }));
/** At most this many statements in one line's hover (a shared helper can send dozens). */
const HOVER_STATEMENTS = 5;

/** The commands a hover links to, with the statement's normalised text as their argument. */
export const QUERY_COMMANDS = { explain: 'perflens.explainQuery', explainAnalyze: 'perflens.explainQueryAnalyze', copy: 'perflens.copyQuery' } as const;

/**
 * Writes the queries section into the source: a note after each line that sent statements
 * ("● 182 ms p95 · 240 calls · N+1: 25 per request"), and a hover on that line with the statement,
 * its figures and the Explain / Explain Analyze… / Copy Query actions.
 */
export class QueryAnnotations implements vscode.Disposable, vscode.HoverProvider {
  private index?: QueryIndex;
  private readonly note = vscode.window.createTextEditorDecorationType({
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.infoForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
  });
  private readonly disposables: vscode.Disposable[] = [];
  /** What was last applied per document (1-based lines with their notes): for tests and the API. */
  private readonly applied = new Map<string, Array<{ line: number; note: string }>>();

  constructor() {
    this.disposables.push(
      this.note,
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.decorate(e))),
      vscode.languages.registerHoverProvider(CODE_FILES, this),
    );
  }

  show(index: QueryIndex | undefined): void {
    this.index = index;
    // Editors not visible now are decorated (and recorded) again when they are shown.
    this.applied.clear();
    vscode.window.visibleTextEditors.forEach((e) => this.decorate(e));
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const line = this.index?.at(document.uri.fsPath, position.line + 1);
    if (!line) return undefined;
    return new vscode.Hover(queryHover(line, this.index!.explainable), document.lineAt(position.line).range);
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
      notes.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: `  ${line.note}`, color: ANNOTATION_COLOR, fontStyle: 'italic' } } });
    }
    editor.setDecorations(this.note, notes);
    this.applied.set(editor.document.uri.toString(), notes.map((d) => ({ line: d.range.start.line + 1, note: d.renderOptions?.after?.contentText?.trim() ?? '' })));
  }
}

const commandLink = (command: string, text: string) => `command:${command}?${encodeURIComponent(JSON.stringify([text]))}`;

/** The hover of a calling line: per statement, its text as SQL, its figures and its actions. */
export function queryHover(line: QueryLine, explainable = true): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: Object.values(QUERY_COMMANDS) };
  const shown = line.queries.slice(0, HOVER_STATEMENTS);
  md.appendMarkdown(`**PerfLens: ${line.queries.length === 1 ? 'a query sent from this line' : `${line.queries.length} statements sent from this line`}**\n\n`);
  for (const [i, { stat, calls, primary }] of shown.entries()) {
    if (i > 0) md.appendMarkdown('\n\n---\n\n');
    md.appendCodeblock(displayStatement(stat.example || stat.text), 'sql');
    md.appendMarkdown('\n| | |\n|---|---|\n');
    if (!primary || stat.otherSites?.length) md.appendMarkdown(`| From this line | ${calls} of ${stat.calls} calls |\n`);
    for (const [label, value] of queryFigures(stat)) md.appendMarkdown(`| ${label} | ${tableCell(value)} |\n`);
    const actions: string[] = [];
    if (explainable) actions.push(`[$(search) Explain](${commandLink(QUERY_COMMANDS.explain, stat.text)} "EXPLAIN, without running the statement")`);
    if (explainable && isReadStatement(stat.text)) actions.push(`[$(play) Explain Analyze…](${commandLink(QUERY_COMMANDS.explainAnalyze, stat.text)} "EXPLAIN ANALYZE: runs the SELECT inside a transaction that is rolled back")`);
    actions.push(`[$(copy) Copy Query](${commandLink(QUERY_COMMANDS.copy, stat.text)} "Copy the statement to the clipboard")`);
    md.appendMarkdown(`\n${actions.join(' · ')}`);
  }
  const rest = line.queries.slice(HOVER_STATEMENTS);
  if (rest.length) md.appendMarkdown(`\n\n---\n\nand ${rest.length} more: ${rest.map((q) => `\`${shortStatement(q.stat.text, 40).replace(/`/g, "'")}\``).join(', ')} (see the Queries view)`);
  return md;
}

/** A value for a markdown table cell: no pipes, no line breaks. */
function tableCell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
