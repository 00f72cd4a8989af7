import * as vscode from 'vscode';
import { LineNotes } from '../annotations/lineNotes';
import type { BlockIndex, BlockLine } from './blockIndex';

/**
 * Writes the event-loop blocks into the source: a note after each line the thread was blocked at
 * ("● blocked the event loop 212 ms · 14× · GET /block"), with the figures in its hover, and a
 * warning mark in the overview ruler.
 */
export class BlockAnnotations implements vscode.Disposable {
  private index?: BlockIndex;
  private readonly notes = new LineNotes(new vscode.ThemeColor('editorOverviewRuler.warningForeground'), (fsPath) =>
    (this.index?.linesIn(fsPath) ?? []).map((line) => ({ line: line.line, note: line.note, hover: blockHover(line) })),
  );

  show(index: BlockIndex | undefined): void {
    this.index = index;
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

function blockHover(line: BlockLine): vscode.MarkdownString {
  const how = line.sources.length === 0 ? '' : line.sources.map((s) => (s === 'pause' ? 'by pausing the thread mid-block' : "from the CPU profile's samples")).join(' and ');
  const md = new vscode.MarkdownString();
  md.appendText(`PerfLens: ${line.message}`);
  if (how) md.appendMarkdown(`\n\n*Located ${how}.*`);
  return md;
}
