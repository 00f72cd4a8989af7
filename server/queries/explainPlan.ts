// PostgreSQL's EXPLAIN (FORMAT JSON) output, read: the plan tree with each node's own share of the
// cost (and, with ANALYZE, of the time), the costliest nodes first, the problems named in plain
// words and the indexes that would serve it. Pure.
//
// Input: what pg returns for `EXPLAIN (…, FORMAT JSON) …`, rows[0]['QUERY PLAN'], an array with
// one object {Plan, Planning Time?, Execution Time?, …}; also accepted: that as a JSON string, the
// object alone, the row, or the rows.
import type { ExplainResult, PlanNode, PlanProblem } from './explainTypes';
import { adviseScans, formatCount, readFilter, sizeText, suggestIndexes, tableName, type TableRows } from './indexAdvice';

export class PlanFormatError extends Error {
  override name = 'PlanFormatError';
}

export interface ReadPlanOptions {
  /**
   * Rows of the scanned tables (pg_class.reltuples), keyed `schema.table` or `table`. A plain
   * EXPLAIN does not say how big a table is; without this, only a lower bound from the scan's
   * cost is known, and a sequential scan is called a problem only when that bound makes it clear.
   */
  tableRows?: TableRows;
}

/** Misestimates: actual rows at least this many times the estimate, or at most 1/this. */
export const MISESTIMATE_FACTOR = 10;
/** …and only when one side is at least this many rows (2 vs 5 rows misleads no plan). */
export const MISESTIMATE_MIN_ROWS = 20;
/** A nested loop running its inner side this many times or more is named. */
export const NESTED_LOOP_MANY = 1_000;
const MAX_DEPTH = 500;

/**
 * Reads the plan. `analyzed`: it ran with ANALYZE (the result says analyzed only when the plan also
 * has actual figures). Throws a PlanFormatError naming what is wrong when the input is not EXPLAIN's JSON.
 */
export function readPlan(json: unknown, statement: string, analyzed: boolean, options: ReadPlanOptions = {}): ExplainResult {
  const top = unwrap(json);
  const planningMs = optionalNumber(top, 'Planning Time', 'the plan');
  const executionMs = optionalNumber(top, 'Execution Time', 'the plan');
  const plan = readNode(top.Plan, 'Plan', 0, 1);
  const hasActuals = plan.loops !== undefined;
  const isAnalyzed = analyzed && hasActuals;
  const all = flatten(plan);
  const costliest = [...all].sort((a, b) => (isAnalyzed ? (b.selfMs ?? 0) - (a.selfMs ?? 0) : 0) || b.selfCost - a.selfCost);
  const tableRows = options.tableRows ?? {};
  const problems = findProblems(plan, tableRows, isAnalyzed);
  return {
    statement,
    analyzed: isAnalyzed,
    plan,
    costliest,
    ...(planningMs !== undefined ? { planningMs } : {}),
    ...(executionMs !== undefined ? { executionMs } : {}),
    problems,
    suggestions: suggestIndexes(plan, tableRows),
    text: planText(plan, isAnalyzed, planningMs, executionMs),
  };
}

// ---------------------------------------------------------------------------------------------
// Validation.

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length ? `an object with ${keys.slice(0, 5).map((k) => JSON.stringify(k)).join(', ')}${keys.length > 5 ? ', …' : ''}` : 'an empty object';
  }
  return `${typeof value} ${String(value)}`;
}

function unwrap(json: unknown): Json {
  let value = json;
  for (let step = 0; step < 6; step++) {
    if (typeof value === 'string') {
      const text = value.replace(/^\ufeff/, '');
      try {
        value = JSON.parse(text);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const truncated = /end of (json )?(data|input)|unterminated|Expected .* after/i.test(message);
        throw new PlanFormatError(`the plan is not valid JSON${truncated ? ' (is it cut short?)' : ''}: ${message}`);
      }
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length !== 1) throw new PlanFormatError(`expected EXPLAIN's JSON, an array with one plan, got an array of ${value.length}`);
      value = value[0];
      continue;
    }
    if (isObject(value) && 'QUERY PLAN' in value && !('Plan' in value)) {
      value = value['QUERY PLAN'];
      continue;
    }
    break;
  }
  if (!isObject(value) || !('Plan' in value)) throw new PlanFormatError(`expected EXPLAIN's JSON, [{"Plan": {…}}], got ${describe(value)}`);
  return value;
}

