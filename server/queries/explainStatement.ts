// Whether a captured statement can be explained, and the EXPLAIN to send for it. Pure: the agent in
// the service runs what this says, through the service's own pool, with the parameters of the
// slowest execution.
//
// The text is read with a small lexer that knows PostgreSQL's comments (`--`, nested `/* */`),
// strings ('…' with '' doubling, E'…' with backslash escapes, $tag$…$tag$), quoted identifiers
// ("…") and $n parameters, so that a `;` or a keyword inside any of those is not taken for one.
import { blockCommentEnd } from './sqlComments';

/** What can be done with a statement. */
export type Explainability =
  | {
      ok: true;
      /** EXPLAIN ANALYZE (which runs the statement) is offered: a plain read (SELECT, WITH … SELECT, VALUES, TABLE). */
      analyzeAllowed: boolean;
      /** When analyzeAllowed is false: why, in words. */
      noAnalyzeReason?: string;
    }
  | { ok: false; reason: string };

/** What the agent knows about the statement besides its text (CapturedStatement's fields). */
export interface StatementInfo {
  /** The prepared statement's name, when the query config had one. */
  name?: string;
  /** The agent cut the text (past MAX_STATEMENT_CHARS). */
  truncated?: boolean;
}

/** How long EXPLAIN ANALYZE may run the statement before PostgreSQL cancels it. */
export const ANALYZE_TIMEOUT_MS = 30_000;

/** One step of running EXPLAIN ANALYZE, on one client checked out of the pool for the purpose. */
export interface ExplainAnalyzeStep {
  kind: 'begin' | 'timeout' | 'explain' | 'rollback';
  /** The SQL to send; for 'explain' it is explainSql(text, true), sent with the parameters. */
  sql?: string;
  why: string;
}

/**
 * EXPLAIN ANALYZE executes the statement. The agent runs it this way, in this order, on one client
 * (pool.connect(), not pool.query: the steps must share a connection), and sends ROLLBACK whatever
 * happened in between (also when the EXPLAIN failed or timed out), then releases the client.
 */
export const EXPLAIN_ANALYZE_STEPS: readonly ExplainAnalyzeStep[] = [
  {
    kind: 'begin',
    sql: 'BEGIN TRANSACTION READ ONLY',
    why: 'a transaction that is rolled back afterwards; READ ONLY makes PostgreSQL refuse any write the statement might still make (a function with side effects, nextval())',
  },
  {
    kind: 'timeout',
    sql: `SET LOCAL statement_timeout = ${ANALYZE_TIMEOUT_MS}`,
    why: `the statement runs for real: PostgreSQL cancels it after ${ANALYZE_TIMEOUT_MS / 1000} s; LOCAL ends with the transaction, so the pool's connection keeps its settings`,
  },
  { kind: 'explain', why: 'explainSql(text, true) with the parameters of the slowest execution' },
  { kind: 'rollback', sql: 'ROLLBACK', why: 'always, also after an error: nothing the statement did is kept' },
];

/** The options both EXPLAINs use. VERBOSE: the plan names each table's schema (for the CREATE INDEX we suggest). */
export const EXPLAIN_OPTIONS = 'VERBOSE, FORMAT JSON';
export const EXPLAIN_ANALYZE_OPTIONS = 'ANALYZE, VERBOSE, FORMAT JSON';

/** The statement to send: `EXPLAIN (…) <text>`, the text without its trailing semicolon(s). Throws for a text explainability() refuses. */
export function explainSql(text: string, analyze: boolean): string {
  const verdict = explainability(text);
  if (!verdict.ok) throw new Error(`cannot explain this statement: ${verdict.reason}`);
  if (analyze && !verdict.analyzeAllowed) throw new Error(`cannot run EXPLAIN ANALYZE on this statement: ${verdict.noAnalyzeReason}`);
  const body = statementBody(text);
  return `EXPLAIN (${analyze ? EXPLAIN_ANALYZE_OPTIONS : EXPLAIN_OPTIONS}) ${body}`;
}

const EXPLAINABLE = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE', 'INSERT', 'UPDATE', 'DELETE', 'MERGE']);
const READS = new Set(['SELECT', 'VALUES', 'TABLE']);
const WRITES = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'];

