import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adviseScan, readFilter, SMALL_TABLE_ROWS, suggestIndexes } from '../../server/queries/indexAdvice';
import type { PlanNode } from '../../server/queries/explainTypes';
import { readFixture } from './explainFixtures';

/** An analyzed Seq Scan of `rows` rows whose filter keeps `kept`. */
function scan(filter: string, options: { rows?: number; kept?: number; relation?: string; alias?: string; schema?: string } = {}): PlanNode {
  const rows = options.rows ?? 50_000;
  const kept = options.kept ?? 100;
  return {
    nodeType: 'Seq Scan',
    relation: options.relation ?? 'orders',
    alias: options.alias ?? options.relation ?? 'orders',
    ...(options.schema ? { schema: options.schema } : {}),
    filter,
    planRows: kept,
    startupCost: 0,
    totalCost: 2000,
    actualRows: kept,
    loops: 1,
    rowsRemovedByFilter: rows - kept,
    actualTotalMs: 5,
    selfCost: 2000,
    selfMs: 5,
    children: [],
  };
}

function under(parent: Partial<PlanNode> & { nodeType: string }, child: PlanNode): PlanNode {
  return { planRows: 20, startupCost: 0, totalCost: 2100, selfCost: 100, ...parent, children: [child] };
}

test('GET /search: a trigram index on notes, schema-qualified, with the extension first', () => {
  const [suggestion, ...rest] = suggestIndexes(readFixture('search.analyze').plan);
  assert.equal(rest.length, 0);
  assert.deepEqual(suggestion, {
    table: 'perflens_demo.orders',
    columns: ['notes'],
    kind: 'gin_trgm',
    sql: [
      'CREATE EXTENSION IF NOT EXISTS pg_trgm;',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_notes_trgm_idx ON perflens_demo.orders USING gin (notes gin_trgm_ops);',
    ],
    reason:
      "PostgreSQL reads all 50,000 rows of perflens_demo.orders to keep 8,334 (17%). ILIKE '%gift%' on notes cannot use a B-tree index (the pattern begins with a wildcard); " +
      "a trigram (pg_trgm) GIN index can: it finds the rows whose notes contains the pattern's three-letter pieces and checks only those.",
  });
});

