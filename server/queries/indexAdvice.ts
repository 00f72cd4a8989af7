// Which index would serve a sequential scan under a filter. Pure: reads the plan (PlanNode, see
// explainPlan.ts) and PostgreSQL's deparsed filter text, e.g.
//   (o.notes ~~* '%gift%'::text)
//   ((orders.created_at > '2024-11-01 00:00:00+00'::timestamp with time zone) AND (orders.status = 'shipped'::text))
//   (lower(orders.status) = 'shipped'::text)
// B-tree for equality and ranges (equality columns first, then one range column, or the sort key
// of a Sort just above the scan), a pg_trgm GIN index for LIKE/ILIKE '%…%' and regular expressions.
import type { IndexSuggestion, PlanNode } from './explainTypes';

/**
 * Below this many rows a table gets no index suggestion and its scan is no problem: such a table
 * fits in a handful of 8 kB pages, reading it whole costs about what an index lookup does, and
 * PostgreSQL would often keep the scan even with an index there.
 */
export const SMALL_TABLE_ROWS = 1_000;
/** A filter that keeps at most this share of the table's rows makes a sequential scan a problem (it reads four rows or more per row it keeps). */
export const SELECTIVE_SHARE = 0.25;

/** Rows per table, keyed `schema.table` or `table` (pg_class.reltuples, when the caller has it). */
export type TableRows = Readonly<Record<string, number>>;

/** How many rows the scanned table holds, and how we know. */
export interface TableSize {
  rows: number;
  /** 'given': from the caller (pg_class); 'actual': rows kept + removed by the filter (ANALYZE); 'cost': a lower bound from the scan's cost. */
  source: 'given' | 'actual' | 'cost';
}

/** What we make of one sequential scan under a filter. */
export interface ScanAdvice {
  scan: PlanNode;
  table: string;
  size: TableSize;
  /** Rows the filter keeps: actual with ANALYZE, else the estimate. */
  kept: number;
  /** The scan is worth an index: a table of SMALL_TABLE_ROWS or more, a filter keeping at most SELECTIVE_SHARE of it. */
  problem: boolean;
  suggestions: IndexSuggestion[];
  /** Why no index is suggested for (part of) the filter, in words: a function on the column, an OR, … */
  notServed: string[];
  /** Why this scan is not a problem, when it is not. */
  fine?: string;
}

/** The indexes that would serve the plan's sequential scans (see adviseScans). */
export function suggestIndexes(plan: PlanNode, tableRows: TableRows = {}): IndexSuggestion[] {
  const seen = new Set<string>();
  const out: IndexSuggestion[] = [];
  for (const advice of adviseScans(plan, tableRows)) {
    for (const suggestion of advice.suggestions) {
      const key = suggestion.sql.join('\n');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(suggestion);
    }
  }
  return out;
}

/** Every Seq Scan with a Filter in the plan, read. Suggestions only for the ones that are a problem. */
export function adviseScans(plan: PlanNode, tableRows: TableRows = {}): ScanAdvice[] {
  const out: ScanAdvice[] = [];
  const visit = (node: PlanNode, sortAbove: string[] | undefined) => {
    if (isSeqScan(node) && node.filter && node.relation) out.push(adviseScan(node, { tableRows, sortKey: sortAbove }));
    // A Sort's key applies to the scan below it when only row-preserving nodes lie between.
    const passSort = node.nodeType === 'Sort' || node.nodeType === 'Incremental Sort' ? node.sortKey : PASS_THROUGH.has(node.nodeType) ? sortAbove : undefined;
    for (const child of node.children) visit(child, node.children.length === 1 ? passSort : undefined);
  };
  visit(plan, undefined);
  return out;
}

const PASS_THROUGH = new Set(['Limit', 'Gather', 'Gather Merge', 'Result', 'Unique', 'LockRows']);

export function isSeqScan(node: PlanNode): boolean {
  return node.nodeType === 'Seq Scan' || node.nodeType === 'Parallel Seq Scan';
}

/** The table as the CREATE INDEX names it: schema-qualified when the plan gives the schema. */
export function tableName(node: PlanNode): string {
  const relation = node.relation ?? '?';
  return node.schema ? `${quoteIdent(node.schema)}.${quoteIdent(relation)}` : quoteIdent(relation);
}