const NOT_EXPLAINABLE: Record<string, string> = {
  BEGIN: 'transaction control (BEGIN): there is no query plan for it',
  START: 'transaction control (START TRANSACTION): there is no query plan for it',
  COMMIT: 'transaction control (COMMIT): there is no query plan for it',
  END: 'transaction control (END): there is no query plan for it',
  ROLLBACK: 'transaction control (ROLLBACK): there is no query plan for it',
  ABORT: 'transaction control (ABORT): there is no query plan for it',
  SAVEPOINT: 'transaction control (SAVEPOINT): there is no query plan for it',
  RELEASE: 'transaction control (RELEASE SAVEPOINT): there is no query plan for it',
  SET: 'a session setting (SET): there is no query plan for it',
  RESET: 'a session setting (RESET): there is no query plan for it',
  SHOW: 'it shows a setting (SHOW): there is no query plan for it',
  DISCARD: 'it resets session state (DISCARD): there is no query plan for it',
  CREATE: 'it changes the schema (CREATE): PostgreSQL explains only SELECT, INSERT, UPDATE, DELETE, MERGE and VALUES',
  ALTER: 'it changes the schema (ALTER): PostgreSQL explains only SELECT, INSERT, UPDATE, DELETE, MERGE and VALUES',
  DROP: 'it changes the schema (DROP): PostgreSQL explains only SELECT, INSERT, UPDATE, DELETE, MERGE and VALUES',
  TRUNCATE: 'it empties a table (TRUNCATE): PostgreSQL does not explain it',
  COMMENT: 'it changes the schema (COMMENT): PostgreSQL does not explain it',
  GRANT: 'it changes privileges (GRANT): PostgreSQL does not explain it',
  REVOKE: 'it changes privileges (REVOKE): PostgreSQL does not explain it',
  VACUUM: 'maintenance (VACUUM): PostgreSQL does not explain it',
  ANALYZE: 'maintenance (ANALYZE, gathering statistics): PostgreSQL does not explain it',
  REINDEX: 'maintenance (REINDEX): PostgreSQL does not explain it',
  CLUSTER: 'maintenance (CLUSTER): PostgreSQL does not explain it',
  CHECKPOINT: 'maintenance (CHECKPOINT): PostgreSQL does not explain it',
  REFRESH: 'it refreshes a materialized view: PostgreSQL does not explain it',
  LOCK: 'it takes a table lock (LOCK): there is no query plan for it',
  COPY: 'a bulk copy (COPY): PostgreSQL does not explain it',
  DO: 'an anonymous code block (DO): PostgreSQL does not explain it; explain the statements inside it',
  CALL: 'a procedure call (CALL): PostgreSQL does not explain it; explain the statements inside the procedure',
  LISTEN: 'notification (LISTEN): there is no query plan for it',
  UNLISTEN: 'notification (UNLISTEN): there is no query plan for it',
  NOTIFY: 'notification (NOTIFY): there is no query plan for it',
  PREPARE: 'it prepares a statement (PREPARE): explain the statement it prepares instead',
  EXECUTE: 'it runs a statement prepared on another connection (EXECUTE): its text is not known here',
  DEALLOCATE: 'it drops a prepared statement (DEALLOCATE): there is no query plan for it',
  DECLARE: 'it declares a cursor (DECLARE): explain the cursor\'s query instead',
  FETCH: 'it reads from a cursor (FETCH): there is no query plan for it',
  MOVE: 'it moves a cursor (MOVE): there is no query plan for it',
  CLOSE: 'it closes a cursor (CLOSE): there is no query plan for it',
  EXPLAIN: 'it is already an EXPLAIN',
  LOAD: 'it loads a library (LOAD): there is no query plan for it',
  IMPORT: 'it changes the schema (IMPORT FOREIGN SCHEMA): PostgreSQL does not explain it',
  SECURITY: 'it changes the schema (SECURITY LABEL): PostgreSQL does not explain it',
  REASSIGN: 'it changes ownership (REASSIGN OWNED): PostgreSQL does not explain it',
};

/**
 * Functions whose effects a rolled-back, read-only transaction does not undo or prevent: a SELECT
 * calling one is explained without ANALYZE only.
 */
