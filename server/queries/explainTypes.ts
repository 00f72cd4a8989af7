// What "Explain" gives back for a statement: PostgreSQL's plan, read, with the problem named in plain
// words and the index that would serve it. Pure types (see explainPlan.ts, indexAdvice.ts).

/** One node of the plan tree, as PostgreSQL's EXPLAIN (FORMAT JSON) has it, the fields we show. */
export interface PlanNode {
  /** "Seq Scan", "Index Scan", "Nested Loop", "Sort", … */
  nodeType: string;
  /** The table (Relation Name) and its alias, for scans. */
  relation?: string;
  alias?: string;
  schema?: string;
  index?: string;
  /** Filter, Index Cond, Hash Cond, Join Filter, Sort Key, as PostgreSQL prints them. */
  filter?: string;
  indexCond?: string;
  joinCond?: string;
  sortKey?: string[];
  /** The planner's estimates. */
  planRows: number;
  /** Average width of a row this node outputs, bytes (Plan Width). */
  planWidth?: number;
  startupCost: number;
  totalCost: number;
  /** With ANALYZE: actual rows (per loop × loops), time (ms, this node and below), loops, rows removed by the filter. */
  actualRows?: number;
  actualTotalMs?: number;
  loops?: number;
  rowsRemovedByFilter?: number;
  /** Sorts with ANALYZE: "quicksort", "top-N heapsort", "external merge"; the space used (kB, summed over parallel workers) and where. */
  sortMethod?: string;
  sortSpaceKb?: number;
  sortSpaceType?: 'Memory' | 'Disk';
  /** This node's own share: its cost (or time) minus its children's. */
  selfCost: number;
  selfMs?: number;
  children: PlanNode[];
}

/** A problem the plan shows, in plain words. */
export interface PlanProblem {
  kind: 'seq-scan' | 'misestimate' | 'sort-spill' | 'nested-loop-many';
  /** "Sequential scan of orders (50,000 rows) under a filter that keeps 20". */
  message: string;
  /** The node it is about (its nodeType and relation), to highlight it. */
  nodeType: string;
  relation?: string;
}

/** An index that would serve the statement. */
export interface IndexSuggestion {
  table: string;
  columns: string[];
  /** B-tree for equality and ranges; a pg_trgm GIN index for ILIKE '%…%'. */
  kind: 'btree' | 'gin_trgm';
  /** The statement to create it (`CREATE INDEX CONCURRENTLY …`), plus `CREATE EXTENSION IF NOT EXISTS pg_trgm` first for gin_trgm. */
  sql: string[];
  /** Why, in plain words. */
  reason: string;
}

export interface ExplainResult {
  /** The statement as explained (placeholders as written; parameter values are never returned). */
  statement: string;
  /** True when it ran with ANALYZE (inside a transaction that was rolled back). */
  analyzed: boolean;
  plan: PlanNode;
  /** Nodes flattened, costliest own share first. */
  costliest: PlanNode[];
  planningMs?: number;
  executionMs?: number;
  problems: PlanProblem[];
  suggestions: IndexSuggestion[];
  /** The plan as an indented text tree, for a terminal and the log. */
  text: string;
}