test('without a schema in the plan the table is named alone', () => {
  const [suggestion] = suggestIndexes(scan("(notes ~~* '%gift%'::text)"));
  assert.equal(suggestion!.sql[1], 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_notes_trgm_idx ON orders USING gin (notes gin_trgm_ops);');
});

test('equality and a range: B-tree, equality columns first, whatever order PostgreSQL printed them in', () => {
  const [suggestion] = suggestIndexes(readFixture('statusSince.analyze').plan);
  assert.equal(suggestion!.kind, 'btree');
  assert.deepEqual(suggestion!.columns, ['status', 'created_at']);
  assert.deepEqual(suggestion!.sql, ['CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_created_at_idx ON perflens_demo.orders (status, created_at);']);
  assert.match(suggestion!.reason, /equality on status and a range on created_at \(equality columns first, the range column last\)\.$/);
  // The same from a synthetic filter with two equalities and a range.
  const [three] = suggestIndexes(scan("((o.created_at > '2024-01-01'::timestamp with time zone) AND (o.customer_id = 42) AND (o.status = 'shipped'::text))", { alias: 'o' }));
  assert.deepEqual(three!.columns, ['customer_id', 'status', 'created_at']);
});

test('equality then the sort key of the Sort above the scan (through a Limit)', () => {
  const [suggestion] = suggestIndexes(readFixture('latestByStatus.analyze').plan);
  assert.deepEqual(suggestion!.columns, ['status', 'created_at']);
  assert.match(suggestion!.reason, /created_at last, so the rows come out in the ORDER BY's order and the sort goes away/);
  // Mixed directions are written out; a sort key of another table is not used.
  const mixed = under({ nodeType: 'Sort', sortKey: ['o.total_cents DESC', 'o.id'] }, scan("(o.status = 'x'::text)", { alias: 'o' }));
  assert.match(suggestIndexes(mixed)[0]!.sql[0]!, /\(status, total_cents DESC, id\);$/);
  const other = under({ nodeType: 'Sort', sortKey: ['c.name'] }, scan("(o.status = 'x'::text)", { alias: 'o' }));
  assert.deepEqual(suggestIndexes(other)[0]!.columns, ['status']);
});

test('a range only; IN lists; IS NULL; a constant on the left; a join key from another table', () => {
  assert.deepEqual(suggestIndexes(readFixture('revenueByRegion.analyze').plan).map((s) => s.columns), [['created_at']]);
  assert.deepEqual(suggestIndexes(scan("(status = ANY ('{shipped,refunded}'::text[]))"))[0]!.columns, ['status']);
  assert.deepEqual(suggestIndexes(scan('(shipped_at IS NULL)'))[0]!.columns, ['shipped_at']);
  assert.deepEqual(suggestIndexes(scan('(100 < total_cents)'))[0]!.columns, ['total_cents']);
  assert.deepEqual(suggestIndexes(scan('(i.order_id = o.id)', { relation: 'items', alias: 'i' }))[0]!.columns, ['order_id']);
  assert.deepEqual(suggestIndexes(scan('("Order Status" = \'x\'::text)'))[0]!.sql, ['CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_order_status_idx ON orders ("Order Status");']);
});

test('patterns: LIKE with a leading wildcard and regular expressions get a trigram index; too short a pattern does not', () => {
  assert.equal(suggestIndexes(scan("(notes ~~ '%gift%'::text)"))[0]!.kind, 'gin_trgm');
  assert.equal(suggestIndexes(scan("(notes ~* 'gi+ft'::text)"))[0]!.kind, 'gin_trgm');
  const short = adviseScan(scan("(notes ~~* '%ab%'::text)"));
  assert.deepEqual(short.suggestions, []);
  assert.match(short.notServed.join(' '), /has no three characters in a row without a wildcard/);
});

test('no suggestion on a small table, and the reason says what small is', () => {
  const advice = adviseScan(scan("(status = 'x'::text)", { rows: 800, kept: 10 }));
  assert.equal(advice.problem, false);
  assert.deepEqual(advice.suggestions, []);
  assert.equal(advice.fine, `orders is small (800 rows, under ${SMALL_TABLE_ROWS.toLocaleString('en-US')}): reading it whole costs about what an index lookup does`);
  // The products table of the N+1 items query (500 rows) is read whole, no filter: nothing.
  assert.deepEqual(suggestIndexes(readFixture('orderItems.analyze').plan), []);
});

test('no suggestion when the filter keeps most rows', () => {
  const advice = adviseScan(scan("(status <> 'x'::text)", { rows: 50_000, kept: 40_000 }));
  assert.equal(advice.problem, false);
  assert.match(advice.fine!, /keeps 40,000 of 50,000 rows \(80%\)/);
});

test('not sargable: a function or a cast on the column, an OR, two columns, an inequality, a subquery', () => {
  const cases: Array<[string, RegExp]> = [
    ["(lower(orders.status) = 'shipped'::text)", /applies lower\(\) to the column status, so an index on status cannot serve it \(it is not sargable\)/],
    ["((orders.id)::text = '5'::text)", /applies a cast \(::text\) to the column id/],
    ["(date_trunc('day'::text, orders.created_at) = '2024-01-01'::timestamp with time zone)", /applies date_trunc\(\) to the column created_at/],
    ["((orders.status = 'a'::text) OR (orders.customer_id = 1))", /an OR of conditions/],
    ['(orders.total_cents > orders.customer_id)', /compares total_cents with another column of the same row/],
    ["(orders.status <> 'x'::text)", /an inequality/],
    ["(orders.notes !~~* '%x%'::text)", /a negated pattern/],
    ['(hashed SubPlan 1)', /a subquery/],
  ];
  for (const [filter, pattern] of cases) {
    const advice = adviseScan(scan(filter));
    assert.equal(advice.problem, true, filter);
    assert.deepEqual(advice.suggestions, [], filter);
    assert.match(advice.notServed.join(' '), pattern, filter);
  }
  // The readable part of a mixed filter is still served.
  const mixed = adviseScan(scan("((lower(orders.notes) = 'x'::text) AND (orders.status = 'shipped'::text))"));
  assert.deepEqual(mixed.suggestions.map((s) => s.columns), [['status']]);
  assert.match(mixed.notServed[0]!, /lower\(\)/);
  // The fixture: the problem says it in words.
  const problem = readFixture('lowerStatus.analyze').problems[0]!;
  assert.match(problem.message, /no index is suggested: the condition lower\(orders\.status\) = 'shipped'::text applies lower\(\)/);
});

test('readFilter reads quoted strings with doubled quotes, E-strings and qualified names', () => {
  const read = readFilter("((o.notes ~~* '%it''s (a) gift%'::text) AND (o.code = E'a\\\\b'::text) AND (perflens_demo.o.status = 'x'::text))", { alias: 'o', relation: 'orders' });
  assert.deepEqual(read.conditions.map((c) => [c.kind, c.column]), [['pattern', 'notes'], ['equality', 'code'], ['equality', 'status']]);
  assert.deepEqual(readFilter("(o.notes = 'unclosed", { alias: 'o' }).notServed, ["the filter could not be read: (o.notes = 'unclosed"]);
});

test('long names are cut to PostgreSQL\'s 63 bytes, keeping the suffix', () => {
  const long = 'a_very_long_column_name_that_goes_on';
  const [suggestion] = suggestIndexes(scan(`((${long}_1 = 1) AND (${long}_2 = 2))`, { relation: 'a_rather_long_table_name' }));
  const name = /EXISTS (\S+) ON/.exec(suggestion!.sql[0]!)![1]!;
  assert.ok(name.length <= 63 && name.endsWith('_idx'), name);
});
