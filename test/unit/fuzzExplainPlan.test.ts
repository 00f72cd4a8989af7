// Property-based tests of the EXPLAIN reader with what may reach it: generated plan trees (the
// result must hold its invariants), the real fixtures mutated or cut short, and anything at all
// (the reader must refuse with its own PlanFormatError, never let a TypeError or RangeError out).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PlanFormatError, readPlan } from '../../server/queries/explainPlan';
import type { ExplainResult, PlanNode } from '../../server/queries/explainTypes';
import { explainFixture, explainFixtureNames } from './explainFixtures';
import { pathsOf, type PathSegment } from './fuzzPaths';

// At least 1000 cases per property; FUZZ_RUNS=20000 (say) searches harder.
const RUNS = Math.max(1000, Number(process.env.FUZZ_RUNS ?? 0));

type Json = Record<string, unknown>;

/** Text the plan brings in, without the words the output check looks for (so what it finds is ours). */
const inputString = (maxLength: number) => fc.string({ maxLength }).filter((s) => !/NaN|undefined|\[object/.test(s));
const column = fc.constantFrom('o.status', 'o.notes', 'status', 'created_at', '"Odd ""Name"""', 'c.id', 'lower(o.status)', '(o.id)::text', 'o.a.b');
const constant = fc.oneof(
  fc.constantFrom("'shipped'::text", "'%gift%'::text", "'%ab%'::text", "E'a\\\\b'::text", '42', '$1', "'2024-01-01 00:00:00+00'::timestamp with time zone", "'{a,b}'::text[]", 'NULL', 'o.id'),
  inputString(8).map((s) => `'${s.replace(/'/g, "''")}'::text`),
);
const operator = fc.constantFrom('=', '<', '>=', '<>', '~~', '~~*', '!~~', '~', '= ANY', 'IS');
const condition = fc.tuple(column, operator, constant).map(([c, op, v]) => (op === 'IS' ? `(${c} IS NULL)` : op === '= ANY' ? `(${c} = ANY (${v}))` : `(${c} ${op} ${v})`));
const filter = fc.oneof(
  { weight: 4, arbitrary: fc.array(condition, { minLength: 1, maxLength: 3 }).map((cs) => (cs.length === 1 ? cs[0]! : `(${cs.join(' AND ')})`)) },
  { weight: 1, arbitrary: fc.array(condition, { minLength: 2, maxLength: 3 }).map((cs) => `(${cs.join(' OR ')})`) },
  { weight: 1, arbitrary: inputString(20) },
);
const nodeType = fc.constantFrom('Seq Scan', 'Index Scan', 'Sort', 'Limit', 'Nested Loop', 'Hash Join', 'Hash', 'Gather', 'Gather Merge', 'Aggregate', 'Bitmap Heap Scan', 'ModifyTable', 'Incremental Sort', 'Something New');
const number = fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.double({ min: 0, max: 1e9, noNaN: true }), fc.constantFrom(0, 1, 1e308));
/** Actual figures: times loops must stay a finite number (the reader refuses one that does not). */
const actual = fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.double({ min: 0, max: 1e9, noNaN: true }), fc.constantFrom(0, 0.5, 1));

interface GenNode {
  raw: Json;
  count: number;
}