function fieldPath(path: string, key: string): string {
  return `${path}[${JSON.stringify(key)}]`;
}

function optionalNumber(raw: Json, key: string, path: string): number | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new PlanFormatError(`${fieldPath(path, key)} is ${describe(value)}, expected a number ≥ 0`);
  return value;
}

function requiredNumber(raw: Json, key: string, path: string): number {
  const value = optionalNumber(raw, key, path);
  if (value === undefined) throw new PlanFormatError(`${path} has no ${JSON.stringify(key)}: not a node of EXPLAIN's JSON`);
  return value;
}

function optionalString(raw: Json, key: string, path: string): string | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new PlanFormatError(`${fieldPath(path, key)} is ${describe(value)}, expected a string`);
  return value;
}

function optionalStrings(raw: Json, key: string, path: string): string[] | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new PlanFormatError(`${fieldPath(path, key)} is ${describe(value)}, expected an array of strings`);
  return value as string[];
}

/**
 * One node and its children. `processes`: how many processes share this node's loops (inside a
 * Gather, the workers and the leader run it at the same time, so time per loop × loops would count
 * wall time once per process).
 */
function readNode(raw: unknown, path: string, depth: number, processes: number): PlanNode {
  if (depth > MAX_DEPTH) throw new PlanFormatError(`${path}: the plan is nested more than ${MAX_DEPTH} levels deep`);
  if (!isObject(raw)) throw new PlanFormatError(`${path} is ${describe(raw)}, expected a plan node (an object with "Node Type")`);
  const nodeType = optionalString(raw, 'Node Type', path);
  if (!nodeType) throw new PlanFormatError(`${path} has no "Node Type": not a node of EXPLAIN's JSON`);
  const node: PlanNode = {
    nodeType,
    planRows: requiredNumber(raw, 'Plan Rows', path),
    planWidth: optionalNumber(raw, 'Plan Width', path),
    startupCost: requiredNumber(raw, 'Startup Cost', path),
    totalCost: requiredNumber(raw, 'Total Cost', path),
    selfCost: 0,
    children: [],
  };
  const strings: Array<[keyof PlanNode, string]> = [['relation', 'Relation Name'], ['alias', 'Alias'], ['schema', 'Schema'], ['index', 'Index Name'], ['filter', 'Filter']];
  for (const [field, key] of strings) {
    const value = optionalString(raw, key, path);
    if (value !== undefined) (node as unknown as Record<string, unknown>)[field] = value;
  }
  const indexCond = optionalString(raw, 'Index Cond', path) ?? optionalString(raw, 'Recheck Cond', path);
  if (indexCond !== undefined) node.indexCond = indexCond;
  const joinCond = optionalString(raw, 'Hash Cond', path) ?? optionalString(raw, 'Merge Cond', path) ?? optionalString(raw, 'Join Filter', path);
  if (joinCond !== undefined) node.joinCond = joinCond;
  const sortKey = optionalStrings(raw, 'Sort Key', path);
  if (sortKey) node.sortKey = sortKey;

  const loops = optionalNumber(raw, 'Actual Loops', path);
  const rows = optionalNumber(raw, 'Actual Rows', path);
  const time = optionalNumber(raw, 'Actual Total Time', path);
  const removed = optionalNumber(raw, 'Rows Removed by Filter', path);
  if (loops !== undefined) {
    node.loops = loops;
    node.actualRows = Math.round((rows ?? 0) * loops);
    node.actualTotalMs = (time ?? 0) * (loops === 0 ? 0 : Math.max(1, loops / processes));
    if (removed !== undefined) node.rowsRemovedByFilter = Math.round(removed * loops);
    if (![node.actualRows, node.actualTotalMs, node.rowsRemovedByFilter ?? 0].every(Number.isFinite)) {
      throw new PlanFormatError(`${path}: its actual rows or time times its ${loops} loops is too large a number`);
    }
  }
  readSort(raw, path, node);

  const gather = nodeType === 'Gather' || nodeType === 'Gather Merge';
  const launched = optionalNumber(raw, 'Workers Launched', path) ?? optionalNumber(raw, 'Workers Planned', path) ?? 0;
  const childProcesses = gather ? Math.max(1, Math.round(launched) + 1) : processes;
  const plans = raw.Plans;
  if (plans !== undefined) {
    if (!Array.isArray(plans)) throw new PlanFormatError(`${fieldPath(path, 'Plans')} is ${describe(plans)}, expected an array of plan nodes`);
    plans.forEach((child, i) => node.children.push(readNode(child, `${path}.Plans[${i}]`, depth + 1, childProcesses)));
  }
  const relationships = Array.isArray(plans) ? plans.map((child) => (isObject(child) && typeof child['Parent Relationship'] === 'string' ? child['Parent Relationship'] : '')) : [];
  node.selfCost = ownCost(node, relationships);
  if (node.actualTotalMs !== undefined) {
    const below = node.children.reduce((sum, child) => sum + (child.actualTotalMs ?? 0), 0);
    node.selfMs = Math.max(0, node.actualTotalMs - below);
  }
  return node;
}

