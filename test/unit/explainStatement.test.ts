import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EXPLAIN_ANALYZE_STEPS, explainability, explainSql } from '../../server/queries/explainStatement';

const RUNS = Math.max(1000, Number(process.env.FUZZ_RUNS ?? 0));

function refused(text: string, pattern: RegExp, info?: Parameters<typeof explainability>[1]): void {
  const verdict = explainability(text, info);
  assert.equal(verdict.ok, false, `refused: ${JSON.stringify(text)}`);
  if (!verdict.ok) assert.match(verdict.reason, pattern);
  if (!info) assert.throws(() => explainSql(text, false), /cannot explain this statement/);
}

function analyzable(text: string, allowed: boolean, pattern?: RegExp): void {
  const verdict = explainability(text);
  assert.ok(verdict.ok, `explainable: ${JSON.stringify(text)} (${verdict.ok ? '' : verdict.reason})`);
  assert.equal(verdict.analyzeAllowed, allowed, `ANALYZE ${allowed ? 'allowed' : 'refused'}: ${JSON.stringify(text)} (${verdict.noAnalyzeReason ?? ''})`);
  if (pattern) assert.match(verdict.noAnalyzeReason ?? '', pattern);
  if (!allowed) assert.throws(() => explainSql(text, true), /cannot run EXPLAIN ANALYZE/);
}

test('the demo\'s statements: explainable, and SELECTs may run with ANALYZE', () => {
  analyzable(`SELECT o.id, o.customer_id, o.status, o.created_at, o.total_cents, o.notes
         FROM orders o
        WHERE o.notes ILIKE $1
        ORDER BY o.created_at DESC
        LIMIT $2`, true);
  analyzable('SELECT id, name FROM customers WHERE id = $1', true);
  analyzable('  -- the items\n  /* of one order */ select * from order_items where order_id = $1', true);
  analyzable('(SELECT 1) UNION (SELECT 2)', true);
  analyzable('VALUES (1), (2)', true);
  analyzable('TABLE customers', true);
  analyzable('WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval \'1 day\') SELECT count(*) FROM recent', true);
});

test('ANALYZE is refused for writes, WITH … writes, locking reads, SELECT INTO and side-effect functions', () => {
  analyzable("UPDATE orders SET status = 'shipped' WHERE id = $1", false, /would run the UPDATE/);
  analyzable('INSERT INTO orders (status) VALUES ($1)', false, /INSERT/);
  analyzable('DELETE FROM orders WHERE id = $1', false, /DELETE/);
  analyzable('MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE', false, /MERGE/);
  analyzable('WITH gone AS (DELETE FROM orders WHERE id = $1 RETURNING *) SELECT * FROM gone', false, /contains an DELETE|DELETE/);
  analyzable('WITH x AS (SELECT 1) UPDATE orders SET status = $1', false, /UPDATE/);
  analyzable('SELECT * FROM orders WHERE id = $1 FOR UPDATE', false, /locks rows \(FOR UPDATE\)/);
  analyzable('SELECT * FROM orders FOR NO KEY UPDATE SKIP LOCKED', false, /FOR NO KEY UPDATE/);
  analyzable('SELECT * INTO archive FROM orders', false, /INTO creates a table/);
  analyzable("SELECT nextval('orders_id_seq')", false, /nextval\(\)/);
  analyzable('SELECT pg_sleep(100)', false, /pg_sleep/);
  // The same words inside strings, comments and quoted identifiers do not count.
  analyzable("SELECT 'UPDATE; DELETE' AS x, \"delete\" FROM t -- FOR UPDATE\n", true);
  analyzable('SELECT $$ INSERT INTO x $$ AS body', true);
  analyzable("SELECT E'it\\'s; INTO' AS x", true);
  analyzable("WITH a AS (SELECT 'INSERT' AS w) SELECT * FROM a", true);
});

test('DDL, transaction control, settings and other commands are refused with a reason', () => {
  refused('CREATE TABLE x (id int)', /changes the schema \(CREATE\)/);
  refused('create index concurrently orders_notes_idx on orders (notes)', /CREATE/);
  refused('ALTER TABLE orders ADD COLUMN x int', /ALTER/);
  refused('DROP TABLE orders', /DROP/);
  refused('TRUNCATE orders', /TRUNCATE/);
  refused('BEGIN', /transaction control \(BEGIN\)/);
  refused('COMMIT;', /transaction control \(COMMIT\)/);
  refused('ROLLBACK', /ROLLBACK/);
  refused('SET search_path = perflens_demo', /session setting \(SET\)/);
  refused('SHOW work_mem', /SHOW/);
  refused('VACUUM ANALYZE orders', /VACUUM/);
  refused('EXPLAIN SELECT 1', /already an EXPLAIN/);
  refused('EXECUTE plan1(1)', /EXECUTE/);
  refused('COPY orders TO STDOUT', /COPY/);
  refused('frobnicate the table', /"frobnicate"/);
  refused("'SELECT' 1", /does not begin with a SQL command/);
});