/** A plan tree of raw EXPLAIN nodes, with or without actual figures. */
const planTree = (analyzed: boolean): fc.Arbitrary<GenNode> =>
  fc.letrec<{ node: GenNode }>((tie) => ({
    node: fc
      .record({
        type: nodeType,
        startup: number,
        total: number,
        rows: number,
        width: fc.nat(500),
        relation: fc.option(fc.constantFrom('orders', 'customers', 'Weird Name'), { nil: undefined }),
        schema: fc.option(fc.constantFrom('public', 'perflens_demo'), { nil: undefined }),
        filter: fc.option(filter, { nil: undefined }),
        sortKey: fc.option(fc.array(fc.constantFrom('o.created_at DESC', 'created_at', 'o.id NULLS FIRST', '(sum(x)) DESC', ''), { maxLength: 3 }), { nil: undefined }),
        loops: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })),
        actualRows: actual,
        time: actual,
        removed: fc.option(actual, { nil: undefined }),
        sortMethod: fc.option(fc.constantFrom('quicksort', 'external merge', 'top-N heapsort'), { nil: undefined }),
        spaceType: fc.option(fc.constantFrom('Memory', 'Disk', 'Other'), { nil: undefined }),
        workers: fc.option(fc.nat(4), { nil: undefined }),
        // Leaves past depth 5 (oneof takes its first choice there).
        children: fc.oneof({ maxDepth: 5, depthIdentifier: 'plan' }, fc.constant([] as GenNode[]), fc.array(tie('node'), { minLength: 1, maxLength: 3 })),
      })
      .map((g) => {
        const raw: Json = { 'Node Type': g.type, 'Startup Cost': g.startup, 'Total Cost': g.total, 'Plan Rows': g.rows, 'Plan Width': g.width };
        if (g.relation) Object.assign(raw, { 'Relation Name': g.relation, Alias: 'o', ...(g.schema ? { Schema: g.schema } : {}) });
        if (g.filter !== undefined) raw.Filter = g.filter;
        if (g.sortKey) raw['Sort Key'] = g.sortKey;
        if (analyzed) Object.assign(raw, { 'Actual Loops': g.loops, 'Actual Rows': g.actualRows, 'Actual Total Time': g.time, 'Actual Startup Time': 0 });
        if (analyzed && g.removed !== undefined) raw['Rows Removed by Filter'] = g.removed;
        if (g.sortMethod) Object.assign(raw, { 'Sort Method': g.sortMethod, 'Sort Space Used': g.width, 'Sort Space Type': g.spaceType });
        if (g.workers !== undefined) Object.assign(raw, { 'Workers Launched': g.workers, Workers: [{ 'Worker Number': 0, 'Sort Space Used': 10, 'Sort Space Type': 'Disk' }] });
        if (g.children.length) raw.Plans = g.children.map((c, i) => ({ 'Parent Relationship': i === 0 ? 'Outer' : 'Inner', ...c.raw }));
        return { raw, count: 1 + g.children.reduce((sum, c) => sum + c.count, 0) };
      }),
  })).node;

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...node.children.flatMap(nodesOf)];
}

function checkResult(result: ExplainResult, nodeCount: number): void {
  const nodes = nodesOf(result.plan);
  assert.equal(nodes.length, nodeCount);
  assert.equal(result.costliest.length, nodeCount);
  for (const node of nodes) {
    assert.ok(Number.isFinite(node.selfCost) && node.selfCost >= 0 && node.selfCost <= node.totalCost, `selfCost ${node.selfCost} of ${node.totalCost}`);
    if (node.selfMs !== undefined) assert.ok(Number.isFinite(node.selfMs) && node.selfMs >= 0 && node.selfMs <= node.actualTotalMs! * (1 + 1e-12), `selfMs ${node.selfMs}`);
  }
  assert.ok(result.text.split('\n').length >= nodeCount);
  const words = [...result.problems.map((p) => p.message), ...result.suggestions.flatMap((s) => [s.reason, ...s.sql]), result.text];
  for (const text of words) assert.doesNotMatch(text, /undefined|NaN|\[object Object\]/, text);
  for (const suggestion of result.suggestions) {
    assert.ok(suggestion.columns.length > 0);
    assert.match(suggestion.sql.at(-1)!, /^CREATE INDEX CONCURRENTLY IF NOT EXISTS \S+ ON \S.* \(.+\);$/);
  }
}

/** Reads, or gives the message of the reader's own refusal, which must say something. Any other error fails. */
function tryRead(input: unknown, analyzed: boolean): ExplainResult | string {
  try {
    return readPlan(input, 'SELECT 1', analyzed);
  } catch (err) {
    if (!(err instanceof PlanFormatError)) throw new Error(`not a PlanFormatError: ${(err as Error)?.stack ?? String(err)}`, { cause: err });
    assert.ok(err.message.length > 10, 'a message');
    assert.doesNotMatch(err.message, /\[object Object\]/, err.message);
    return err.message;
  }
}