function readSort(raw: Json, path: string, node: PlanNode): void {
  const method = optionalString(raw, 'Sort Method', path);
  let kb = optionalNumber(raw, 'Sort Space Used', path);
  let type = optionalString(raw, 'Sort Space Type', path);
  const workers = raw.Workers;
  if (workers !== undefined) {
    if (!Array.isArray(workers)) throw new PlanFormatError(`${fieldPath(path, 'Workers')} is ${describe(workers)}, expected an array`);
    workers.forEach((worker, i) => {
      if (!isObject(worker)) throw new PlanFormatError(`${fieldPath(path, 'Workers')}[${i}] is ${describe(worker)}, expected an object`);
      const wPath = `${fieldPath(path, 'Workers')}[${i}]`;
      const wKb = optionalNumber(worker, 'Sort Space Used', wPath);
      const wType = optionalString(worker, 'Sort Space Type', wPath);
      if (wKb !== undefined) kb = (kb ?? 0) + wKb;
      if (wType === 'Disk' || type === undefined) type = wType ?? type;
    });
  }
  if (method !== undefined) node.sortMethod = method;
  if (kb !== undefined) node.sortSpaceKb = kb;
  if (type === 'Disk' || type === 'Memory') node.sortSpaceType = type;
}

/**
 * The node's cost minus its children's. A nested loop runs its inner side once per outer row (the
 * planner's estimate), so that child counts that many times; a Limit stops its child early, so its
 * own share (and any other that comes out below zero) is 0.
 */
function ownCost(node: PlanNode, relationships: string[]): number {
  const main = node.children.filter((_, i) => relationships[i] !== 'InitPlan' && relationships[i] !== 'SubPlan');
  let below = 0;
  for (const child of node.children) {
    const inner = node.nodeType === 'Nested Loop' && main.length === 2 && child === main[1];
    below += child.totalCost * (inner ? Math.max(1, main[0]!.planRows) : 1);
  }
  return Math.max(0, node.totalCost - below);
}

