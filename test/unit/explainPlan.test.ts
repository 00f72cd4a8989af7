import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanFormatError, readPlan } from '../../server/queries/explainPlan';
import type { PlanNode } from '../../server/queries/explainTypes';
import { explainFixture, explainFixtureNames, readFixture } from './explainFixtures';

function rejects(input: unknown, pattern: RegExp): void {
  assert.throws(
    () => readPlan(input, 'SELECT 1', false),
    (err: unknown) => {
      assert.ok(err instanceof PlanFormatError, `a PlanFormatError, got ${String(err)}`);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

function walk(node: PlanNode): PlanNode[] {
  return [node, ...node.children.flatMap(walk)];
}

test('every fixture reads, with the statement kept and no parameter values in the result', () => {
  const names = explainFixtureNames();
  assert.ok(names.length >= 15, `fixtures: ${names.join(', ')}`);
  for (const name of names) {
    const fixture = explainFixture(name);
    const result = readFixture(name);
    assert.equal(result.statement, fixture.statement);
    assert.equal(result.analyzed, fixture.analyzed, name);
    assert.equal(result.costliest.length, walk(result.plan).length, name);
    for (const value of fixture.values) if (typeof value === 'string' && value.length > 3) assert.ok(!JSON.stringify({ ...result, plan: undefined, costliest: undefined, text: undefined, problems: undefined, suggestions: undefined }).includes(value));
    for (const node of walk(result.plan)) {
      assert.ok(node.selfCost >= 0 && node.selfCost <= node.totalCost, `${name}: ${node.nodeType} selfCost ${node.selfCost}`);
      if (fixture.analyzed) assert.ok(node.selfMs !== undefined && node.selfMs >= 0 && node.selfMs <= node.actualTotalMs! + 1e-9, `${name}: ${node.nodeType} selfMs`);
    }
    if (fixture.analyzed) {
      assert.ok(result.planningMs! > 0 && result.executionMs! > 0, name);
      const own = result.costliest.map((n) => n.selfMs!);
      assert.deepEqual(own, [...own].sort((a, b) => b - a), `${name}: costliest first`);
    } else {
      assert.equal(result.executionMs, undefined);
      const own = result.costliest.map((n) => n.selfCost);
      assert.deepEqual(own, [...own].sort((a, b) => b - a), `${name}: costliest first`);
    }
  }
});

test('GET /search: a sequential scan of orders under the ILIKE filter, and a trigram index on notes', () => {
  const result = readFixture('search.analyze');
  const scan = result.costliest[0]!;
  assert.equal(scan.nodeType, 'Seq Scan');
  assert.equal(scan.relation, 'orders');
  assert.equal(scan.schema, 'perflens_demo');
  assert.equal(scan.alias, 'o');
  assert.equal(scan.filter, "(o.notes ~~* '%gift%'::text)");
  assert.equal(scan.actualRows! + scan.rowsRemovedByFilter!, 50_000);
  const [problem, ...others] = result.problems;
  assert.equal(others.length, 0, JSON.stringify(others));
  assert.equal(problem!.kind, 'seq-scan');
  assert.equal(problem!.relation, 'orders');
  assert.match(problem!.message, /^Sequential scan of perflens_demo\.orders \(50,000 rows\) under a filter that keeps 8,334: an index would serve it \(trigram on notes\)$/);
  assert.equal(result.suggestions.length, 1);
  assert.equal(result.suggestions[0]!.kind, 'gin_trgm');
  assert.deepEqual(result.suggestions[0]!.columns, ['notes']);
  // The Sort under the Limit returned 20 of 8,586 planned rows by design: no misestimate.
  assert.ok(!result.problems.some((p) => p.kind === 'misestimate'));
  // Times differ from one run of the fixture script to the next; the shape does not.
  const lines = result.text.split('\n');
  const expected = [
    /^Limit \(cost [\d.]+\.\.[\d.]+, rows 20 est \/ 20 actual, [\d.]+ ms\)$/,
    /^ {2}-> Sort \(cost [\d.]+\.\.[\d.]+, rows \d+ est \/ 20 actual, [\d.]+ ms\)$/,
    /^ {7}Sort Key: o\.created_at DESC$/,
    /^ {7}Sort Method: top-N heapsort, Memory \d+ kB$/,
    /^ {7}-> Seq Scan on perflens_demo\.orders o \(cost 0\.\.1980, rows \d+ est \/ 8334 actual, [\d.]+ ms\)$/,
    /^ {12}Filter: \(o\.notes ~~\* '%gift%'::text\) \(removed 41666 rows\)$/,
    /^Planning: [\d.]+ ms$/,
    /^Execution: [\d.]+ ms$/,
  ];
  assert.equal(lines.length, expected.length, result.text);
  lines.forEach((line, i) => assert.match(line, expected[i]!));
});

test('GET /search without ANALYZE: the table size comes from the cost, or from the rows the caller gives', () => {
  const estimated = readFixture('search.plan');
  assert.equal(estimated.analyzed, false);
  assert.match(estimated.problems[0]!.message, /orders \(about [\d,]+ rows, estimated from the scan's cost\) under a filter that is expected to keep [\d,]+/);
  assert.equal(estimated.suggestions[0]!.kind, 'gin_trgm');
  const given = readFixture('search.plan', { tableRows: { 'perflens_demo.orders': 50_000 } });
  assert.match(given.problems[0]!.message, /orders \(50,000 rows\) under a filter that is expected to keep [\d,]+/);
  // A filter keeping most of the table is no problem.
  const most = readFixture('search.plan', { tableRows: { orders: 20_000 } });
  assert.equal(most.problems.length, 0);
  assert.equal(most.suggestions.length, 0);
  assert.match(estimated.text.split('\n')[0]!, /^Limit \(cost [\d.]+\.\.[\d.]+, rows 20 est\)$/);
});

test('the N+1 items query: index scans and a small products table, no problem, no suggestion', () => {
  for (const name of ['orderItems.analyze', 'orderItems.plan']) {
    const result = readFixture(name);
    assert.deepEqual(result.problems, [], name);
    assert.deepEqual(result.suggestions, [], name);
    const scan = walk(result.plan).find((n) => n.relation === 'order_items')!;
    assert.equal(scan.nodeType, 'Index Scan');
    assert.equal(scan.index, 'order_items_order_id_idx');
    assert.equal(scan.indexCond, '(oi.order_id = 1234)');
    assert.equal(walk(result.plan).find((n) => n.nodeType === 'Hash Join')!.joinCond, '(p.id = oi.product_id)');
  }
  assert.deepEqual(readFixture('customerById.analyze').problems, []);
  assert.deepEqual(readFixture('ordersOfCustomer.analyze').problems, []);
});

test('status and created_at: a sequential scan, and a B-tree on (status, created_at)', () => {
  const result = readFixture('statusSince.analyze');
  assert.equal(result.problems.length, 1);
  assert.match(result.problems[0]!.message, /keeps 1,216: an index would serve it \(B-tree on status, created_at\)/);
  assert.deepEqual(result.suggestions.map((s) => [s.kind, s.columns]), [['btree', ['status', 'created_at']]]);
});

test('a misestimate: correlated columns, and an expression the statistics do not cover', () => {
  const correlated = readFixture('correlated.analyze');
  assert.deepEqual(correlated.problems.map((p) => p.kind), ['misestimate']);
  assert.match(correlated.problems[0]!.message, /expected 2 rows from the Bitmap Heap Scan on perflens_demo\.orders and got 25 \(13× more\)/);
  assert.match(correlated.problems[0]!.message, /CREATE STATISTICS .* ON customer_id, status FROM perflens_demo\.orders/);
  // Without ANALYZE there are no actual rows to compare.
  assert.deepEqual(readFixture('correlated.plan').problems, []);

  const lower = readFixture('lowerStatus.analyze');
  assert.deepEqual(lower.problems.map((p) => p.kind), ['seq-scan', 'misestimate']);
  assert.match(lower.problems[0]!.message, /applies lower\(\) to the column status, so an index on status cannot serve it \(it is not sargable\)/);
  assert.match(lower.problems[1]!.message, /expected 250 rows .* got 10,000 \(40× more\): its statistics are about columns/);
  assert.deepEqual(lower.suggestions, []);
});

test('a sort that spilled to disk, in parallel workers', () => {
  const result = readFixture('sortSpill.analyze');
  const spill = result.problems.filter((p) => p.kind === 'sort-spill');
  assert.equal(spill.length, 1);
  assert.match(spill[0]!.message, /^Sort on orders\.notes spilled to disk \(external merge, [\d,]+ kB\): the rows did not fit in work_mem/);
  const sort = walk(result.plan).find((n) => n.nodeType === 'Sort')!;
  assert.equal(sort.sortSpaceType, 'Disk');
  assert.equal(sort.loops, 2);
  assert.equal(sort.actualRows, 50_000, 'rows per loop × loops');
  // Two processes ran the sort at once: its time is one process's, not the sum, so the Gather Merge above keeps a share.
  assert.ok(sort.actualTotalMs! <= result.plan.actualTotalMs!, `${sort.actualTotalMs} ≤ ${result.plan.actualTotalMs}`);
  assert.deepEqual(readFixture('sortSpill.plan').problems, []);
});

test('an UPDATE explained without ANALYZE', () => {
  const result = readFixture('shipOrder.plan');
  assert.equal(result.plan.nodeType, 'ModifyTable');
  assert.equal(result.analyzed, false);
  assert.deepEqual(result.problems, []);
});

test('a nested loop running its inner side many times, with the inner side counted per loop', () => {
  const inner = { 'Node Type': 'Seq Scan', 'Relation Name': 'items', Alias: 'i', 'Startup Cost': 0, 'Total Cost': 20, 'Plan Rows': 1, 'Actual Rows': 1, 'Actual Total Time': 0.05, 'Actual Loops': 5000, Filter: '(i.order_id = o.id)', 'Rows Removed by Filter': 999 };
  const outer = { 'Node Type': 'Seq Scan', 'Relation Name': 'orders', Alias: 'o', 'Startup Cost': 0, 'Total Cost': 100, 'Plan Rows': 5000, 'Actual Rows': 5000, 'Actual Total Time': 2, 'Actual Loops': 1 };
  const plan = [{ Plan: { 'Node Type': 'Nested Loop', 'Startup Cost': 0, 'Total Cost': 100_200, 'Plan Rows': 5000, 'Actual Rows': 5000, 'Actual Total Time': 300, 'Actual Loops': 1, Plans: [outer, inner] }, 'Planning Time': 0.1, 'Execution Time': 300 }];
  const result = readPlan(JSON.stringify(plan), 'SELECT …', true);
  const loop = result.problems.find((p) => p.kind === 'nested-loop-many')!;
  assert.match(loop.message, /^Nested loop ran its inner Seq Scan on items 5,000 times \(250 ms in all\): each time reading the whole table/);
  assert.equal(result.plan.selfCost, 100, 'inner cost × planned outer rows subtracted');
  assert.equal(result.plan.selfMs, 48);
  assert.equal(result.costliest[0]!.relation, 'items');
  // items: 1,000 rows a loop, the filter keeps 1 → an index on order_id (the join key).
  assert.deepEqual(result.suggestions.map((s) => s.columns), [['order_id']]);
});

test('the accepted shapes: the QUERY PLAN value, as a string, the row, the rows, the object alone', () => {
  const queryPlan = explainFixture('statusSince.plan').queryPlan;
  const shapes = [queryPlan, JSON.stringify(queryPlan), `\ufeff${JSON.stringify(queryPlan)}`, { 'QUERY PLAN': queryPlan }, [{ 'QUERY PLAN': queryPlan }], [{ 'QUERY PLAN': JSON.stringify(queryPlan) }], (queryPlan as unknown[])[0]];
  for (const shape of shapes) assert.deepEqual(readPlan(shape, 's', false), readPlan(queryPlan, 's', false));
  // analyzed is claimed but the plan has no actual figures: read as a plain EXPLAIN.
  assert.equal(readPlan(queryPlan, 's', true).analyzed, false);
});

test('truncated or malformed JSON: a PlanFormatError naming what is wrong', () => {
  const text = JSON.stringify(explainFixture('search.analyze').queryPlan);
  rejects(text.slice(0, text.length / 2), /^the plan is not valid JSON \(is it cut short\?\): /);
  rejects('', /not valid JSON/);
  rejects('not json', /not valid JSON/);
  rejects([], /an array with one plan, got an array of 0/);
  rejects([{ Plan: {} }, { Plan: {} }], /got an array of 2/);
  rejects(null, /expected EXPLAIN's JSON, \[\{"Plan": \{…\}\}\], got null/);
  rejects({ rows: [] }, /got an object with "rows"/);
  rejects(42, /got number 42/);
  rejects([{ Plan: null }], /^Plan is null, expected a plan node/);
  rejects([{ Plan: { 'Node Type': 'Seq Scan' } }], /^Plan has no "Plan Rows"/);
  rejects([{ Plan: { 'Node Type': 'Limit', 'Startup Cost': 0, 'Total Cost': 'x', 'Plan Rows': 1 } }], /^Plan\["Total Cost"\] is the string "x", expected a number ≥ 0$/);
  rejects([{ Plan: { 'Node Type': 'Limit', 'Startup Cost': 0, 'Total Cost': 1, 'Plan Rows': 1, Plans: [{ 'Node Type': 7 }] } }], /^Plan\.Plans\[0\]\["Node Type"\] is number 7, expected a string$/);
  rejects([{ Plan: { 'Node Type': 'Limit', 'Startup Cost': 0, 'Total Cost': 1, 'Plan Rows': 1, Plans: {} } }], /Plan\["Plans"\] is an empty object, expected an array/);
  rejects([{ Plan: { 'Node Type': 'Sort', 'Startup Cost': 0, 'Total Cost': 1, 'Plan Rows': 1, 'Sort Key': [1] } }], /"Sort Key"\] is an array of 1, expected an array of strings/);
  rejects([{ 'Plan': { 'Node Type': 'Result', 'Startup Cost': 0, 'Total Cost': 1, 'Plan Rows': 1 }, 'Execution Time': -1 }], /"Execution Time"\] is number -1/);
  // Deeper than any real plan.
  let deep: Record<string, unknown> = { 'Node Type': 'Result', 'Startup Cost': 0, 'Total Cost': 1, 'Plan Rows': 1 };
  for (let i = 0; i < 2000; i++) deep = { 'Node Type': 'Result', 'Startup Cost': 0, 'Total Cost': 1, 'Plan Rows': 1, Plans: [deep] };
  rejects([{ Plan: deep }], /nested more than 500 levels deep/);
});