test('generated plans read, and the result holds its invariants', () => {
  fc.assert(
    fc.property(fc.boolean().chain((analyzed) => fc.tuple(fc.constant(analyzed), planTree(analyzed))), fc.boolean(), ([analyzed, tree], asText) => {
      const json = [{ Plan: tree.raw, 'Planning Time': 0.1, ...(analyzed ? { 'Execution Time': 1 } : {}) }];
      const result = readPlan(asText ? JSON.stringify(json) : json, 'SELECT 1', analyzed);
      assert.equal(result.analyzed, analyzed);
      checkResult(result, tree.count);
    }),
    { numRuns: RUNS },
  );
});

// ---------------------------------------------------------------------------------------------
// Malformed input.

const fixtures = explainFixtureNames().map((name) => explainFixture(name));
const weirdValue = fc.oneof(
  fc.constantFrom<unknown>(null, -1, 0, 1.5, 1e308, '', 'x', [], {}, true, [1], { 'Node Type': 'x' }, 'Seq Scan', '(a = 1)'),
  fc.jsonValue({ maxDepth: 2 }),
);

function containerAt(root: unknown, path: PathSegment[]): Json | unknown[] {
  let value = root as Json;
  for (const segment of path.slice(0, -1)) value = (value as Json)[segment as string] as Json;
  return value;
}

test('the real fixtures, mutated: read, or refused with a PlanFormatError', () => {
  fc.assert(
    fc.property(fc.nat(fixtures.length - 1), fc.array(fc.record({ pick: fc.nat(), remove: fc.boolean(), value: weirdValue }), { minLength: 1, maxLength: 3 }), (which, mutations) => {
      const fixture = fixtures[which]!;
      const json = structuredClone(fixture.queryPlan);
      for (const m of mutations) {
        const paths = pathsOf(json);
        if (paths.length === 0) break;
        const path = paths[m.pick % paths.length]!;
        const container = containerAt(json, path);
        const last = path.at(-1)!;
        // A copy: fast-check hands out the same [] and {} each time, and a later mutation inside
        // one would change it for every run after, or make a cycle (a [] put inside itself).
        if (!m.remove) (container as Json)[last as string] = structuredClone(m.value);
        else if (Array.isArray(container)) container.splice(last as number, 1);
        else delete (container as Json)[last as string];
      }
      const outcome = tryRead(json, fixture.analyzed);
      if (typeof outcome !== 'string') assert.ok(outcome.costliest.length >= 1);
    }),
    { numRuns: RUNS },
  );
});

test('the real fixtures cut short or with bytes changed: refused as not valid JSON, or read', () => {
  fc.assert(
    fc.property(fc.nat(fixtures.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), fc.option(fc.string({ maxLength: 3 }), { nil: undefined }), (which, at, insert) => {
      const text = JSON.stringify(fixtures[which]!.queryPlan);
      const cut = Math.floor(at * text.length);
      const broken = insert === undefined ? text.slice(0, cut) : text.slice(0, cut) + insert + text.slice(cut + 1);
      const outcome = tryRead(broken, fixtures[which]!.analyzed);
      if (insert === undefined && cut < text.length) assert.equal(typeof outcome, 'string', 'a cut text is refused');
    }),
    { numRuns: RUNS },
  );
});

test('anything at all: read or refused, never another error', () => {
  fc.assert(
    fc.property(fc.oneof(fc.anything(), fc.jsonValue(), fc.string(), fc.jsonValue().map((v) => [{ Plan: v }]), fc.jsonValue().map((v) => JSON.stringify([{ Plan: v }]))), fc.boolean(), (input, analyzed) => {
      tryRead(input, analyzed);
    }),
    { numRuns: RUNS },
  );
});
