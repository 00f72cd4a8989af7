// Property-based tests of thresholds (k6-style `p(95)<300`) with what users may write: expressions
// and metric keys from a generator of the grammar, mutated, or random; whole `thresholds` objects.
// Parsing succeeds with what was written, or fails quoting the input and the column; compiling
// and evaluating what was accepted never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatExpression, parseMetricKey, parseThresholdExpression, ThresholdSyntaxError, type ThresholdExpression } from '../../server/thresholds/parseThreshold';
import { compileThresholds, ThresholdConfigError, THRESHOLD_METRICS, type CompiledThreshold } from '../../server/thresholds/thresholdSet';
import { evaluateThresholds, shouldAbort, type MetricsView } from '../../server/thresholds/evaluate';

// At least 1000 cases per property; FUZZ_RUNS=20000 (say) searches harder.
const RUNS = Math.max(1000, Number(process.env.FUZZ_RUNS ?? 0));

// ---------------------------------------------------------------------------------------------
// The grammar, as generators that also say what the text means.

const ws = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r'), maxLength: 3 });
const digits = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: max });
/** `number = digit, {digit}, ["." digit {digit}]`: the text and its value. */
const numberText = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(digits(4), fc.option(digits(3), { nil: undefined })) },
  { weight: 1, arbitrary: fc.tuple(digits(30), fc.option(digits(30), { nil: undefined })) },
  // Very large and very small values: where JavaScript writes numbers with an exponent (1e+21, 1e-7).
  { weight: 1, arbitrary: fc.tuple(fc.tuple(digits(3), fc.oneof(fc.integer({ min: 15, max: 40 }), fc.integer({ min: 300, max: 320 }))).map(([d, zeros]) => d + '0'.repeat(zeros)), fc.constant(undefined)) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('0'), fc.tuple(fc.integer({ min: 4, max: 30 }), digits(5)).map(([zeros, d]) => '0'.repeat(zeros) + d)) },
).map(([whole, fraction]) => (fraction === undefined ? whole : `${whole}.${fraction}`));
const OPERATORS = ['<', '<=', '>', '>=', '==', '===', '!='] as const;

interface Written {
  text: string;
  expected: ThresholdExpression;
}

const expression: fc.Arbitrary<Written> = fc
  .tuple(ws, fc.oneof(fc.constantFrom('avg', 'min', 'max', 'med', 'count', 'rate'), fc.tuple(ws, numberText, ws, ws)), ws, fc.constantFrom(...OPERATORS), ws, numberText, ws)
  .map(([w1, agg, w2, op, w3, value, w4]) => {
    const aggregationText = typeof agg === 'string' ? agg : `p${agg[0]}(${agg[2]}${agg[1]}${agg[3]})`;
    return {
      text: `${w1}${aggregationText}${w2}${op}${w3}${value}${w4}`,
      expected: {
        aggregation: typeof agg === 'string' ? { kind: agg } : { kind: 'p', percentile: Number(agg[1]) },
        operator: op === '===' ? '==' : op,
        value: Number(value),
      } as ThresholdExpression,
    };
  });

const name = fc.oneof(
  fc.constantFrom('http_req_duration', 'http_req_failed', 'http_reqs', 'name', 'scenario', 'method', 'status', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '_'),
  fc.tuple(fc.constantFrom(...'abcXYZ_'), fc.string({ unit: fc.constantFrom(...'az09_Q'), maxLength: 6 })).map(([a, b]) => a + b),
);
const tagValue = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'az09-_.:/'), minLength: 1, maxLength: 8 }).map((v) => ({ text: v, value: v })),
  fc.string({ maxLength: 8 }).filter((v) => !v.includes('"')).map((v) => ({ text: `"${v}"`, value: v })),
  fc.string({ maxLength: 8 }).filter((v) => !v.includes("'")).map((v) => ({ text: `'${v}'`, value: v })),
);
const metricKey = fc
  .tuple(ws, name, ws, fc.option(fc.uniqueArray(fc.tuple(name, ws, ws, tagValue, ws), { selector: (t) => t[0], minLength: 1, maxLength: 4 }), { nil: undefined }), ws)
  .map(([w1, metric, w2, tags, w3]) => ({
    text: `${w1}${metric}${w2}${tags ? `{${tags.map(([tag, a, b, v, c]) => `${a}${tag}${b}:${c}${v.text}${a}`).join(',')}}` : ''}${w3}`,
    metric,
    tags: tags ? tags.map(([tag, , , v]) => [tag, v.value] as const) : [],
  }));

