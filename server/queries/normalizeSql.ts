// A statement's normalised text, the key its executions are grouped by, as pg_stat_statements and
// Sentry's span grouping do it: the values a statement was sent with are left out, so
// `WHERE id = 7` and `WHERE id = 8` are one statement. Pure.
//
// - String literals ('…' with '' escapes; E'…' with backslash escapes; B'…', X'…', N'…', U&'…';
//   dollar-quoted $$…$$ and $tag$…$tag$), numeric literals (12, 1.5e3, .5, 0x1F, 1_000) and the
//   booleans TRUE and FALSE become `?` (`IS TRUE` / `IS NOT FALSE` stay: they are not values). A
//   minus sign right before a number after an operator, `(` or `,` is part of it (`= -1` → `= ?`);
//   elsewhere it stays an operator (`x-1` → `x-?`).
// - `$1`-style placeholders stay as written: a parameterised statement already is its own key
//   (pg_stat_statements shows `$1` too).
// - Lists of values and placeholders collapse: `IN (1, 2, 3)` and `IN ($1, $2)` → `IN (?)`,
//   `ARRAY[1, 2]` → `ARRAY[?]` (so `= ANY(ARRAY[…])` → `= ANY(ARRAY[?])`), whatever their length.
//   A list item may carry a sign and casts (`-1`, `$1::int`).
// - A multi-row `VALUES (…), (…), …` whose rows are alike (the same up to values and placeholder
//   numbers) keeps its first row: `VALUES ($1, $2), ...`, so batches of any size are one statement.
// - `SAVEPOINT x`, `RELEASE [SAVEPOINT] x`, `ROLLBACK TO [SAVEPOINT] x` → `… ?`.
// - Comments (`--`, nested `/* */`) are removed; whitespace (comments included) folds to one space;
//   trailing semicolons go.
// - Everything else is kept as written: keywords are not re-cased (the text stays readable, and a
//   statement is written once in the code, so two casings of one statement are rare; they are two
//   groups), double-quoted identifiers are untouched, digits inside identifiers (t1, col_2) too.
//
// normalizeSql never throws (unterminated strings and comments run to the end of the text, as a
// statement truncated by the agent does) and is idempotent: normalizeSql(normalizeSql(s)) equals
// normalizeSql(s).
import { blockCommentEnd } from './sqlComments';

type Kind = 'word' | 'quoted' | 'value' | 'param' | 'punct';

interface Token {
  kind: Kind;
  text: string;
  /** Whitespace or a comment came before it. */
  space: boolean;
}

/** PostgreSQL's whitespace; any other character from U+0080 up may be part of an identifier, as in its lexer. */
const SPACE = /[ \t\n\r\f\v]/;
const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;
const NUMBER = /^(?:0[xX][0-9A-Fa-f_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?\d+)?|\.\d[\d_]*(?:[eE][+-]?\d+)?)/;

export function normalizeSql(text: string): string {
  let tokens = tokenize(text);
  tokens = collapseLists(tokens);
  tokens = collapseValuesRows(tokens);
  tokens = hideSavepointNames(tokens);
  while (tokens.length > 0 && tokens[tokens.length - 1].kind === 'punct' && tokens[tokens.length - 1].text === ';') tokens.pop();
  return render(tokens);
}