/**
 * The scanned table's size. Given rows win; with ANALYZE the scan saw every row (kept + removed);
 * a plain EXPLAIN gives only the cost, which at the default cost settings (seq_page_cost 1,
 * cpu_tuple_cost 0.01) is at least about one unit per row: a lower bound.
 */
export function tableSize(scan: PlanNode, tableRows: TableRows = {}): TableSize {
  const given = (scan.schema && scan.relation ? tableRows[`${scan.schema}.${scan.relation}`] : undefined) ?? (scan.relation ? tableRows[scan.relation] : undefined);
  if (given !== undefined && Number.isFinite(given) && given >= 0) return { rows: Math.round(given), source: 'given' };
  if (scan.actualRows !== undefined && scan.loops) {
    // Per loop, as a single scan of the table sees it.
    return { rows: Math.round((scan.actualRows + (scan.rowsRemovedByFilter ?? 0)) / scan.loops), source: 'actual' };
  }
  return { rows: Math.max(scan.planRows, costEstimate(scan)), source: 'cost' };
}

/**
 * A plain EXPLAIN's Seq Scan costs seq_page_cost (1) per page plus cpu_tuple_cost (0.01) and
 * cpu_operator_cost (0.0025) per condition for every row. A row takes at least its 24-byte header,
 * a 4-byte line pointer and the columns the scan outputs (Plan Width) of an 8 kB page, so the cost
 * gives at most this many rows: the estimate used without ANALYZE (too high when the scan outputs
 * few of the table's columns).
 */
function costEstimate(scan: PlanNode): number {
  const conditions = Math.max(1, (scan.filter ?? '').split(/\bAND\b/).length);
  const perRow = (28 + (scan.planWidth ?? 0)) / 8192 + 0.01 + 0.0025 * conditions;
  return Math.min(Number.MAX_SAFE_INTEGER, Math.floor(scan.totalCost / perRow));
}

/** At the default cost settings a row costs at least ~1 unit (a page per row): fewer rows than this is impossible. */
function costLowerBound(scan: PlanNode): number {
  return Math.floor(scan.totalCost / 1.0125);
}