const SIDE_EFFECT_FUNCTIONS = [
  'pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_try_advisory_lock', 'pg_try_advisory_lock_shared',
  'pg_advisory_xact_lock', 'pg_try_advisory_xact_lock', 'pg_terminate_backend', 'pg_cancel_backend',
  'pg_reload_conf', 'pg_rotate_logfile', 'pg_sleep', 'pg_sleep_for', 'pg_sleep_until', 'dblink', 'dblink_exec',
  'set_config', 'lo_unlink', 'lo_import', 'lo_export', 'pg_notify', 'nextval', 'setval',
];

/** Can this statement be explained, and may it be run (ANALYZE)? */
export function explainability(text: string, info: StatementInfo = {}): Explainability {
  if (info.truncated) return { ok: false, reason: 'only the beginning of its text was captured (it is longer than the agent keeps), and a cut statement cannot be planned' };
  const lexed = lex(text);
  if (lexed.unterminated) return { ok: false, reason: `its text ends inside ${lexed.unterminated}, so it is incomplete` };
  const words = lexed.tokens;
  if (words.length === 0 || words.every((t) => t.kind === 'semicolon')) {
    if (info.name) return { ok: false, reason: `the service ran the prepared statement "${info.name}" by name only; its SQL text was not sent, so there is nothing to explain` };
    if (!text.trim()) return { ok: false, reason: 'its text is empty' };
    return { ok: false, reason: words.length ? "its text holds no command, only ';' (an empty statement)" : 'its text holds only comments' };
  }
  const firstSemicolon = words.findIndex((t) => t.kind === 'semicolon');
  if (firstSemicolon === 0) return { ok: false, reason: "it begins with ';': an empty command before the statement" };
  if (firstSemicolon > 0 && words.slice(firstSemicolon).some((t) => t.kind !== 'semicolon')) {
    return { ok: false, reason: "it holds several commands separated by ';', and EXPLAIN takes one; explain each on its own" };
  }
  const first = words.find((t) => t.text !== '(');
  if (!first || first.kind !== 'word') return { ok: false, reason: 'it does not begin with a SQL command' };
  const command = first.text.toUpperCase();
  const known = NOT_EXPLAINABLE[command];
  if (known) return { ok: false, reason: known };
  if (!EXPLAINABLE.has(command)) return { ok: false, reason: `it begins with "${first.text}", which is not a command PostgreSQL can explain (SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES)` };

  const upper = words.filter((t) => t.kind === 'word').map((t) => t.text.toUpperCase());
  const noAnalyze = (why: string): Explainability => ({ ok: true, analyzeAllowed: false, noAnalyzeReason: why });
  if (WRITES.includes(command)) return noAnalyze(`EXPLAIN ANALYZE would run the ${command}; only a SELECT is run, so the plan is shown without actual times`);
  if (command === 'WITH') {
    const write = upper.find((w) => WRITES.includes(w));
    if (write) return noAnalyze(`the WITH query contains ${write === 'UPDATE' && followsFor(upper) ? 'FOR UPDATE (it locks rows)' : `an ${write}`}; only a plain read is run with ANALYZE`);
  } else if (!READS.has(command)) {
    return noAnalyze(`only a SELECT is run with ANALYZE`);
  }
  if (upper.includes('INTO')) return noAnalyze('SELECT … INTO creates a table; only a plain read is run with ANALYZE');
  const locking = lockingClause(upper);
  if (locking) return noAnalyze(`it locks rows (${locking}) and could wait on the service's own transactions; only a plain read is run with ANALYZE`);
  const called = words.find((t, i) => t.kind === 'word' && SIDE_EFFECT_FUNCTIONS.includes(t.text.toLowerCase()) && words[i + 1]?.text === '(');
  if (called) return noAnalyze(`it calls ${called.text.toLowerCase()}(), whose effect a rolled-back transaction does not undo; it is explained without running it`);
  return { ok: true, analyzeAllowed: true };
}

function followsFor(upper: string[]): boolean {
  return upper.some((w, i) => w === 'UPDATE' && upper[i - 1] === 'FOR');
}