/** A few character edits: the near misses a user types. */
function edited(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const noise = fc.oneof(fc.constantFrom('(', ')', '<', '>', '=', '!', '.', '-', '+', 'e', 'ms', 'p', '{', '}', ':', ',', '"', "'", ' ', '%', 'µ', '1', '0'), fc.string({ maxLength: 2 }));
  return fc.tuple(base, fc.array(fc.tuple(fc.nat(), fc.nat(2), noise), { minLength: 1, maxLength: 3 })).map(([text, edits]) => {
    for (const [at, removed, inserted] of edits) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + inserted + text.slice(i + removed);
    }
    return text;
  });
}

/** Runs a parser; a refusal must be a ThresholdSyntaxError that quotes the input and a column inside it. */
function trySyntax<T>(input: string, run: () => T): T | undefined {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof ThresholdSyntaxError)) throw new Error(`not a ThresholdSyntaxError for ${JSON.stringify(input)}: ${(err as Error)?.stack ?? String(err)}`, { cause: err });
    assert.equal(err.input, input);
    assert.ok(Number.isInteger(err.column) && err.column >= 1 && err.column <= input.length + 1, `column ${err.column} outside ${JSON.stringify(input)}`);
    assert.ok(err.message.includes(JSON.stringify(input)), `the message does not quote the input: ${err.message}`);
    assert.ok(err.message.includes(`column ${err.column}`), `the message does not give the column: ${err.message}`);
    assert.ok(err.expected.length > 0);
    assert.equal(err.pointer.split('\n').pop(), `${' '.repeat(err.column - 1)}^`);
    return undefined;
  }
}

test('expressions from the grammar parse to what was written', () => {
  fc.assert(
    fc.property(expression, ({ text, expected }) => {
      const numbers = [expected.value, ...(expected.aggregation.kind === 'p' ? [expected.aggregation.percentile] : [])];
      if (numbers.every(Number.isFinite)) assert.deepEqual(parseThresholdExpression(text), expected);
      else assert.throws(() => parseThresholdExpression(text), (err) => err instanceof ThresholdSyntaxError && / is too large at column \d+ in /.test(err.message));
    }),
    { numRuns: RUNS },
  );
});

test('the canonical text of an accepted expression parses back to the same expression', () => {
  fc.assert(
    fc.property(fc.oneof(expression.map((e) => e.text), edited(expression.map((e) => e.text))), (text) => {
      const parsed = trySyntax(text, () => parseThresholdExpression(text));
      if (!parsed) return;
      const canonical = formatExpression(parsed);
      assert.deepEqual(parseThresholdExpression(canonical), parsed, `${JSON.stringify(text)} → ${canonical}`);
    }),
    { numRuns: RUNS },
  );
});

test('mutated and random expressions parse or fail quoting the input and the column', () => {
  fc.assert(
    fc.property(fc.oneof(edited(expression.map((e) => e.text)), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 })), (text) => {
      trySyntax(text, () => parseThresholdExpression(text));
    }),
    { numRuns: RUNS },
  );
});

test('metric keys from the grammar parse to their metric and tags, whatever the tag names', () => {
  fc.assert(
    fc.property(metricKey, ({ text, metric, tags }) => {
      const parsed = parseMetricKey(text);
      assert.equal(parsed.metric, metric);
      assert.deepEqual(Object.entries(parsed.tags), tags, text);
    }),
    { numRuns: RUNS },
  );
});

test('mutated and random metric keys parse or fail quoting the input and the column', () => {
  fc.assert(
    fc.property(fc.oneof(edited(metricKey.map((k) => k.text)), fc.string({ maxLength: 20 })), (text) => {
      trySyntax(text, () => parseMetricKey(text));
    }),
    { numRuns: RUNS },
  );
});

// ---------------------------------------------------------------------------------------------
// Whole thresholds objects: compile, then evaluate against any metrics.

const validKey = fc.tuple(fc.constantFrom(...(Object.keys(THRESHOLD_METRICS) as (keyof typeof THRESHOLD_METRICS)[])), fc.option(fc.constantFrom('{name:checkout}', '{scenario:spike,method:GET}', '{status:"500"}'), { nil: '' }));
const entry = fc.oneof(
  expression.map((e) => e.text),
  edited(expression.map((e) => e.text)),
  fc.record(
    { threshold: fc.oneof(expression.map((e) => e.text), fc.jsonValue({ maxDepth: 1 })), abortOnFail: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })), delayAbortEval: fc.oneof(fc.constantFrom('10s', '0s', '1h', 'soon', '99999999999999999999h'), fc.jsonValue({ maxDepth: 1 })), extra: fc.jsonValue({ maxDepth: 1 }) },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