export function adviseScan(scan: PlanNode, context: { tableRows?: TableRows; sortKey?: string[] } = {}): ScanAdvice {
  const size = tableSize(scan, context.tableRows);
  const loops = scan.loops || 1;
  const kept = scan.actualRows !== undefined ? Math.round(scan.actualRows / loops) : scan.planRows;
  const table = tableName(scan);
  const advice: ScanAdvice = { scan, table, size, kept, problem: false, suggestions: [], notServed: [] };
  if (size.rows < SMALL_TABLE_ROWS || (size.source === 'cost' && costLowerBound(scan) < SMALL_TABLE_ROWS)) {
    advice.fine = size.source === 'cost'
      ? `${table} may be small (its scan costs ${Math.round(scan.totalCost)}: it may hold fewer than ${formatCount(SMALL_TABLE_ROWS)} rows), and a small table is read whole about as fast as through an index`
      : `${table} is small (${formatCount(size.rows)} rows, under ${formatCount(SMALL_TABLE_ROWS)}): reading it whole costs about what an index lookup does`;
    return advice;
  }
  if (kept > size.rows * SELECTIVE_SHARE) {
    advice.fine = `the filter ${size.source === 'actual' ? 'keeps' : 'is expected to keep'} ${formatCount(kept)} of ${formatCount(size.rows)} rows (${percent(kept, size.rows)}): reading the whole table is about as cheap as an index would be`;
    return advice;
  }
  advice.problem = true;
  const read = readFilter(scan.filter ?? '', scan);
  advice.notServed = read.notServed;
  const equality = unique(read.conditions.filter((c) => c.kind === 'equality').map((c) => c.column));
  const range = read.conditions.find((c) => c.kind === 'range' && !equality.includes(c.column));
  const patterns = read.conditions.filter((c) => c.kind === 'pattern');
  const sort = sortColumns(context.sortKey, scan);

  if (equality.length > 0 || range) {
    const columns = [...equality];
    let sortNote = '';
    if (range) {
      columns.push(range.column);
      if (sort?.length === 1 && sort[0]!.column === range.column) sortNote = `; it also returns the rows in the ORDER BY's order, so the sort goes away`;
    } else if (sort && sort.length > 0) {
      for (const key of sort) if (!columns.includes(key.column)) columns.push(key.column);
      sortNote = `; ${sort.map((k) => k.column).join(', ')} last, so the rows come out in the ORDER BY's order and the sort goes away`;
    }
    const mixed = sort !== undefined && sort.length > 1 && new Set(sort.map((k) => k.descending)).size > 1;
    const spec = columns.map((column) => (mixed && sort?.find((k) => k.column === column)?.descending ? `${quoteIdent(column)} DESC` : quoteIdent(column)));
    const what = [equality.length ? `equality on ${equality.join(', ')}` : '', range ? `a range on ${range.column}` : ''].filter(Boolean).join(' and ');
    advice.suggestions.push({
      table,
      columns,
      kind: 'btree',
      sql: [`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${indexName(scan, columns, 'idx')} ON ${table} (${spec.join(', ')});`],
      reason:
        `${scanSentence(advice)}. A B-tree index on (${columns.join(', ')}) finds the matching rows directly: ${what}` +
        `${equality.length && range ? ' (equality columns first, the range column last)' : ''}${sortNote}.`,
    });
  }
  for (const pattern of patterns) {
    const columns = [pattern.column];
    advice.suggestions.push({
      table,
      columns,
      kind: 'gin_trgm',
      sql: [
        'CREATE EXTENSION IF NOT EXISTS pg_trgm;',
        `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${indexName(scan, columns, 'trgm_idx')} ON ${table} USING gin (${quoteIdent(pattern.column)} gin_trgm_ops);`,
      ],
      reason:
        `${scanSentence(advice)}. ${pattern.operatorText} on ${pattern.column} cannot use a B-tree index` +
        `${pattern.leadingWildcard ? ' (the pattern begins with a wildcard)' : ''}; a trigram (pg_trgm) GIN index can: it finds the rows whose ${pattern.column} contains the pattern's three-letter pieces and checks only those.`,
    });
  }
  for (const reason of read.tooShort) advice.notServed.push(reason);
  return advice;
}

function scanSentence(advice: ScanAdvice): string {
  const { size, table, kept } = advice;
  const all = size.source === 'cost' ? `every row of ${table} (about ${formatCount(size.rows)}, estimated from the scan's cost)` : `all ${formatCount(size.rows)} rows of ${table}`;
  return `PostgreSQL reads ${all} to keep ${formatCount(kept)} (${percent(kept, size.rows)})`;
}

/** "50,000 rows", or "about 51,925 rows, estimated from the scan's cost". */
export function sizeText(size: TableSize): string {
  return size.source === 'cost' ? `about ${formatCount(size.rows)} rows, estimated from the scan's cost` : `${formatCount(size.rows)} rows`;
}

// ---------------------------------------------------------------------------------------------
// The filter, read.

interface Condition {
  kind: 'equality' | 'range' | 'pattern';
  column: string;
  /** For patterns: "ILIKE '%…%'", "LIKE '%…%'", "a regular expression". */
  operatorText: string;
  leadingWildcard?: boolean;
}

interface ReadFilter {
  conditions: Condition[];
  notServed: string[];
  tooShort: string[];
}

const EQUALITY = new Set(['=']);
const RANGE = new Set(['<', '<=', '>', '>=']);
const PATTERN: Record<string, string> = { '~~': 'LIKE', '~~*': 'ILIKE', '~': 'a regular expression (~)', '~*': 'a regular expression (~*)' };
const COMMUTE: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };

/** The conditions of a filter an index could serve, and, in words, the ones it could not. */
export function readFilter(filter: string, scan: Pick<PlanNode, 'alias' | 'relation'>): ReadFilter {
  const out: ReadFilter = { conditions: [], notServed: [], tooShort: [] };
  const tokens = tokenize(filter);
  if (!tokens) {
    out.notServed.push(`the filter could not be read: ${filter}`);
    return out;
  }
  const orParts = splitTop(stripParens(tokens), 'OR');
  if (orParts.length > 1) {
    out.notServed.push(`the filter is an OR of conditions (${filter}): one index cannot serve all of them; an index per side, or rewriting as a UNION, could`);
    return out;
  }
  for (const part of splitTop(stripParens(tokens), 'AND')) readCondition(stripParens(part), filter, scan, out);
  return out;
}

function readCondition(tokens: Tok[], filter: string, scan: Pick<PlanNode, 'alias' | 'relation'>, out: ReadFilter): void {
  if (tokens.length === 0) return;
  const text = filter.slice(tokens[0]!.at, tokens.at(-1)!.end);
  if (tokens.some((t) => t.kind === 'word' && /^(SubPlan|InitPlan|hashed|alternatives:?)$/i.test(t.text))) {
    out.notServed.push(`the condition ${text} is a subquery: an index on this table does not serve it`);
    return;
  }
  // IS [NOT] NULL: B-tree serves IS NULL; IS NOT NULL keeps most rows as a rule.
  const last = tokens.at(-1)?.text.toUpperCase();
  if (last === 'NULL' && tokens.at(-2)?.text.toUpperCase() === 'IS') {
    const column = columnOf(tokens.slice(0, -2), scan);
    if (column.kind === 'column') out.conditions.push({ kind: 'equality', column: column.name, operatorText: 'IS NULL' });
    return;
  }
  const at = tokens.findIndex((t, i) => t.kind === 'op' && depthAt(tokens, i) === 0);
  if (at < 0) {
    // A boolean column on its own (`o.active`) or NOT of one: a B-tree on it seldom pays; nothing to suggest.
    return;
  }
  let op = tokens[at]!.text;
  const left = tokens.slice(0, at);
  let right = tokens.slice(at + 1);
  // col = ANY ('{…}'::text[]): an IN list, served like equality.
  if (op === '=' && right[0]?.text.toUpperCase() === 'ANY') right = right.slice(1);
  let leftCol = columnOf(left, scan);
  const rightCol = columnOf(right, scan);
  if (leftCol.kind !== 'column' && rightCol.kind === 'column' && COMMUTE[op] && isConstant(left, scan)) {
    // 42 < o.total: read as o.total > 42.
    right = left;
    leftCol = rightCol;
    op = COMMUTE[op]!;
  }
  if (leftCol.kind === 'expression') {
    out.notServed.push(
      `the condition ${text} applies ${leftCol.wrapper} to the column ${leftCol.name}, so an index on ${leftCol.name} cannot serve it` +
        ` (it is not sargable): compare the column itself, or create an index on the expression`,
    );
    return;
  }
  if (leftCol.kind !== 'column') return;
  if (!isConstant(right, scan) && !(op === '=' && referencesOtherTable(right, scan))) {
    out.notServed.push(`the condition ${text} compares ${leftCol.name} with another column of the same row: no index on one column serves it`);
    return;
  }
  const column = leftCol.name;
  if (EQUALITY.has(op)) out.conditions.push({ kind: 'equality', column, operatorText: op });
  else if (RANGE.has(op)) out.conditions.push({ kind: 'range', column, operatorText: op });
  else if (PATTERN[op]) {
    const literal = right.find((t) => t.kind === 'string');
    const pattern = literal ? unquote(literal.text) : undefined;
    const regex = op === '~' || op === '~*';
    if (pattern !== undefined && !regex && longestPiece(pattern) < 3) {
      out.tooShort.push(`the pattern ${literal!.text} of ${PATTERN[op]} on ${column} has no three characters in a row without a wildcard, so a trigram index could not narrow it down`);
      return;
    }
    if (op === '~~' && pattern !== undefined && !pattern.startsWith('%') && !pattern.startsWith('_')) {
      // LIKE 'abc%': a B-tree with text_pattern_ops serves a prefix; a trigram index too, and regardless of collation.
      out.conditions.push({ kind: 'pattern', column, operatorText: `LIKE ${literal!.text}`, leadingWildcard: false });
      return;
    }
    out.conditions.push({
      kind: 'pattern',
      column,
      operatorText: regex ? PATTERN[op]! : `${PATTERN[op]} ${literal?.text ?? '(a pattern)'}`,
      leadingWildcard: pattern !== undefined && (pattern.startsWith('%') || pattern.startsWith('_')),
    });
  } else if (op === '<>' || op === '!=') {
    out.notServed.push(`the condition ${text} is an inequality (<>): it keeps almost every row, an index does not help`);
  } else if (op.startsWith('!~')) {
    out.notServed.push(`the condition ${text} is a negated pattern (NOT LIKE): no index serves it`);
  } else {
    out.notServed.push(`the condition ${text} uses the operator ${op}, for which no B-tree or trigram index is suggested`);
  }
}

