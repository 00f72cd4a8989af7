import * as vscode from 'vscode';
import type { LineProblem } from '../annotations/lineDiagnostics';
import type { BlockIndex } from './blockIndex';

/** The diagnostics' code: a block of the event loop at this line. */
export const BLOCK_DIAGNOSTIC_CODE = 'event-loop-block';

/** The "PerfLens blocks" diagnostics: a warning on each line the event loop was blocked at, with its figures (see LineDiagnostics). */
export function blockProblems(index: BlockIndex | undefined): LineProblem[] {
  return (index?.all() ?? []).map((b) => ({ file: b.file, line: b.line, column: b.column, message: b.message, severity: vscode.DiagnosticSeverity.Warning, code: BLOCK_DIAGNOSTIC_CODE }));
}
