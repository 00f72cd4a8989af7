import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeSql } from '../../server/queries/normalizeSql';

// At least 1000 cases per property; FUZZ_RUNS=20000 (say) searches harder.
const RUNS = Math.max(1000, Number(process.env.FUZZ_RUNS ?? 0));

const cases: Array<[string, string, string]> = [
  // [what, input, normalised]
  ['a string literal', "SELECT * FROM users WHERE email = 'a@b.c'", 'SELECT * FROM users WHERE email = ?'],
  ["'' inside a string", "SELECT 'it''s', 'x'", 'SELECT ?, ?'],
  ['a backslash ends nothing in a standard string', "SELECT 'a\\' , 1", 'SELECT ? , ?'],
  ["E'…' with backslash escapes", "SELECT E'a\\'b', e'\\\\'", 'SELECT ?, ?'],
  ["B'…', X'…', N'…', U&'…'", "SELECT B'0101', x'ff', N'abc', U&'d\\0061t'", 'SELECT ?, ?, ?, ?'],
  ['dollar quoting', 'SELECT $$a \'b\' $1$$, $fn$ body $$ still $fn$ AS x', 'SELECT ?, ? AS x'],
  ['integers, decimals, exponents, hex, underscores', 'SELECT 12, 1.5, .5, 1e10, 2.5E-3, 0x1F, 1_000, 3.', 'SELECT ?, ?, ?, ?, ?, ?, ?, ?'],
  ['a negative number after an operator, ( or , is one value', 'SELECT * FROM t WHERE a = -1 AND b IN (-2, 3) AND c >-4.5', 'SELECT * FROM t WHERE a = ? AND b IN (?) AND c >?'],
  ['a minus after an operand or a keyword stays', 'SELECT -1, x-1, (a)-2, x - 3', 'SELECT -?, x-?, (a)-?, x - ?'],
  ['booleans', 'UPDATE t SET done = TRUE, hidden = false', 'UPDATE t SET done = ?, hidden = ?'],
  ['IS TRUE / IS NOT FALSE are tests, not values', 'SELECT 1 WHERE a IS TRUE AND b IS NOT false', 'SELECT ? WHERE a IS TRUE AND b IS NOT false'],
  ['placeholders stay', 'SELECT * FROM orders WHERE customer_id = $1 AND status = $2', 'SELECT * FROM orders WHERE customer_id = $1 AND status = $2'],
  ['digits in identifiers stay', 'SELECT t1.col_2, x3 FROM t1 JOIN "T 2" ON true', 'SELECT t1.col_2, x3 FROM t1 JOIN "T 2" ON ?'],
  ['double-quoted identifiers are untouched', 'SELECT "Id", "a""1", "it\'s 2" FROM "Users"', 'SELECT "Id", "a""1", "it\'s 2" FROM "Users"'],
  ['IN list of literals', 'SELECT * FROM t WHERE id IN (1, 2, 3)', 'SELECT * FROM t WHERE id IN (?)'],
  ['IN list of placeholders with casts', 'SELECT * FROM t WHERE id in ( $1::int , $2::int, -$3::pg_catalog.int8[] )', 'SELECT * FROM t WHERE id in (?)'],
  ['IN lists of any length are one statement', 'SELECT * FROM t WHERE id IN ($1)', 'SELECT * FROM t WHERE id IN (?)'],
  ['NOT IN with strings and NULL', "SELECT 1 FROM t WHERE s NOT IN ('a', 'b', NULL)", 'SELECT ? FROM t WHERE s NOT IN (?)'],
  ['IN (subquery) is not a list', 'SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE x = 1)', 'SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE x = ?)'],
  ['ANY(ARRAY[…])', 'SELECT * FROM t WHERE id = ANY(ARRAY[1, 2, 3])', 'SELECT * FROM t WHERE id = ANY(ARRAY[?])'],
  ['ANY($1) stays', 'SELECT * FROM t WHERE id = ANY($1::int[])', 'SELECT * FROM t WHERE id = ANY($1::int[])'],
  ['multi-row VALUES keeps its first row', 'INSERT INTO items (a, b) VALUES ($1, $2), ($3, $4), ($5, $6) RETURNING id', 'INSERT INTO items (a, b) VALUES ($1, $2), ... RETURNING id'],
  ['VALUES rows with literals and expressions', "INSERT INTO t VALUES (1, now(), 'a'), (2, now(), 'b')", 'INSERT INTO t VALUES (?, now(), ?), ...'],
  ['VALUES rows not alike stay', 'INSERT INTO t VALUES (1, 2), (DEFAULT, 3)', 'INSERT INTO t VALUES (?, ?), (DEFAULT, ?)'],
  ['a single VALUES row stays', 'INSERT INTO t (a) VALUES ($1)', 'INSERT INTO t (a) VALUES ($1)'],
  ['line comments go', 'SELECT a -- the id\nFROM t --end', 'SELECT a FROM t'],
  ['nested block comments go', 'SELECT /* a /* b */ c */ x/**/FROM t', 'SELECT x FROM t'],
  ['a comment in a string is part of the string', "SELECT '-- no', '/* no */' FROM t", 'SELECT ?, ? FROM t'],
  ['whitespace folds, ends trimmed, trailing semicolons dropped', '  SELECT\n\t*\r\n   FROM   t ;; ', 'SELECT * FROM t'],
  ['keywords keep their case', 'select * From t where x = 1', 'select * From t where x = ?'],
  ['SAVEPOINT name', 'SAVEPOINT trx2', 'SAVEPOINT ?'],
  ['RELEASE SAVEPOINT name', 'RELEASE SAVEPOINT "sp_1"', 'RELEASE SAVEPOINT ?'],
  ['RELEASE name', 'release typeorm_3', 'release ?'],
  ['ROLLBACK TO [SAVEPOINT] name', 'ROLLBACK TO SAVEPOINT knex_1; ROLLBACK TO x', 'ROLLBACK TO SAVEPOINT ?; ROLLBACK TO ?'],
  ['typed literals', "SELECT interval '1 day', DATE '2024-01-01', '{1,2}'::int[]", 'SELECT interval ?, DATE ?, ?::int[]'],
  ['an unterminated string (a truncated statement) runs to the end', "SELECT * FROM t WHERE a = 'abc", 'SELECT * FROM t WHERE a = ?'],
  ['an unterminated comment runs to the end', 'SELECT 1 /* never closed', 'SELECT ?'],
  ['LIMIT and OFFSET values', 'SELECT * FROM t ORDER BY id LIMIT 20 OFFSET 40', 'SELECT * FROM t ORDER BY id LIMIT ? OFFSET ?'],
  ['identifiers with $', 'SELECT a$1, $1 FROM t', 'SELECT a$1, $1 FROM t'],
  ['empty', '', ''],
  ['only a comment', '-- nothing', ''],
];