function longestPiece(pattern: string): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '%' || c === '_') {
      run = 0;
    } else {
      run++;
      if (c === '\\') i++; // an escaped character counts as one
    }
    best = Math.max(best, run);
  }
  return best;
}

type ColumnRef = { kind: 'column'; name: string } | { kind: 'expression'; name: string; wrapper: string } | { kind: 'none' };

/** A column of the scanned table, alone (possibly in parentheses), or inside a function call or cast. */
function columnOf(tokens: Tok[], scan: Pick<PlanNode, 'alias' | 'relation'>): ColumnRef {
  const inner = stripParens(tokens);
  if (inner.length === 1 && (inner[0]!.kind === 'word' || inner[0]!.kind === 'quoted')) {
    const name = ownColumn(inner[0]!.text, scan);
    return name ? { kind: 'column', name } : { kind: 'none' };
  }
  const columns = inner
    .filter((t, i) => (t.kind === 'word' || t.kind === 'quoted') && inner[i + 1]?.text !== '(' && !isTypeName(inner, i))
    .map((t) => ownColumn(t.text, scan))
    .filter((c): c is string => c !== undefined);
  if (columns.length === 0) return { kind: 'none' };
  const cast = inner.findIndex((t) => t.text === '::');
  const call = inner.findIndex((t, i) => t.kind === 'word' && inner[i + 1]?.text === '(');
  const wrapper = call >= 0 && (cast < 0 || call < cast) ? `${inner[call]!.text}()` : cast >= 0 ? `a cast (::${inner[cast + 1]?.text ?? '?'})` : 'an expression';
  return { kind: 'expression', name: columns[0]!, wrapper };
}

/** `o.notes` → notes when o is the scan's alias (or table); `notes` unqualified → notes. */
function ownColumn(word: string, scan: Pick<PlanNode, 'alias' | 'relation'>): string | undefined {
  const parts = splitQualified(word);
  if (parts.length === 1) return KEYWORDS.has(parts[0]!.toUpperCase()) ? undefined : parts[0];
  const qualifier = parts.at(-2)!;
  if (qualifier === scan.alias || qualifier === scan.relation) return parts.at(-1);
  return undefined;
}

function referencesOtherTable(tokens: Tok[], scan: Pick<PlanNode, 'alias' | 'relation'>): boolean {
  return tokens.some((t, i) => t.kind === 'word' && tokens[i - 1]?.text !== '::' && splitQualified(t.text).length > 1 && ownColumn(t.text, scan) === undefined);
}

/** Literals, parameters, casts and functions of those: no column of any table. */
function isConstant(tokens: Tok[], scan: Pick<PlanNode, 'alias' | 'relation'>): boolean {
  if (tokens.length === 0) return false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'word' && t.kind !== 'quoted') continue;
    if (isTypeName(tokens, i)) continue;
    if (tokens[i + 1]?.text === '(') continue; // a function (now(), ARRAY[…] is a word too)
    if (KEYWORDS.has(t.text.toUpperCase())) continue;
    if (splitQualified(t.text).length > 1 || ownColumn(t.text, scan) !== undefined) return false;
  }
  return true;
}

/** A word after `::`, or one continuing a multi-word type (timestamp with time zone, character varying, double precision). */
function isTypeName(tokens: Tok[], i: number): boolean {
  let j = i;
  while (j > 0 && tokens[j - 1]!.kind === 'word' && TYPE_WORDS.has(tokens[j]!.text.toLowerCase())) j--;
  return tokens[j - 1]?.text === '::';
}