function lockingClause(upper: string[]): string | undefined {
  for (let i = 0; i < upper.length - 1; i++) {
    if (upper[i] !== 'FOR') continue;
    const next = upper[i + 1];
    if (next === 'UPDATE' || next === 'SHARE') return `FOR ${next}`;
    if (next === 'NO' && upper[i + 2] === 'KEY') return `FOR NO KEY ${upper[i + 3] ?? 'UPDATE'}`;
    if (next === 'KEY' && upper[i + 2] === 'SHARE') return 'FOR KEY SHARE';
  }
  return undefined;
}

/** The statement without leading/trailing whitespace and without the trailing semicolon(s). */
function statementBody(text: string): string {
  const { tokens } = lex(text);
  const semicolon = tokens.find((t) => t.kind === 'semicolon');
  return (semicolon ? text.slice(0, semicolon.start) : text).trim();
}

interface Token {
  kind: 'word' | 'semicolon' | 'other';
  text: string;
  start: number;
}

interface Lexed {
  /** Words, semicolons and other punctuation outside comments, strings and quoted identifiers (which are 'other' tokens). */
  tokens: Token[];
  /** What the text ends inside, when it does: "a /* comment", "a string literal", … */
  unterminated?: string;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

function lex(text: string): Lexed {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && next === '*') {
      const end = blockCommentEnd(text, i);
      if (end < 0) return { tokens, unterminated: 'a /* comment */' };
      i = end;
    } else if (c === "'") {
      const end = quoted(text, i, "'", false);
      if (end < 0) return { tokens, unterminated: 'a string literal' };
      tokens.push({ kind: 'other', text: "'", start: i });
      i = end;
    } else if (c === '"') {
      const end = quoted(text, i, '"', false);
      if (end < 0) return { tokens, unterminated: 'a quoted identifier' };
      tokens.push({ kind: 'other', text: '"', start: i });
      i = end;
    } else if (c === '$' && next !== undefined && /[0-9]/.test(next)) {
      const start = i;
      i += 2;
      while (i < n && /[0-9]/.test(text[i]!)) i++;
      tokens.push({ kind: 'other', text: '$n', start });
    } else if (c === '$') {
      DOLLAR_TAG.lastIndex = i;
      const tag = DOLLAR_TAG.exec(text);
      if (!tag) {
        tokens.push({ kind: 'other', text: c, start: i });
        i++;
        continue;
      }
      const end = text.indexOf(tag[0], i + tag[0].length);
      if (end < 0) return { tokens, unterminated: `a ${tag[0]}…${tag[0]} string` };
      tokens.push({ kind: 'other', text: '$$', start: i });
      i = end + tag[0].length;
    } else if (WORD_START.test(c)) {
      const start = i;
      while (i < n && WORD_PART.test(text[i]!)) i++;
      const word = text.slice(start, i);
      // E'…' (backslash escapes) and the other prefixed strings: B'…', X'…', U&'…', N'…'.
      if (text[i] === "'" && /^[eEbBxXnN]$/.test(word)) {
        const end = quoted(text, i, "'", word === 'e' || word === 'E');
        if (end < 0) return { tokens, unterminated: 'a string literal' };
        tokens.push({ kind: 'other', text: "'", start });
        i = end;
      } else if ((word === 'u' || word === 'U') && text[i] === '&' && (text[i + 1] === "'" || text[i + 1] === '"')) {
        const end = quoted(text, i + 1, text[i + 1]!, false);
        if (end < 0) return { tokens, unterminated: text[i + 1] === "'" ? 'a string literal' : 'a quoted identifier' };
        tokens.push({ kind: 'other', text: text[i + 1]!, start });
        i = end;
      } else {
        tokens.push({ kind: 'word', text: word, start });
      }
    } else if (c === ';') {
      tokens.push({ kind: 'semicolon', text: c, start: i });
      i++;
    } else {
      tokens.push({ kind: 'other', text: c, start: i });
      i++;
    }
  }
  return { tokens };
}

/** The index after the closing quote of the literal opening at `open`, or -1. A doubled quote is one quote. */
function quoted(text: string, open: number, quote: string, backslashes: boolean): number {
  let i = open + 1;
  while (i < text.length) {
    const c = text[i];
    if (backslashes && c === '\\') i += 2;
    else if (c === quote && text[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return -1;
}