test('empty texts, prepared statements by name only, cut texts and unterminated ones', () => {
  refused('', /its text is empty/);
  refused('   \n\t', /its text is empty/);
  refused('-- only a comment\n/* and another */', /only comments/);
  refused(';', /empty/);
  refused('', /prepared statement "get-orders" by name only/, { name: 'get-orders' });
  refused('SELECT id FROM orders WHERE notes ILIKE', /only the beginning of its text was captured/, { truncated: true });
  refused("SELECT 'unclosed", /ends inside a string literal/);
  refused('SELECT 1 /* unclosed', /ends inside a \/\* comment/);
  refused('SELECT "unclosed', /quoted identifier/);
  refused('SELECT $body$ unclosed', /\$body\$…\$body\$ string/);
});

test('several commands are refused; trailing semicolons are dropped', () => {
  refused('SELECT 1; SELECT 2', /several commands separated by ';'/);
  refused('SELECT 1; DROP TABLE orders;', /several commands/);
  refused('; SELECT 1', /begins with ';'/);
  assert.equal(explainSql('SELECT 1;', false), 'EXPLAIN (VERBOSE, FORMAT JSON) SELECT 1');
  assert.equal(explainSql('  SELECT 1 ;;  ; \n', true), 'EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) SELECT 1');
  assert.equal(explainSql('SELECT 1; -- done', false), 'EXPLAIN (VERBOSE, FORMAT JSON) SELECT 1');
  // A semicolon inside a string, a comment or a dollar-quoted body is not the end.
  assert.equal(explainSql("SELECT ';' AS a /* ; */, $x$;$x$ AS b;", false), "EXPLAIN (VERBOSE, FORMAT JSON) SELECT ';' AS a /* ; */, $x$;$x$ AS b");
  // A trailing line comment without a semicolon stays (nothing is appended after it).
  assert.equal(explainSql('SELECT $1::int -- id', false), 'EXPLAIN (VERBOSE, FORMAT JSON) SELECT $1::int -- id');
});

test('EXPLAIN ANALYZE steps: begin read-only, a local timeout, the explain, and a rollback last', () => {
  assert.deepEqual(EXPLAIN_ANALYZE_STEPS.map((s) => s.kind), ['begin', 'timeout', 'explain', 'rollback']);
  assert.match(EXPLAIN_ANALYZE_STEPS[0]!.sql!, /^BEGIN TRANSACTION READ ONLY$/);
  assert.match(EXPLAIN_ANALYZE_STEPS[1]!.sql!, /^SET LOCAL statement_timeout = \d+$/);
  assert.equal(EXPLAIN_ANALYZE_STEPS[2]!.sql, undefined);
  assert.equal(EXPLAIN_ANALYZE_STEPS[3]!.sql, 'ROLLBACK');
});

test('any text: explainability never throws, says why when it refuses, and explainSql agrees with it', () => {
  const piece = fc.oneof(
    fc.constantFrom('SELECT', 'select', 'WITH', 'UPDATE', 'INSERT', 'DELETE', 'FOR', 'INTO', 'BEGIN', 'CREATE', ' ', '\n', ';', '(', ')', "'", "''", '"', '$$', '$a$', '$1', '--', '/*', '*/', 'E\'', '\\', 'x', 'nextval', 'U&"'),
    fc.string({ maxLength: 6 }),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(' ')), fc.boolean(), (text, truncated) => {
      // A cut text is never explained, whatever it looks like.
      if (truncated) assert.equal(explainability(text, { truncated }).ok, false);
      const verdict = explainability(text);
      if (!verdict.ok) {
        assert.ok(verdict.reason.length > 10, verdict.reason);
        assert.throws(() => explainSql(text, false));
        return;
      }
      const sql = explainSql(text, false);
      assert.match(sql, /^EXPLAIN \(VERBOSE, FORMAT JSON\) \S/);
      assert.ok(!sql.trimEnd().endsWith(';'), sql);
      if (verdict.analyzeAllowed) assert.match(explainSql(text, true), /^EXPLAIN \(ANALYZE, VERBOSE, FORMAT JSON\) /);
      else {
        assert.ok((verdict.noAnalyzeReason ?? '').length > 10);
        assert.throws(() => explainSql(text, true));
      }
      // What we send is one command: explaining it again finds the same single statement.
      assert.equal(explainability(sql.replace(/^EXPLAIN \([^)]*\) /, '')).ok, true);
    }),
    { numRuns: RUNS },
  );
});