for (const [what, input, expected] of cases) {
  test(`normalizeSql: ${what}`, () => {
    assert.equal(normalizeSql(input), expected);
    assert.equal(normalizeSql(expected), expected, 'idempotent');
  });
}

test('the same statement with other values, other spacing and comments has one key', () => {
  const a = normalizeSql("SELECT * FROM orders WHERE customer_id = 7 AND status IN ('paid', 'sent')");
  const b = normalizeSql("SELECT * FROM orders\n  WHERE customer_id = 1234 -- from the handler\n  AND status IN ('open')");
  assert.equal(a, b);
});

// ---------------------------------------------------------------------------------------------
// Properties: never throws, idempotent, no literal survives.

const fragment = fc.oneof(
  fc.constantFrom(
    'SELECT', 'select', 'FROM', 'WHERE', 'IN', 'in', 'NOT', 'IS', 'ARRAY', 'ANY', 'VALUES', 'SAVEPOINT', 'RELEASE', 'ROLLBACK', 'TO', 'TRUE', 'false', 'NULL',
    'DEFAULT', 'E', 'x', 'U', 'N', 't1', 'col_2', 'a$b', '"q"', '"a""b"', '"', "'", "''", "'it''s'", "E'\\''", '$$', '$t$', '$1', '$23', '$', '::', ':', 'int', '[', ']',
    '(', ')', ',', ';', '.', '..', '...', '-', '--', '/*', '*/', '*', '/', '+', '=', '?', '&', '1', '0x1F', '1.5e3', '.5', '1_0', '\n', ' ', '\t', '\u00a0', 'é', '\ud83d\ude00',
  ),
  fc.string({ maxLength: 4 }),
);
const sqlish = fc.array(fc.tuple(fragment, fc.constantFrom('', ' ', '')), { maxLength: 30 }).map((parts) => parts.map(([f, sep]) => f + sep).join(''));
const anyText = fc.oneof(sqlish, fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 40 }));

test('normalizeSql never throws and is idempotent', () => {
  fc.assert(
    fc.property(anyText, (text) => {
      const once = normalizeSql(text);
      assert.equal(normalizeSql(once), once, `${JSON.stringify(text)} → ${JSON.stringify(once)}`);
      // (A double-quoted identifier keeps what it has.)
      if (!text.includes('"')) assert.doesNotMatch(once, /^[ \t\n\r\f\v]|[ \t\n\r\f\v]$|[ \t\n\r\f\v]{2}|[\t\n\r\f\v]/, 'whitespace folded and trimmed');
    }),
    { numRuns: RUNS },
  );
});

test('no value survives: whatever literal is put in a statement, the key is the same', () => {
  const literal = fc.oneof(
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: 0 }).map(String),
    fc.string({ maxLength: 10 }).map((s) => `'${s.replace(/'/g, "''")}'`),
    fc.string({ maxLength: 10 }).filter((s) => (s + '$q$').indexOf('$q$') === s.length).map((s) => `$q$${s}$q$`),
    fc.constantFrom('TRUE', 'false'),
  );
  fc.assert(
    fc.property(literal, fc.array(literal, { minLength: 1, maxLength: 5 }), (value, list) => {
      const text = normalizeSql(`SELECT * FROM t WHERE a = ${value} AND b IN (${list.join(', ')})`);
      assert.equal(text, 'SELECT * FROM t WHERE a = ? AND b IN (?)');
    }),
    { numRuns: RUNS },
  );
});
