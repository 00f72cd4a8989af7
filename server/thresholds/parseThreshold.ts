/**
 * The syntax of thresholds (k6's): a threshold expression such as `p(95)<300`, and the metric key it
 * hangs under, such as `http_req_duration{name:checkout}`. Syntax only: which aggregations a metric
 * has, the percentile range and the known tags are meaning, checked in thresholdSet.ts. Pure.
 *
 * GRAMMAR (EBNF; `ws` may appear between any two tokens and at both ends)
 *
 *   threshold    = aggregation , operator , number ;
 *   aggregation  = "avg" | "min" | "max" | "med" | "count" | "rate" | percentile ;
 *   percentile   = "p" , "(" , number , ")" ;
 *   operator     = "<=" | "<" | ">=" | ">" | "===" | "==" | "!=" ;      (* "===" means "==" *)
 *   number       = digit , { digit } , [ "." , digit , { digit } ] ;     (* no sign, no units *)
 *
 *   metric_key   = name , [ "{" , tag , { "," , tag } , "}" ] ;
 *   tag          = name , ":" , tag_value ;
 *   tag_value    = value_char , { value_char }
 *                | '"' , { ? any character but '"' ? } , '"'
 *                | "'" , { ? any character but "'" ? } , "'" ;
 *   value_char   = letter | digit | "-" | "_" | "." | ":" | "/" ;
 *   name         = ( letter | "_" ) , { letter | digit | "_" } ;
 *   ws           = { " " | "\t" | "\n" | "\r" } ;
 *
 * Errors are ThresholdSyntaxError: they quote the input, give the 1-based column where the expected
 * token should start (just after the last good one, as k6 does), and say what was expected there.
 */

export type SimpleAggregationKind = 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate';
export type Aggregation = { kind: SimpleAggregationKind } | { kind: 'p'; percentile: number };
/** `===` is read as `==`. */
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface ThresholdExpression {
  aggregation: Aggregation;
  operator: Operator;
  value: number;
}

export interface MetricKey {
  metric: string;
  tags: Record<string, string>;
}

export class ThresholdSyntaxError extends Error {
  override readonly name = 'ThresholdSyntaxError';

  constructor(
    message: string,
    /** The text that was parsed. */
    readonly input: string,
    /** 1-based column where the problem is. */
    readonly column: number,
    /** What was expected there, e.g. `an operator (<, <=, >, >=, ==, !=)`. */
    readonly expected: string,
  ) {
    super(message);
  }

  /** The input with a caret under the column, two lines. */
  get pointer(): string {
    return `${this.input}\n${' '.repeat(this.column - 1)}^`;
  }
}

const SIMPLE_AGGREGATIONS: readonly SimpleAggregationKind[] = ['avg', 'min', 'max', 'med', 'count', 'rate'];
const OPERATORS = ['<=', '<', '>=', '>', '===', '==', '!='] as const;
const EXPECTED_AGGREGATION = 'an aggregation (avg, min, max, med, p(N), count or rate)';
const EXPECTED_OPERATOR = 'an operator (<, <=, >, >=, ==, !=)';
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const VALUE_CHAR = /[A-Za-z0-9\-_.:/]/;
const WS = /[ \t\r\n]/;

/** `p(95)<300` → { aggregation: {kind:'p', percentile:95}, operator:'<', value:300 }. Throws ThresholdSyntaxError. */
export function parseThresholdExpression(text: string): ThresholdExpression {
  const s = new Scanner(text);
  s.skipWs();
  const aggregation = parseAggregation(s);
  s.skipWs();
  const operator = s.takeOne(OPERATORS);
  if (!operator) throw s.error(EXPECTED_OPERATOR);
  s.skipWs();
  const value = s.takeNumber();
  if (value === undefined) throw s.error('a number', 'values have no sign and no units; durations are in ms');
  s.skipWs();
  if (!s.atEnd()) throw s.error('the end of the threshold', /^[a-zµ]+\s*$/i.test(s.rest()) ? 'values have no units; durations are in ms' : undefined);
  return { aggregation, operator: operator === '===' ? '==' : operator, value };
}

function parseAggregation(s: Scanner): Aggregation {
  const word = s.peekName();
  if (word === 'p') {
    s.take(word);
    s.skipWs();
    if (!s.take('(')) throw s.error('"(" to start the percentile, as in p(95)');
    s.skipWs();
    const percentile = s.takeNumber();
    if (percentile === undefined) throw s.error('a percentile from 0 to 100', 'e.g. p(95), p(99.9)');
    s.skipWs();
    if (!s.take(')')) throw s.error('")" to close the percentile');
    return { kind: 'p', percentile };
  }
  const kind = SIMPLE_AGGREGATIONS.find((k) => k === word);
  if (kind) {
    s.take(kind);
    return { kind };
  }
  const percentileTypo = word !== undefined && /^p\d/.test(word) ? `write a percentile as p(${word.slice(1)})` : undefined;
  throw s.error(EXPECTED_AGGREGATION, percentileTypo);
}

