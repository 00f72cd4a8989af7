import * as vscode from 'vscode';
import type { LineProblem } from '../annotations/lineDiagnostics';
import type { QueryIndex } from './queryIndex';

/**
 * The "PerfLens queries" diagnostics: N+1s, saturated pools and leaked checkouts at their lines in
 * the Problems panel (see LineDiagnostics).
 */
export function queryProblems(index: QueryIndex | undefined): LineProblem[] {
  return (index?.problems() ?? []).map((p) => ({
    file: p.file,
    line: p.line,
    column: p.column,
    message: p.message,
    severity: p.severity === 'information' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Warning,
    code: p.kind,
  }));
}
