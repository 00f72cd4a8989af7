import * as vscode from 'vscode';
import { isReadStatement, displayStatement, queryFigures, shortStatement } from './queryFormat';
import { LineNotes } from '../annotations/lineNotes';
import type { QueryIndex, QueryLine } from './queryIndex';

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
  private readonly notes = new LineNotes(new vscode.ThemeColor('editorOverviewRuler.infoForeground'), (fsPath) => this.index?.linesIn(fsPath) ?? []);
  private readonly hover = vscode.languages.registerHoverProvider(CODE_FILES, this);

  show(index: QueryIndex | undefined): void {
    this.index = index;
    this.notes.refresh();
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const line = this.index?.at(document.uri.fsPath, position.line + 1);
    if (!line) return undefined;
    return new vscode.Hover(queryHover(line, this.index!.explainable), document.lineAt(position.line).range);
  }

  /** The notes last applied to a document's editors, by 1-based line. */
  appliedTo(uri: vscode.Uri): Array<{ line: number; note: string }> {
    return this.notes.appliedTo(uri);
  }

  dispose(): void {
    this.notes.dispose();
    this.hover.dispose();
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