/** Thresholds that should mostly compile: each expression under a metric that has its aggregation. */
const TAGS = ['', '{name:checkout}', '{scenario:spike,method:GET}', '{status:"500"}'];
const sensible = fc
  .array(fc.tuple(expression, fc.nat(), fc.oneof(fc.constant(undefined), fc.record({ abortOnFail: fc.boolean(), delayAbortEval: fc.constantFrom('1s', '10s', '1m30s') }, { requiredKeys: ['abortOnFail'] }))), { minLength: 1, maxLength: 6 })
  .map((entries) => {
    const object: Record<string, unknown[]> = {};
    for (const [{ text, expected }, pick, long] of entries) {
      const metrics = (Object.keys(THRESHOLD_METRICS) as (keyof typeof THRESHOLD_METRICS)[]).filter(
        (m) => THRESHOLD_METRICS[m].aggregations.includes(expected.aggregation.kind) && (m !== 'http_req_failed' || expected.value <= 1),
      );
      if (metrics.length === 0) continue;
      const key = metrics[pick % metrics.length] + TAGS[pick % TAGS.length];
      (object[key] ??= []).push(long ? { threshold: text, ...long } : text);
    }
    return object;
  });
const thresholdsObject = fc.oneof(
  { weight: 4, arbitrary: sensible },
  { weight: 4, arbitrary: fc.dictionary(fc.oneof(validKey.map(([m, t]) => m + t), metricKey.map((k) => k.text), fc.string({ maxLength: 10 })), fc.oneof({ weight: 5, arbitrary: fc.array(entry, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Metrics that answer anything a runner might: numbers, NaN, Infinity, negative, nothing. */
const anyNumber = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, undefined));
/** The db_* answer: a value (any number), a reason for no data, or no dbAggregate at all (queries not captured). */
const dbAnswer = fc.option(fc.oneof(anyNumber.map((value) => (value === undefined ? { noData: 'no query was captured' } : { value }))), { nil: undefined });
const metricsView = fc.record({ duration: anyNumber, failed: anyNumber, count: fc.oneof(fc.nat(), fc.constant(0)), rate: anyNumber, db: dbAnswer }).map(
  (m): MetricsView => ({
    durationAggregate: () => m.duration,
    failedRate: () => m.failed,
    requestCount: () => m.count,
    requestRate: () => m.rate,
    ...(m.db && { dbAggregate: () => m.db! }),
  }),
);

function compileOrProblems(value: unknown): CompiledThreshold[] | undefined {
  try {
    return compileThresholds(value);
  } catch (err) {
    if (!(err instanceof ThresholdConfigError)) throw new Error(`not a ThresholdConfigError: ${(err as Error)?.stack ?? String(err)}`, { cause: err });
    assert.ok(err.problems.length > 0);
    for (const p of err.problems) {
      assert.ok(p.path.startsWith('thresholds'), `path ${p.path}`);
      assert.ok(p.message.trim().length > 0, `empty message at ${p.path}`);
      assert.doesNotMatch(p.message, /\[object Object\]/, p.message);
      assert.ok(err.message.includes(`${p.path}: ${p.message}`));
    }
    return undefined;
  }
}

test('thresholds objects compile or list problems by path; what compiles evaluates against any metrics', () => {
  fc.assert(
    fc.property(thresholdsObject, metricsView, fc.double({ min: 0, max: 1e9, noNaN: true }), (value, metrics, elapsedMs) => {
      const compiled = compileOrProblems(value);
      if (!compiled) return;
      for (const t of compiled) {
        assert.ok(Object.hasOwn(THRESHOLD_METRICS, t.metric));
        assert.ok(THRESHOLD_METRICS[t.metric].aggregations.includes(t.aggregation.kind), `${t.metric} with ${t.aggregation.kind}`);
        assert.ok(t.delayAbortEvalMs >= 0 && Number.isFinite(t.delayAbortEvalMs));
        if (t.aggregation.kind === 'p') assert.ok(t.aggregation.percentile >= 0 && t.aggregation.percentile <= 100);
      }
      const results = evaluateThresholds(compiled, metrics, elapsedMs);
      assert.equal(results.length, compiled.length);
      for (const r of results) {
        assert.equal(typeof r.ok, 'boolean');
        assert.ok(r.message.startsWith(`${formatExpression(r.threshold)}: `), r.message);
        if (r.observed === undefined) assert.equal(r.ok, false, 'no data passed');
        else assert.ok(!Number.isNaN(r.observed));
      }
      const abort = shouldAbort(results, elapsedMs);
      if (abort) assert.ok(abort.threshold.abortOnFail && !abort.ok);
    }),
    { numRuns: RUNS },
  );
});