/** `http_req_duration{name:checkout,scenario:spike}` → { metric, tags }. Throws ThresholdSyntaxError. */
export function parseMetricKey(key: string): MetricKey {
  const s = new Scanner(key);
  s.skipWs();
  const metric = s.peekName();
  if (metric === undefined) throw s.error('a metric name (e.g. http_req_duration)');
  s.take(metric);
  s.skipWs();
  const tags: Record<string, string> = {};
  const hasTags = s.take('{');
  if (hasTags) {
    for (;;) {
      s.skipWs();
      const tag = s.peekName();
      if (tag === undefined) throw s.error('a tag name (e.g. name, scenario)');
      const tagColumn = s.column();
      s.take(tag);
      s.skipWs();
      if (!s.take(':')) throw s.error(`":" between the tag and its value, as in ${tag}:value`);
      s.skipWs();
      const value = s.takeTagValue();
      if (value === undefined) throw s.error(`a value for tag "${tag}" (letters, digits, - _ . : / or a quoted string)`);
      if (Object.prototype.hasOwnProperty.call(tags, tag)) throw s.errorAt(tagColumn, 'each tag once', `tag "${tag}" is given twice`);
      // Defined, not assigned: `tags.__proto__ = value` would set nothing and drop the tag unseen.
      Object.defineProperty(tags, tag, { value, enumerable: true, writable: true, configurable: true });
      s.skipWs();
      if (s.take('}')) break;
      if (!s.take(',')) throw s.error('"," or "}"');
    }
    s.skipWs();
  }
  if (!s.atEnd()) throw s.error(hasTags ? 'the end of the metric key' : '"{" to start the tags, or the end of the metric key');
  return { metric, tags };
}

/** The canonical text of an expression: `p(95)<300`. It parses back to the same expression. */
export function formatExpression(e: ThresholdExpression): string {
  return `${formatAggregation(e.aggregation)}${e.operator}${plainNumber(e.value)}`;
}

export function formatAggregation(a: Aggregation): string {
  return a.kind === 'p' ? `p(${plainNumber(a.percentile)})` : a.kind;
}

/** A number as the grammar writes it, without the exponent JavaScript uses from 1e21 and below 1e-6. */
function plainNumber(n: number): string {
  const text = String(n);
  const exponent = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!exponent) return text;
  const [, whole, fraction = '', power] = exponent;
  const digits = whole + fraction;
  const point = whole.length + Number(power); // where the decimal point goes in `digits`
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return point > 0 ? `${digits.slice(0, point)}.${digits.slice(point)}` : `0.${'0'.repeat(-point)}${digits}`;
}

/** A cursor over the input with the error builder; every error quotes the whole input. */
class Scanner {
  private at = 0;
  /** End of the last token taken (whitespace excluded): errors point there. */
  private lastEnd = 0;

  constructor(private readonly input: string) {}

  atEnd(): boolean {
    return this.at >= this.input.length;
  }

  rest(): string {
    return this.input.slice(this.at);
  }

  column(): number {
    return this.at + 1;
  }

  skipWs(): void {
    while (!this.atEnd() && WS.test(this.input[this.at])) this.at++;
  }

  take(token: string): boolean {
    if (!this.input.startsWith(token, this.at)) return false;
    this.at += token.length;
    this.lastEnd = this.at;
    return true;
  }

  takeOne<T extends string>(tokens: readonly T[]): T | undefined {
    return tokens.find((t) => this.take(t));
  }

  peekName(): string | undefined {
    if (this.atEnd() || !NAME_START.test(this.input[this.at])) return undefined;
    let end = this.at + 1;
    while (end < this.input.length && NAME_CHAR.test(this.input[end])) end++;
    return this.input.slice(this.at, end);
  }

  takeNumber(): number | undefined {
    const match = /\d+(?:\.\d+)?/y;
    match.lastIndex = this.at;
    const m = match.exec(this.input);
    // `1.` or `1.5.2` or `12abc` is not a number followed by something else, it is a bad number.
    if (!m || /[\d.]/.test(this.input[match.lastIndex] ?? '')) return undefined;
    const value = Number(m[0]);
    // Over 308 digits a number is Infinity, which no threshold means (and no canonical text can write).
    if (!Number.isFinite(value)) throw this.errorAt(this.column(), 'a smaller number', `the number ${m[0].slice(0, 12)}… (${m[0].length} digits) is too large`);
    this.take(m[0]);
    return value;
  }

  takeTagValue(): string | undefined {
    const quote = this.input[this.at];
    if (quote === '"' || quote === "'") {
      const close = this.input.indexOf(quote, this.at + 1);
      if (close < 0) return undefined;
      const value = this.input.slice(this.at + 1, close);
      this.take(this.input.slice(this.at, close + 1));
      return value;
    }
    let end = this.at;
    while (end < this.input.length && VALUE_CHAR.test(this.input[end])) end++;
    if (end === this.at) return undefined;
    const value = this.input.slice(this.at, end);
    this.take(value);
    return value;
  }

  /** "expected X after "…" at column N in "…", found "…" (hint)". Points just after the last good token. */
  error(expected: string, hint?: string): ThresholdSyntaxError {
    const column = this.lastEnd + 1;
    const before = this.input.slice(0, this.lastEnd).trim();
    const after = before ? ` after ${JSON.stringify(before)}` : '';
    const message = `expected ${expected}${after} at column ${column} in ${JSON.stringify(this.input)}, found ${this.found()}${hint ? ` (${hint})` : ''}`;
    return new ThresholdSyntaxError(message, this.input, column, expected);
  }

  errorAt(column: number, expected: string, problem: string): ThresholdSyntaxError {
    return new ThresholdSyntaxError(`${problem} at column ${column} in ${JSON.stringify(this.input)}: expected ${expected}`, this.input, column, expected);
  }

  /** What stands where something else was expected: a word, a number, or one character. */
  private found(): string {
    const rest = this.rest().trimStart();
    if (!rest) return 'the end';
    const word = /^(?:[A-Za-z0-9_.]+|\S)/.exec(rest);
    return JSON.stringify(word ? word[0] : rest[0]);
  }
}
