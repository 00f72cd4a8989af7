import * as vscode from 'vscode';
import { LineNotes } from '../annotations/lineNotes';
import { leakHoverMarkdown } from './heapText';
import type { LeakLine, LeakLines } from './leakLines';

/** The hidden command a hover's link runs: the leak report comes forward. */
export const OPEN_LEAK_REPORT_COMMAND = 'perflens.openLeakReport';

/**
 * Writes a leak report's allocating lines into the source, like the hot lines: a note after each
 * ("● 4.1 MB retained · 12,000 Session objects · +38 KB per request"), a hover with the retainer
 * path and a link to the report, and an error-coloured mark in the overview ruler.
 */
export class AllocationAnnotations implements vscode.Disposable {
  private lines?: LeakLines;
  private readonly notes = new LineNotes(new vscode.ThemeColor('editorOverviewRuler.errorForeground'), (fsPath) =>
    (this.lines?.linesIn(fsPath) ?? []).map((line) => ({ line: line.line, note: line.note, hover: leakHover(line) })),
  );

  show(lines: LeakLines | undefined): void {
    this.lines = lines;
    this.notes.refresh();
  }

  /** The notes last applied to a document's editors, by 1-based line. */
  appliedTo(uri: vscode.Uri): Array<{ line: number; note: string }> {
    return this.notes.appliedTo(uri);
  }

  dispose(): void {
    this.notes.dispose();
  }
}

function leakHover(line: LeakLine): vscode.MarkdownString {
  const md = new vscode.MarkdownString(leakHoverMarkdown(line.groups, line.sites[0], `command:${OPEN_LEAK_REPORT_COMMAND}`));
  md.isTrusted = { enabledCommands: [OPEN_LEAK_REPORT_COMMAND] };
  return md;
}