function render(tokens: Token[]): string {
  let out = '';
  for (const token of tokens) out += (token.space && out !== '' ? ' ' : '') + token.text;
  return out;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let space = false;
  let i = 0;
  const push = (kind: Kind, tokenText: string) => {
    tokens.push({ kind, text: tokenText, space });
    space = false;
  };
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (SPACE.test(c)) {
      space = true;
      i++;
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      space = true;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = blockCommentEnd(text, i);
      i = end < 0 ? text.length : end; // a cut statement: the comment runs to the end
      space = true;
    } else if (c === "'") {
      i = skipString(text, i, false);
      push('value', '?');
    } else if (c === '"') {
      const end = skipQuoted(text, i, '"');
      push('quoted', text.slice(i, end));
      i = end;
    } else if (c === '$') {
      const param = /^\$\d+/.exec(text.slice(i, i + 24));
      const tag = param ? null : DOLLAR_TAG.exec(text.slice(i, i + 128));
      if (param) {
        // Digits past a long placeholder (`$123456789012345678901234`) come out as a number.
        push('param', param[0]);
        i += param[0].length;
      } else if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? n : close + tag[0].length;
        push('value', '?');
      } else {
        push('punct', c);
        i++;
      }
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(text[i + 1] ?? ''))) {
      const match = NUMBER.exec(text.slice(i, i + 400));
      // NUMBER always matches here; the fallback is for a run past 400 characters, taken in parts.
      i += match ? match[0].length : 1;
      // A negative number is one value (`= -1` as `= 1`): a '-' right before it, after an operator,
      // a comma or an opening bracket (not after an operand: `x-1` is a subtraction).
      const minus = tokens[tokens.length - 1];
      const before = tokens[tokens.length - 2];
      if (!space && isPunct(minus, '-') && (before === undefined || (before.kind === 'punct' && before.text !== ')' && before.text !== ']' && before.text !== '?'))) {
        tokens.pop();
        space = minus.space;
      }
      push('value', '?');
    } else if (WORD_START.test(c)) {
      let end = i + 1;
      while (end < n && WORD_PART.test(text[end])) end++;
      const word = text.slice(i, end);
      const upper = word.toUpperCase();
      if (text[end] === "'" && (upper === 'E' || upper === 'B' || upper === 'X' || upper === 'N')) {
        i = skipString(text, end, upper === 'E');
        push('value', '?');
      } else if (upper === 'U' && text[end] === '&' && text[end + 1] === "'") {
        i = skipString(text, end + 1, false);
        push('value', '?');
      } else {
        i = end;
        if ((upper === 'TRUE' || upper === 'FALSE') && !afterIs(tokens)) push('value', '?');
        else push('word', word);
      }
    } else {
      push('punct', c);
      i++;
    }
  }
  return tokens;
}

/** `IS TRUE`, `IS NOT FALSE`: a test, not a value. */
function afterIs(tokens: Token[]): boolean {
  const last = tokens[tokens.length - 1];
  if (!last || last.kind !== 'word') return false;
  const upper = last.text.toUpperCase();
  if (upper === 'IS') return true;
  const before = tokens[tokens.length - 2];
  return upper === 'NOT' && before?.kind === 'word' && before.text.toUpperCase() === 'IS';
}

/** The index just past a string literal whose opening quote is at `start`. */
function skipString(text: string, start: number, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === "'") {
      if (text[i + 1] === "'") i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}

/** A double-quoted identifier ("" inside is a quote). */
function skipQuoted(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}

/** PostgreSQL's block comments nest. */
const isPunct = (token: Token | undefined, text: string) => token !== undefined && token.kind === 'punct' && token.text === text;
const isWord = (token: Token | undefined, upper: string) => token !== undefined && token.kind === 'word' && token.text.toUpperCase() === upper;

/**
 * The end (exclusive) of one list item starting at `i` — signs, a value, a placeholder or NULL,
 * then casts (`::int`, `::text[]`, `::public.mood`) — or -1 when what is there is not one.
 */
function simpleItemEnd(tokens: Token[], i: number): number {
  while (isPunct(tokens[i], '-') || isPunct(tokens[i], '+')) i++;
  const t = tokens[i];
  if (!t || !(t.kind === 'value' || t.kind === 'param' || isPunct(t, '?') || isWord(t, 'NULL'))) return -1;
  i++;
  while (isPunct(tokens[i], ':') && isPunct(tokens[i + 1], ':') && (tokens[i + 2]?.kind === 'word' || tokens[i + 2]?.kind === 'quoted')) {
    i += 3;
    while (isPunct(tokens[i], '.') && (tokens[i + 1]?.kind === 'word' || tokens[i + 1]?.kind === 'quoted')) i += 2;
    while (isPunct(tokens[i], '[') && isPunct(tokens[i + 1], ']')) i += 2;
  }
  return i;
}

