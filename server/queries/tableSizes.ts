// The tables a plan scans, and the catalog lookup of their sizes (pg_class.reltuples) that lets the
// plan reader tell a large table from a small one. Pure: the agent runs the lookup.
import type { TableRows } from './indexAdvice';
import type { PlanNode } from './explainTypes';

/** Every table the plan reads, once (schema when the plan gives it). */
export function scannedTables(plan: PlanNode): Array<{ schema?: string; table: string }> {
  const seen = new Map<string, { schema?: string; table: string }>();
  const visit = (node: PlanNode) => {
    if (node.relation) seen.set(`${node.schema ?? ''}.${node.relation}`, { ...(node.schema ? { schema: node.schema } : {}), table: node.relation });
    node.children.forEach(visit);
  };
  visit(plan);
  return [...seen.values()];
}

/** The lookup for those tables' row estimates (names as parameters, never spliced into the SQL). */
export function tableSizesQuery(tables: Array<{ schema?: string; table: string }>): { sql: string; values: unknown[] } {
  return {
    sql: 'SELECT n.nspname AS schema, c.relname AS table, c.reltuples::float8 AS rows FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ($2, $3) AND c.relname = ANY($1::text[])',
    values: [[...new Set(tables.map((t) => t.table))], 'r', 'p'],
  };
}

/** The lookup's rows as TableRows (`schema.table`, and `table` alone when only one schema has it). reltuples -1: never analysed, left out. */
export function tableRowsOf(rows: ReadonlyArray<Record<string, unknown>>): TableRows {
  const out: Record<string, number> = {};
  const bare = new Map<string, number[]>();
  for (const row of rows) {
    const schema = String(row.schema ?? '');
    const table = String(row.table ?? '');
    const count = Number(row.rows);
    if (!table || !Number.isFinite(count) || count < 0) continue;
    out[`${schema}.${table}`] = Math.round(count);
    bare.set(table, [...(bare.get(table) ?? []), Math.round(count)]);
  }
  for (const [table, counts] of bare) if (counts.length === 1) out[table] = counts[0]!;
  return out;
}
