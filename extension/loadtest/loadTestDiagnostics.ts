import * as vscode from 'vscode';
import type { LoadTestReport } from '../../server/loadtest/loadTestReport';

export interface LoadTestConfigProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

type Threshold = LoadTestReport['thresholds'][number] & { line?: number };

/** The 'perflens-loadtest' diagnostics: invalid load-test files and breached thresholds. */
export class LoadTestDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('perflens-loadtest');

  clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
  }

  get(uri: vscode.Uri): vscode.Diagnostic[] {
    return [...(this.collection.get(uri) ?? [])];
  }

  /** One Error per problem, at its line and column (the top of the file when it has none). */
  showConfigProblems(uri: vscode.Uri, document: vscode.TextDocument | undefined, problems: LoadTestConfigProblem[]): void {
    this.collection.set(
      uri,
      problems.map((p) => {
        const d = new vscode.Diagnostic(rangeAt(document, p.line, p.column), p.message, vscode.DiagnosticSeverity.Error);
        d.source = 'PerfLens';
        d.code = p.path;
        return d;
      }),
    );
  }

  /** One Error per breached threshold, on the line of its entry; none when every threshold holds. */
  showThresholds(uri: vscode.Uri, document: vscode.TextDocument | undefined, report: LoadTestReport): void {
    const breached = (report.thresholds as Threshold[]).filter((t) => !t.ok);
    this.collection.set(
      uri,
      breached.map((t) => {
        const line = t.line ?? findLine(document, t.source);
        const d = new vscode.Diagnostic(rangeAt(document, line, undefined, t.source), `threshold breached: ${breachText(t)}`, vscode.DiagnosticSeverity.Error);
        d.source = 'PerfLens';
        d.code = t.key;
        return d;
      }),
    );
  }

  dispose(): void {
    this.collection.dispose();
  }
}

/** "p(95)<50: 2138ms ✗" → "p(95)<50: 2138ms". */
export function breachText(t: { source: string; message: string }): string {
  const text = t.message.replace(/\s*[✗✓]\s*$/u, '');
  return text.startsWith(t.source) ? text : `${t.source}: ${text}`;
}

/** The 1-based line of the first `"source"` string in the document (fallback when the report has no line). */
function findLine(document: vscode.TextDocument | undefined, source: string): number | undefined {
  if (!document) return undefined;
  const needle = JSON.stringify(source);
  for (let i = 0; i < document.lineCount; i++) if (document.lineAt(i).text.includes(needle)) return i + 1;
  return undefined;
}

/** A range on a 1-based line: from the column (or the quoted `word`, or the first non-blank) to the end of the line. */
function rangeAt(document: vscode.TextDocument | undefined, line: number | undefined, column?: number, word?: string): vscode.Range {
  const l = Math.max(0, (line ?? 1) - 1);
  if (!document || l >= document.lineCount) {
    const c = Math.max(0, (column ?? 1) - 1);
    return new vscode.Range(l, c, l, c + 1);
  }
  const text = document.lineAt(l).text;
  let start = column !== undefined ? column - 1 : -1;
  if (start < 0 && word) start = text.indexOf(JSON.stringify(word));
  if (start < 0) start = document.lineAt(l).firstNonWhitespaceCharacterIndex;
  start = Math.min(start, text.length);
  const end = Math.max(text.replace(/,\s*$/, '').length, start + 1);
  return new vscode.Range(l, start, l, end);
}