/** Where a list of simple items opened at `open` closes (the index of `close`), or -1. */
function simpleListClose(tokens: Token[], open: number, close: string): number {
  let i = open + 1;
  for (;;) {
    const end = simpleItemEnd(tokens, i);
    if (end < 0) return -1;
    if (isPunct(tokens[end], close)) return end;
    if (!isPunct(tokens[end], ',')) return -1;
    i = end + 1;
  }
}

/** `IN (…)` → `IN (?)`, `ARRAY[…]` → `ARRAY[?]` when every item is a value or a placeholder. */
function collapseLists(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const opener = isWord(t, 'IN') ? '(' : isWord(t, 'ARRAY') ? '[' : undefined;
    if (opener && isPunct(tokens[i + 1], opener)) {
      const close = simpleListClose(tokens, i + 1, opener === '(' ? ')' : ']');
      if (close >= 0) {
        out.push(t, tokens[i + 1], { kind: 'value', text: '?', space: false }, { ...tokens[close], space: false });
        i = close;
        continue;
      }
    }
    out.push(t);
  }
  return out;
}

/** The index of the `)` matching the `(` at `open`, or -1. */
function matchingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    else if (isPunct(tokens[i], ')') && --depth === 0) return i;
  }
  return -1;
}

/** What a row of VALUES is, whatever its values and placeholder numbers. */
function rowShape(tokens: Token[], from: number, to: number): string {
  let shape = '';
  for (let i = from; i <= to; i++) shape += tokens[i].kind === 'param' || tokens[i].kind === 'value' ? '\u0000?' : `\u0000${tokens[i].text}`;
  return shape;
}

/** `VALUES (…), (…), …` with rows alike → `VALUES (…), ...` (the first row). */
function collapseValuesRows(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    out.push(t);
    if (!isWord(t, 'VALUES') || !isPunct(tokens[i + 1], '(')) continue;
    const firstEnd = matchingParen(tokens, i + 1);
    if (firstEnd < 0) continue;
    const shape = rowShape(tokens, i + 1, firstEnd);
    let last = firstEnd;
    let rows = 1;
    while (isPunct(tokens[last + 1], ',') && isPunct(tokens[last + 2], '(')) {
      const end = matchingParen(tokens, last + 2);
      if (end < 0 || rowShape(tokens, last + 2, end) !== shape) break;
      last = end;
      rows++;
    }
    if (rows < 2) continue;
    for (let j = i + 1; j <= firstEnd; j++) out.push(tokens[j]);
    out.push({ kind: 'punct', text: ',', space: false });
    out.push({ kind: 'punct', text: '.', space: true }, { kind: 'punct', text: '.', space: false }, { kind: 'punct', text: '.', space: false });
    i = last;
  }
  return out;
}

/** `SAVEPOINT x`, `RELEASE [SAVEPOINT] x`, `ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] x`: the name → `?`. */
function hideSavepointNames(tokens: Token[]): Token[] {
  const out = tokens.map((t) => ({ ...t }));
  let statementStart = 0;
  for (let i = 0; i < out.length; i++) {
    const t = out[i];
    if (isPunct(t, ';')) {
      statementStart = i + 1;
      continue;
    }
    const next = out[i + 1];
    if (!next || (next.kind !== 'word' && next.kind !== 'quoted') || isWord(next, 'SAVEPOINT')) continue;
    const first = out[statementStart];
    const names =
      isWord(t, 'SAVEPOINT') ||
      (isWord(t, 'RELEASE') && i === statementStart) ||
      (isWord(t, 'TO') && isWord(first, 'ROLLBACK') && i <= statementStart + 2);
    if (names) out[i + 1] = { kind: 'value', text: '?', space: next.space };
  }
  return out;
}