function flatten(plan: PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const stack = [plan];
  while (stack.length) {
    const node = stack.pop()!;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Problems.

function findProblems(plan: PlanNode, tableRows: TableRows, analyzed: boolean): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const advice of adviseScans(plan, tableRows)) {
    if (!advice.problem) continue;
    const { scan } = advice;
    const size = sizeText(advice.size);
    const keeps = analyzed ? 'keeps' : 'is expected to keep';
    const then = advice.suggestions.length > 0
      ? `: an index would serve it (${advice.suggestions.map((s) => `${s.kind === 'gin_trgm' ? 'trigram' : 'B-tree'} on ${s.columns.join(', ')}`).join('; ')})`
      : advice.notServed.length > 0 ? `; no index is suggested: ${advice.notServed.join('; ')}` : '';
    problems.push({
      kind: 'seq-scan',
      message: `Sequential scan of ${advice.table} (${size}) under a filter that ${keeps} ${formatCount(advice.kept)}${then}`,
      nodeType: scan.nodeType,
      ...(scan.relation ? { relation: scan.relation } : {}),
    });
  }
  if (analyzed) problems.push(...misestimates(plan));
  for (const node of flatten(plan)) {
    if (node.sortSpaceType === 'Disk' || /external/i.test(node.sortMethod ?? '')) {
      problems.push({
        kind: 'sort-spill',
        message:
          `Sort${node.sortKey ? ` on ${node.sortKey.join(', ')}` : ''} spilled to disk (${node.sortMethod ?? 'external'}` +
          `${node.sortSpaceKb !== undefined ? `, ${formatCount(node.sortSpaceKb)} kB` : ''}): the rows did not fit in work_mem. ` +
          `Sorting fewer rows (a LIMIT, an index in the ORDER BY's order) or a larger work_mem for this query (SET LOCAL work_mem) keeps it in memory`,
        nodeType: node.nodeType,
      });
    }
    if (analyzed && node.nodeType === 'Nested Loop' && node.children.length >= 2) {
      const inner = node.children[1]!;
      if ((inner.loops ?? 0) >= NESTED_LOOP_MANY) {
        const on = inner.relation ? ` on ${tableName(inner)}` : '';
        problems.push({
          kind: 'nested-loop-many',
          message:
            `Nested loop ran its inner ${inner.nodeType}${on} ${formatCount(inner.loops!)} times` +
            `${inner.actualTotalMs !== undefined ? ` (${formatMs(inner.actualTotalMs)} ms in all)` : ''}` +
            (inner.nodeType.includes('Seq Scan') ? ': each time reading the whole table; an index on the join column, or a hash join, would avoid it' : ': once per row of its outer side; a hash join over both sides at once may be cheaper'),
          nodeType: node.nodeType,
          ...(inner.relation ? { relation: inner.relation } : {}),
        });
      }
    }
  }
  return problems;
}

/** Nodes whose actual rows (per loop) are off from the estimate by MISESTIMATE_FACTOR; the deepest of a chain only, nothing below a Limit. */
function misestimates(plan: PlanNode): PlanProblem[] {
  const out: PlanProblem[] = [];
  const visit = (node: PlanNode): boolean => {
    // A Limit stops reading early: the rows below it are fewer than planned by design.
    if (node.nodeType === 'Limit') return false;
    let below = false;
    for (const child of node.children) below = visit(child) || below;
    if (below || !node.loops || node.actualRows === undefined) return below;
    const actual = node.actualRows / node.loops;
    const estimate = node.planRows;
    const ratio = Math.max(actual, 1) / Math.max(estimate, 1);
    if (Math.max(actual, estimate) < MISESTIMATE_MIN_ROWS || (ratio < MISESTIMATE_FACTOR && ratio > 1 / MISESTIMATE_FACTOR)) return false;
    const on = node.relation ? ` on ${tableName(node)}` : '';
    const factor = ratio >= 1 ? `${formatFactor(ratio)}× more` : `${formatFactor(1 / ratio)}× fewer`;
    out.push({
      kind: 'misestimate',
      message: `PostgreSQL expected ${formatCount(estimate)} rows from the ${node.nodeType}${on} and got ${formatCount(actual)}${node.loops > 1 ? ' per loop' : ''} (${factor}): ${misestimateHint(node)}`,
      nodeType: node.nodeType,
      ...(node.relation ? { relation: node.relation } : {}),
    });
    return true;
  };
  visit(plan);
  return out;
}

