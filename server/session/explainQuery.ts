// Explain for a statement of the last run: which captured statement the user means, whether it can be
// explained, the EXPLAIN sent through the service's own pool with the slowest execution's parameters
// (they never leave the service), the sizes of the tables it scans, and the plan read in plain words.
import type { CdpConnection } from '../cdp/connection';
import { explainInTarget, runInTarget } from '../agent/queryAgent';
import type { QueryCapture } from '../queries/captureTypes';
import { readPlan } from '../queries/explainPlan';
import { EXPLAIN_ANALYZE_STEPS, explainability, explainSql } from '../queries/explainStatement';
import type { ExplainResult } from '../queries/explainTypes';
import { normalizeSql } from '../queries/normalizeSql';
import { scannedTables, tableRowsOf, tableSizesQuery } from '../queries/tableSizes';

export class ExplainError extends Error {
  constructor(
    readonly code: 'NOT_EXPLAINABLE' | 'QUERY_UNKNOWN',
    message: string,
  ) {
    super(message);
    this.name = 'ExplainError';
  }
}

/** `text`: a QueryStat's normalised text (or a raw statement of the run). */
export async function explainCapturedQuery(connection: CdpConnection, capture: QueryCapture, text: string, analyze: boolean): Promise<ExplainResult> {
  const wanted = normalizeSql(text);
  const candidates = capture.statements.filter((s) => s.text === text || normalizeSql(s.text) === wanted);
  if (!candidates.length) throw new ExplainError('QUERY_UNKNOWN', `the last profile did not capture ${JSON.stringify(shorten(text))}: profile the endpoint that sends it first`);
  // The statement whose slowest execution was slowest: the agent keeps that execution's parameters.
  const slowest = new Map<number, number>();
  for (const e of capture.executions) if (!e.errorCode) slowest.set(e.statement, Math.max(slowest.get(e.statement) ?? 0, e.ms));
  const statement = candidates.filter((s) => slowest.has(s.id)).sort((a, b) => slowest.get(b.id)! - slowest.get(a.id)!)[0];
  if (!statement) throw new ExplainError('QUERY_UNKNOWN', `every execution of ${JSON.stringify(shorten(text))} failed in the last profile: there are no parameters that worked to explain it with`);

  const verdict = explainability(statement.text, { name: statement.name, truncated: statement.truncated });
  if (!verdict.ok) throw new ExplainError('NOT_EXPLAINABLE', `cannot explain this statement: ${verdict.reason}`);
  if (analyze && !verdict.analyzeAllowed) throw new ExplainError('NOT_EXPLAINABLE', `cannot run EXPLAIN ANALYZE on this statement: ${verdict.noAnalyzeReason ?? 'it is not a plain read'}`);
  const steps = analyze ? EXPLAIN_ANALYZE_STEPS : [];
  const before = steps.filter((s) => s.kind === 'begin' || s.kind === 'timeout').map((s) => s.sql!);
  const after = steps.filter((s) => s.kind === 'rollback').map((s) => s.sql!);
  let json: unknown;
  try {
    json = await explainInTarget(connection, statement.id, explainSql(statement.text, analyze), before, after);
  } catch (err) {
    const message = (err as Error).message;
    if (/no longer holds|not in the service any more|is gone/.test(message)) throw new ExplainError('QUERY_UNKNOWN', message);
    throw new ExplainError('NOT_EXPLAINABLE', `PostgreSQL could not explain it: ${message}`);
  }
  const first = readPlan(json, statement.text, analyze);
  const tables = scannedTables(first.plan);
  if (!tables.length) return first;
  const lookup = tableSizesQuery(tables);
  const rows = await runInTarget(connection, statement.id, lookup.sql, lookup.values).catch(() => undefined);
  return rows ? readPlan(json, statement.text, analyze, { tableRows: tableRowsOf(rows) }) : first;
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}