const TYPE_WORDS = new Set(['with', 'without', 'time', 'zone', 'varying', 'precision', 'timestamp']);
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'NULL', 'TRUE', 'FALSE', 'ANY', 'ALL', 'ARRAY', 'CURRENT_DATE', 'CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'CURRENT_TIME', 'LOCALTIME', 'CURRENT_USER', 'SESSION_USER', 'INTERVAL', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'DISTINCT', 'FROM']);

interface SortColumn {
  column: string;
  descending: boolean;
}

/** The sort keys when every one is a plain column of the scanned table, else undefined. */
function sortColumns(sortKey: string[] | undefined, scan: Pick<PlanNode, 'alias' | 'relation'>): SortColumn[] | undefined {
  if (!sortKey || sortKey.length === 0) return undefined;
  const out: SortColumn[] = [];
  for (const key of sortKey) {
    const tokens = tokenize(key);
    if (!tokens) return undefined;
    const words = tokens.map((t) => t.text.toUpperCase());
    let end = tokens.length;
    let descending = false;
    while (end > 1 && ['DESC', 'ASC', 'NULLS', 'FIRST', 'LAST'].includes(words[end - 1]!)) {
      if (words[end - 1] === 'DESC') descending = true;
      end--;
    }
    const ref = columnOf(tokens.slice(0, end), scan);
    if (ref.kind !== 'column') return undefined;
    out.push({ column: ref.name, descending });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// A lexer for deparsed expressions.

interface Tok {
  kind: 'word' | 'quoted' | 'string' | 'number' | 'param' | 'op' | 'punct';
  text: string;
  /** Where it starts and ends in the filter text. */
  at: number;
  end: number;
}

const OP_CHARS = /[+\-*/<>=~!@#%^&|`?]/;

/** Tokens of a deparsed expression, or undefined when it cannot be read (an unclosed quote). */
function tokenize(text: string): Tok[] | undefined {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || ((c === 'E' || c === 'e') && text[i + 1] === "'" && !/[\w.]/.test(text[i - 1] ?? ' '))) {
      const start = i;
      const backslashes = c !== "'";
      i += backslashes ? 2 : 1;
      for (;;) {
        if (i >= text.length) return undefined;
        if (backslashes && text[i] === '\\') i += 2;
        else if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") break;
        else i++;
      }
      i++;
      out.push({ kind: 'string', text: text.slice(start, i), at: start, end: i });
    } else if (/[A-Za-z_\u0080-\uffff"]/.test(c)) {
      // A word, possibly qualified and quoted: o.notes, "Orders"."Notes", perflens_demo.orders.status
      const start = i;
      for (;;) {
        if (text[i] === '"') {
          i++;
          while (i < text.length && !(text[i] === '"' && text[i + 1] !== '"')) i += text[i] === '"' ? 2 : 1;
          if (i >= text.length) return undefined;
          i++;
        } else {
          while (i < text.length && /[\w$\u0080-\uffff]/.test(text[i]!)) i++;
        }
        if (text[i] === '.' && /[A-Za-z_"\u0080-\uffff]/.test(text[i + 1] ?? '')) i++;
        else break;
      }
      const word = text.slice(start, i);
      out.push({ kind: word.startsWith('"') && !word.includes('.') ? 'quoted' : 'word', text: word, at: start, end: i });
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const start = i;
      while (i < text.length && /[0-9.eE]/.test(text[i]!)) i++;
      out.push({ kind: 'number', text: text.slice(start, i), at: start, end: i });
    } else if (c === '$' && /[0-9]/.test(text[i + 1] ?? '')) {
      const start = i++;
      while (i < text.length && /[0-9]/.test(text[i]!)) i++;
      out.push({ kind: 'param', text: text.slice(start, i), at: start, end: i });
    } else if (c === ':' && text[i + 1] === ':') {
      out.push({ kind: 'punct', text: '::', at: i, end: i + 2 });
      i += 2;
    } else if (OP_CHARS.test(c)) {
      const start = i;
      while (i < text.length && OP_CHARS.test(text[i]!)) i++;
      out.push({ kind: 'op', text: text.slice(start, i), at: start, end: i });
    } else {
      out.push({ kind: 'punct', text: c, at: i, end: i + 1 });
      i++;
    }
  }
  return out;
}

function depthAt(tokens: Tok[], index: number): number {
  let depth = 0;
  for (let i = 0; i < index; i++) {
    const t = tokens[i]!.text;
    if (t === '(' || t === '[') depth++;
    else if (t === ')' || t === ']') depth--;
  }
  return depth;
}

/** Removes parentheses around the whole: ((a = 1)) → a = 1. */
function stripParens(tokens: Tok[]): Tok[] {
  let out = tokens;
  while (out.length >= 2 && out[0]!.text === '(' && out.at(-1)!.text === ')' && closes(out) === out.length - 1) out = out.slice(1, -1);
  return out;
}

/** Index of the parenthesis closing the one at 0. */
function closes(tokens: Tok[]): number {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.text === '(') depth++;
    else if (tokens[i]!.text === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Splits at a keyword (AND, OR) at depth 0. */
function splitTop(tokens: Tok[], keyword: string): Tok[][] {
  const parts: Tok[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    if (depth === 0 && t.kind === 'word' && t.text.toUpperCase() === keyword) parts.push([]);
    else parts.at(-1)!.push(t);
  }
  return parts.filter((p) => p.length > 0);
}

function splitQualified(word: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < word.length) {
    if (word[i] === '"') {
      let j = i + 1;
      let name = '';
      while (j < word.length && !(word[j] === '"' && word[j + 1] !== '"')) {
        if (word[j] === '"') {
          name += '"';
          j += 2;
        }
        else name += word[j++];
      }
      parts.push(name);
      i = j + 2; // closing quote and the dot
    } else {
      const dot = word.indexOf('.', i);
      parts.push(word.slice(i, dot < 0 ? word.length : dot));
      i = dot < 0 ? word.length : dot + 1;
    }
  }
  return parts;
}

function unquote(literal: string): string {
  const body = literal.startsWith("'") ? literal.slice(1, -1) : literal.slice(2, -1);
  return body.replace(/''/g, "'");
}

// ---------------------------------------------------------------------------------------------

/** An identifier as SQL needs it: bare when lower-case and plain, else in double quotes. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name.toUpperCase()) ? name : `"${name.replace(/"/g, '""')}"`;
}

const RESERVED = new Set(['ALL', 'AND', 'ANY', 'ARRAY', 'AS', 'ASC', 'CASE', 'CHECK', 'COLUMN', 'CONSTRAINT', 'CREATE', 'DEFAULT', 'DESC', 'DISTINCT', 'DO', 'ELSE', 'END', 'FOR', 'FOREIGN', 'FROM', 'GRANT', 'GROUP', 'HAVING', 'IN', 'INTO', 'LIMIT', 'NOT', 'NULL', 'OFFSET', 'ON', 'OR', 'ORDER', 'PRIMARY', 'REFERENCES', 'SELECT', 'TABLE', 'THEN', 'TO', 'UNION', 'UNIQUE', 'USER', 'USING', 'WHEN', 'WHERE', 'WITH']);

/** orders_status_created_at_idx: PostgreSQL's own naming, cut to its 63-byte limit. */
function indexName(scan: PlanNode, columns: string[], suffix: string): string {
  const raw = [scan.relation ?? 'table', ...columns, suffix].join('_').replace(/[^A-Za-z0-9_]+/g, '_').toLowerCase();
  return quoteIdent(raw.length > 63 ? `${raw.slice(0, 63 - suffix.length - 1)}_${suffix}` : raw);
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** 50000 → "50,000". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n) || Math.abs(n) >= 1e15) return n.toExponential(1);
  const rounded = Math.round(n);
  return String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ',').replace(/^/, rounded < 0 ? '-' : '');
}

function percent(part: number, whole: number): string {
  if (!(whole > 0) || !Number.isFinite(part / whole)) return '?%';
  const share = (100 * part) / whole;
  return share < 1 ? `${share < 0.1 ? '<0.1' : share.toFixed(1)}%` : `${Math.round(share)}%`;
}