function misestimateHint(node: PlanNode): string {
  const plans = 'a plan chosen for the wrong number of rows (a nested loop where a hash join was due, or the reverse) is a usual result';
  const conditions = [node.indexCond, node.filter].filter((c): c is string => c !== undefined).map((c) => readFilter(c, node));
  const expression = conditions.flatMap((c) => c.notServed).find((reason) => reason.includes(' applies '));
  if (expression) return `its statistics are about columns, not about an expression on one (${expression.replace(/^the condition /, '').replace(/, so an index.*$/, '')}); an index on the expression, or CREATE STATISTICS on it (PostgreSQL 14+), followed by ANALYZE, gives it figures. ${capitalize(plans)}`;
  const columns = [...new Set(conditions.flatMap((c) => c.conditions.map((x) => x.column)))];
  if (columns.length >= 2 && node.relation) {
    return `the conditions on ${columns.join(' and ')} are probably correlated, and the planner multiplies their selectivities as if they were not; ` +
      `CREATE STATISTICS ${node.relation}_${columns.join('_')}_stats (dependencies, mcv) ON ${columns.join(', ')} FROM ${tableName(node)}; then ANALYZE ${tableName(node)}; lets it know. ${capitalize(plans)}`;
  }
  if (node.relation) return `the table's statistics may be out of date: ANALYZE ${tableName(node)}. ${capitalize(plans)}`;
  return `the estimate below it was off, or this step's own estimate is; ${plans}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function formatFactor(ratio: number): string {
  return ratio >= 100 ? formatCount(ratio) : ratio.toFixed(ratio >= 10 ? 0 : 1);
}

// ---------------------------------------------------------------------------------------------
// Text.

/** `Limit (cost 0..1234, rows 20 est / 20 actual, 12.3 ms)`, children under `-> `, details (Filter, Sort Key) under each. */
export function planText(plan: PlanNode, analyzed: boolean, planningMs?: number, executionMs?: number): string {
  const lines: string[] = [];
  const render = (node: PlanNode, indent: number, child: boolean) => {
    lines.push(`${' '.repeat(indent)}${child ? '-> ' : ''}${label(node, analyzed)}`);
    const pad = ' '.repeat(indent + (child ? 3 : 0) + 2);
    if (node.indexCond) lines.push(`${pad}${node.index ? 'Index Cond' : 'Recheck Cond'}: ${node.indexCond}`);
    if (node.joinCond) lines.push(`${pad}Join Cond: ${node.joinCond}`);
    if (node.filter) lines.push(`${pad}Filter: ${node.filter}${node.rowsRemovedByFilter !== undefined ? ` (removed ${node.rowsRemovedByFilter} rows)` : ''}`);
    if (node.sortKey) lines.push(`${pad}Sort Key: ${node.sortKey.join(', ')}`);
    if (node.sortMethod) lines.push(`${pad}Sort Method: ${node.sortMethod}${node.sortSpaceKb !== undefined ? `, ${node.sortSpaceType ?? 'space'} ${node.sortSpaceKb} kB` : ''}`);
    for (const c of node.children) render(c, pad.length, true);
  };
  render(plan, 0, false);
  if (planningMs !== undefined) lines.push(`Planning: ${formatMs(planningMs)} ms`);
  if (executionMs !== undefined) lines.push(`Execution: ${formatMs(executionMs)} ms`);
  return lines.join('\n');
}

function label(node: PlanNode, analyzed: boolean): string {
  let name = node.nodeType;
  if (node.index) name += ` using ${node.index}`;
  if (node.relation) name += ` on ${node.schema ? `${node.schema}.` : ''}${node.relation}${node.alias && node.alias !== node.relation ? ` ${node.alias}` : ''}`;
  const figures = [`cost ${formatCost(node.startupCost)}..${formatCost(node.totalCost)}`];
  if (analyzed && node.loops === 0) {
    figures.push(`rows ${formatRows(node.planRows)} est`, 'never executed');
  } else if (analyzed && node.loops !== undefined && node.actualRows !== undefined) {
    figures.push(`rows ${formatRows(node.planRows)} est / ${formatRows(node.actualRows / node.loops)} actual`);
    if (node.loops > 1) figures.push(`${node.loops} loops`);
    if (node.actualTotalMs !== undefined) figures.push(`${formatMs(node.actualTotalMs)} ms`);
  } else {
    figures.push(`rows ${formatRows(node.planRows)} est`);
  }
  return `${name} (${figures.join(', ')})`;
}

function formatCost(cost: number): string {
  return cost >= 1e15 ? cost.toExponential(2) : String(Math.round(cost * 100) / 100);
}

function formatRows(rows: number): string {
  return rows >= 1e15 ? rows.toExponential(2) : String(Math.round(rows * 100) / 100);
}

export function formatMs(ms: number): string {
  if (ms >= 1e15) return ms.toExponential(2);
  if (ms >= 100) return String(Math.round(ms));
  if (ms >= 1) return ms.toFixed(1);
  return String(Math.round(ms * 1000) / 1000);
}
