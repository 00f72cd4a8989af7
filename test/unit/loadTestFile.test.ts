import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import {
  LoadTestConfigError,
  formatJsonPath,
  locateJsonPath,
  parseJsonPath,
  parseLoadTestFile,
  withPort,
  type LoadTestFile,
  type LoadTestProblem,
} from '../../server/loadtest/loadTestFile';

const root = join(__dirname, '..', '..');
const fixture = (name: string) => readFileSync(join(root, 'test/fixtures/loadtests', name), 'utf8');

/** The problems parseLoadTestFile throws for a text (fails the test when it parses). */
function problemsOf(text: string): LoadTestProblem[] {
  try {
    parseLoadTestFile(text, 'x.load.json');
  } catch (err) {
    assert.ok(err instanceof LoadTestConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a LoadTestConfigError');
}

const base = () => ({
  target: { baseUrl: 'http://127.0.0.1:3000' },
  requests: [{ path: '/report' }] as unknown[],
  scenarios: [{ type: 'sustained', rate: 10, duration: '5s' }] as unknown[],
});

test('valid files parse, with defaults applied', () => {
  const cases: Array<[file: string, check: (f: LoadTestFile) => void]> = [
    [
      'full.load.json',
      (f) => {
        assert.deepEqual(f.target, { baseUrl: 'http://127.0.0.1:3000', command: 'node dist/server.js', cwd: '.', env: { PORT: '3000' }, waitTimeoutMs: 30_000 });
        assert.deepEqual(f.requests, [
          { name: 'report', method: 'GET', path: '/report', headers: {}, weight: 3 },
          { name: 'health', method: 'GET', path: '/health', headers: {}, weight: 1 },
        ]);
        assert.deepEqual(f.scenarios, [
          { name: 'warmup', type: 'sustained', connections: 4, durationMs: 5000 },
          { name: 'ramp-up', type: 'ramp', from: 10, to: 60, steps: 5, durationMs: 20_000 },
          { name: 'steady', type: 'sustained', rate: 40, durationMs: 30_000 },
          { name: 'spike', type: 'spike', baseline: 20, spike: 100, spikeDurationMs: 5000, durationMs: 20_000 },
          { name: 'open', type: 'arrival-rate', rate: 50, durationMs: 30_000 },
        ]);
        assert.equal(f.execution, 'sequential');
        assert.deepEqual(f.allowHosts, []);
        assert.deepEqual(f.thresholds, { http_req_duration: ['p(95)<300', 'p(99)<800'], http_req_failed: ['rate<0.01'] });
      },
    ],
    [
      'minimal.load.json',
      (f) => {
        assert.deepEqual(f, {
          target: { baseUrl: 'http://localhost:8080/api', cwd: '.', env: {}, waitTimeoutMs: 30_000 },
          requests: [{ name: 'GET /orders', method: 'GET', path: '/orders', headers: {}, weight: 1 }],
          scenarios: [{ name: 'ramp-1', type: 'ramp', from: 50, to: 10, steps: 5, durationMs: 60_000 }],
          execution: 'sequential',
          allowHosts: [],
          thresholds: {},
        });
      },
    ],
    [
      'bodies.load.json',
      (f) => {
        assert.deepEqual(f.requests, [
          { name: 'POST /orders', method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' }, body: '{"customerId":7,"items":[1,2]}', weight: 2 },
          { name: 'PUT /orders/1', method: 'PUT', path: '/orders/1', headers: { 'Content-Type': 'application/vnd.api+json' }, body: '[1]', weight: 1 },
          { name: 'POST /echo', method: 'POST', path: '/echo', headers: {}, body: 'plain text', weight: 1 },
        ]);
        assert.deepEqual(f.scenarios, [
          { name: 'arrival-rate-1', type: 'arrival-rate', rate: 5, durationMs: 90_000, timeoutMs: 2000, connections: 3 },
          { name: 'spike-2', type: 'spike', baseline: 5, spike: 50, spikeDurationMs: 3000, durationMs: 10_000 },
        ]);
        assert.equal(f.execution, 'parallel');
        assert.deepEqual(f.allowHosts, ['staging.internal:8443']);
      },
    ],
  ];
  for (const [name, check] of cases) check(parseLoadTestFile(fixture(name), name));
});

test('the demo load tests parse and stay short', () => {
  const report = parseLoadTestFile(withPort(readFileSync(join(root, 'demo/perf/report.load.json'), 'utf8'), 3000));
  assert.deepEqual(report.target, { baseUrl: 'http://127.0.0.1:3000', command: 'node dist/server.js', cwd: '..', env: { PORT: '3000' }, waitTimeoutMs: 30_000 }); // ${PORT} filled in
  assert.deepEqual(report.requests.map((r) => [r.method, r.path, r.weight]), [['GET', '/report', 1], ['GET', '/health', 3]]);
  assert.deepEqual(report.scenarios.map((s) => [s.type, s.durationMs]), [['sustained', 5000], ['ramp', 10_000]]);
  assert.ok(Array.isArray(report.thresholds.http_req_duration) && Array.isArray(report.thresholds.http_req_failed));

  const breach = parseLoadTestFile(withPort(readFileSync(join(root, 'demo/perf/breach.load.json'), 'utf8'), 3000));
  assert.deepEqual(breach.scenarios, [{ name: 'overload', type: 'sustained', rate: 60, durationMs: 8000 }]);
  assert.deepEqual(breach.thresholds, { http_req_duration: ['p(95)<50'] });
});

test('thresholds pass through untouched; only "an object of arrays" is checked', () => {
  const thresholds = { http_req_duration: ['p(95)<300', { threshold: 'p(99)<1', abortOnFail: true }], custom_metric: [] };
  assert.deepEqual(parseLoadTestFile(JSON.stringify({ ...base(), thresholds })).thresholds, thresholds);
  assert.deepEqual(problemsOf(JSON.stringify({ ...base(), thresholds: { http_req_duration: 'p(95)<300' } })).map((p) => p.path), ['thresholds.http_req_duration']);
});

test('invalid files: each problem names the key and says what is wrong', () => {
  type Mutate = (f: ReturnType<typeof base> & Record<string, unknown>) => unknown;
  const cases: Array<[title: string, mutate: Mutate, path: string, message: RegExp]> = [
    ['missing target.baseUrl', (f) => ({ ...f, target: { command: 'node x.js' } }), 'target.baseUrl', /^is required — where the service answers/],
    ['baseUrl not http', (f) => ({ ...f, target: { baseUrl: 'ftp://127.0.0.1' } }), 'target.baseUrl', /must be an http:\/\/ or https:\/\/ URL/],
    ['unknown scenario type', (f) => ({ ...f, scenarios: [{ type: 'burst', duration: '5s' }] }), 'scenarios[0].type', /^"burst" is not allowed: must be one of sustained, ramp, spike, arrival-rate$/],
    ['missing scenario type', (f) => ({ ...f, scenarios: [{ duration: '5s' }] }), 'scenarios[0].type', /^is required/],
    ['unknown top-level key', (f) => ({ ...f, scenario: [] }), 'scenario', /^unknown key `scenario`: did you mean `scenarios`\?/],
    ['unknown key in a request', (f) => ({ ...f, requests: [{ path: '/a', wieght: 2 }] }), 'requests[0].wieght', /unknown key `wieght`: did you mean `weight`\?.*allowed here: name, method, path, headers, body, weight/],
    ['key of another scenario type', (f) => ({ ...f, scenarios: [{ type: 'sustained', rate: 5, from: 1, duration: '5s' }] }), 'scenarios[0].from', /^unknown key `from`.*allowed here: name, type, rate, connections, duration, timeout/],
    ['negative rate', (f) => ({ ...f, scenarios: [{ type: 'sustained', rate: -5, duration: '5s' }] }), 'scenarios[0].rate', /^must be at least 1, not -5$/],
    ['fractional rate', (f) => ({ ...f, scenarios: [{ type: 'arrival-rate', rate: 2.5, duration: '5s' }] }), 'scenarios[0].rate', /^must be a whole number, not 2\.5$/],
    ['bad duration 10x', (f) => ({ ...f, scenarios: [{ type: 'sustained', rate: 5, duration: '10x' }] }), 'scenarios[0].duration', /must be a duration such as 10s.*not "10x"/],
    ['duration units out of order', (f) => ({ ...f, scenarios: [{ type: 'sustained', rate: 5, duration: '30s1m' }] }), 'scenarios[0].duration', /must be a duration/],
    ['zero duration', (f) => ({ ...f, scenarios: [{ type: 'sustained', rate: 5, duration: '0s' }] }), 'scenarios[0].duration', /must be more than 0/],
    ['duration as a number', (f) => ({ ...f, scenarios: [{ type: 'sustained', rate: 5, duration: 10 }] }), 'scenarios[0].duration', /^must be a string, not 10$/],
    ['bad waitTimeout', (f) => ({ ...f, target: { baseUrl: 'http://127.0.0.1:3000', waitTimeout: 'soon' } }), 'target.waitTimeout', /must be a duration/],
    ['ramp without to', (f) => ({ ...f, scenarios: [{ type: 'ramp', from: 1, duration: '10s' }] }), 'scenarios[0].to', /^is required — rate of the last step/],
    ['ramp steps shorter than 1 s', (f) => ({ ...f, scenarios: [{ type: 'ramp', from: 1, to: 9, duration: '2s' }] }), 'scenarios[0].duration', /2s in 5 steps makes steps of 0.4s.*at least 5s/],
    ['ramp with one step', (f) => ({ ...f, scenarios: [{ type: 'ramp', from: 1, to: 9, steps: 1, duration: '10s' }] }), 'scenarios[0].steps', /^must be at least 2, not 1$/],
    ['spike longer than duration', (f) => ({ ...f, scenarios: [{ type: 'spike', baseline: 5, spike: 50, spikeDuration: '25s', duration: '20s' }] }), 'scenarios[0].spikeDuration', /the spike \(25s\) must be shorter than the scenario's duration \(20s\)/],
    ['spike leaving no baseline', (f) => ({ ...f, scenarios: [{ type: 'spike', baseline: 5, spike: 50, spikeDuration: '5s', duration: '6s' }] }), 'scenarios[0].duration', /leaves 0.5s of baseline on each side.*at least 7s/],
    ['spike without spikeDuration', (f) => ({ ...f, scenarios: [{ type: 'spike', baseline: 5, spike: 50, duration: '6s' }] }), 'scenarios[0].spikeDuration', /^is required/],
    ['sustained with neither rate nor connections', (f) => ({ ...f, scenarios: [{ type: 'sustained', duration: '5s' }] }), 'scenarios[0]', /needs `rate`.*or `connections`/],
    ['empty requests', (f) => ({ ...f, requests: [] }), 'requests', /^needs at least one request$/],
    ['empty scenarios', (f) => ({ ...f, scenarios: [] }), 'scenarios', /^needs at least one scenario$/],
    ['request path without slash', (f) => ({ ...f, requests: [{ path: 'report' }] }), 'requests[0].path', /must start with \/.*not "report"/],
    ['unknown method', (f) => ({ ...f, requests: [{ path: '/a', method: 'get' }] }), 'requests[0].method', /^"get" is not allowed: must be one of GET, POST/],
    ['zero weight', (f) => ({ ...f, requests: [{ path: '/a', weight: 0 }] }), 'requests[0].weight', /^must be at least 1, not 0$/],
    ['weights too fine-grained', (f) => ({ ...f, requests: [{ path: '/a', weight: 999 }, { path: '/b', weight: 2 }] }), 'requests', /add up to 1001; keep that at most 1000/],
    ['duplicate request names', (f) => ({ ...f, requests: [{ path: '/a' }, { path: '/a', headers: { 'x-v': '2' } }] }), 'requests[1]', /two requests are named "GET \/a"/],
    ['duplicate scenario names', (f) => ({ ...f, scenarios: [{ name: 's', type: 'sustained', rate: 1, duration: '2s' }, { name: 's', type: 'sustained', rate: 2, duration: '2s' }] }), 'scenarios[1].name', /two scenarios are named "s"/],
    ['bad header name', (f) => ({ ...f, requests: [{ path: '/a', headers: { 'X Bad': '1' } }] }), 'requests[0].headers["X Bad"]', /^"X Bad" is not a valid header name$/],
    ['header value with a line break', (f) => ({ ...f, requests: [{ path: '/a', headers: { 'X-A': 'a\r\nInjected: 1' } }] }), 'requests[0].headers["X-A"]', /line break/],
    ['bad execution', (f) => ({ ...f, execution: 'concurrent' }), 'execution', /must be one of sequential, parallel/],
    ['an env key that looks like an index', (f) => ({ ...f, target: { baseUrl: 'http://127.0.0.1:3000', env: { 0: 1 } } }), 'target.env["0"]', /^must be a string, not 1$/],
    ['a threshold key that looks like an index', (f) => ({ ...f, thresholds: { 0: 'x' } }), 'thresholds["0"]', /^must be an array/],
    ['not an object', () => [1], '', /^must be an object, not an array$/],
  ];
  for (const [title, mutate, path, message] of cases) {
    const problems = problemsOf(JSON.stringify(mutate(base() as ReturnType<typeof base> & Record<string, unknown>), null, 2));
    assert.equal(problems.length, 1, `${title}: ${JSON.stringify(problems)}`);
    assert.equal(problems[0].path, path, title);
    assert.match(problems[0].message, message, title);
    if (path) assert.ok(problems[0].line !== undefined && problems[0].line > 1, `${title}: located`);
  }
});

test('every problem of a file is reported at once, in file order, with its line and column', () => {
  let error: LoadTestConfigError | undefined;
  try {
    parseLoadTestFile(fixture('invalid-many.load.json'), 'invalid-many.load.json');
  } catch (err) {
    error = err as LoadTestConfigError;
  }
  assert.ok(error instanceof LoadTestConfigError);
  assert.equal(error.code, 'LOAD_TEST_CONFIG');
  assert.deepEqual(
    error.problems.map((p) => [p.line, p.column, p.path]),
    [
      [2, 3, 'target.baseUrl'], // absent: located at the nearest key present, `target`
      [3, 32, 'requests[0].weight'],
      [5, 28, 'scenarios[0].rate'],
      [5, 40, 'scenarios[0].duration'],
      [6, 7, 'scenarios[1].type'],
      [7, 5, 'scenarios[2].to'],
      [7, 53, 'scenarios[2].stepz'],
      [9, 3, 'executon'],
    ],
  );
  assert.match(error.message, /^invalid-many\.load\.json: 8 problems:\n {2}invalid-many\.load\.json:2:3: target\.baseUrl: is required/);
  assert.match(error.message, /invalid-many\.load\.json:9:3: executon: unknown key `executon`: did you mean `execution`\?/);
});

test('bad JSON: line and column of the syntax error', () => {
  const cases: Array<[text: string, line: number, column: number, message: RegExp]> = [
    ['{\n  "target": { "baseUrl": "http://127.0.0.1:3000" },\n  "requests": [{ "path": "/a" },]\n}', 3, 33, /line 3, column 33: expected a value, found "]\\n}"/],
    ['{\n  "target": {\n    baseUrl: "x"\n  }\n}', 3, 5, /expected a property name in double quotes/],
    ['{\n  "requests": [\n', 3, 1, /expected a value, found the end of the file/],
    ['', 1, 1, /expected a value/],
  ];
  for (const [text, line, column, message] of cases) {
    const problems = problemsOf(text);
    assert.equal(problems.length, 1);
    assert.deepEqual([problems[0].path, problems[0].line, problems[0].column], ['', line, column], text);
    assert.match(problems[0].message, message);
  }
  assert.throws(() => parseLoadTestFile('{"a":', 'bad.load.json'), /^LoadTestConfigError: bad\.load\.json:1:6: not valid JSON at line 1, column 6/);
});

test('a byte-order mark is accepted', () => {
  assert.equal(parseLoadTestFile(`\uFEFF${JSON.stringify(base())}`).requests[0].path, '/report');
});

test('locateJsonPath finds keys and elements, nested, on the right line', () => {
  const text = fixture('full.load.json');
  const lineOf = (needle: string, from = 0) => text.slice(0, text.indexOf(needle, from)).split('\n').length;
  const cases: Array<[path: string, line: number, token: string]> = [
    ['target', 3, '"target"'],
    ['target.env.PORT', 3, '"PORT"'],
    ['requests[1]', 6, '{ "name": "health", "path": "/health", "weight": 1 }'],
    ['requests[1].weight', 6, '"weight"'],
    ['scenarios[1].duration', lineOf('"ramp-up"'), '"duration"'],
    ['scenarios[3].spikeDuration', lineOf('"spikeDuration"'), '"spikeDuration"'],
    ['thresholds.http_req_failed', 17, '"http_req_failed"'],
    ['thresholds.http_req_duration[1]', 17, '"p(99)<800"'],
    ['', 1, text.trim()],
  ];
  for (const [path, line, token] of cases) {
    const at = locateJsonPath(text, path);
    assert.ok(at, path);
    assert.equal(at.line, line, path);
    assert.equal(text.slice(at.offset, at.offset + at.length), token, path);
    const lineStart = text.lastIndexOf('\n', at.offset - 1) + 1;
    assert.equal(at.column, at.offset - lineStart + 1, path);
  }
  assert.equal(locateJsonPath(text, 'scenarios[9]'), undefined);
  assert.equal(locateJsonPath(text, 'target.nothing'), undefined);
  assert.equal(locateJsonPath(text, 'target.nothing', { nearest: true })?.line, 3);
  // Duplicate keys: the last one, which JSON.parse keeps. Keys needing quotes; escapes in keys.
  const dup = '{"a": 1,\n "a": {"x-y": {"q\\"k": [0, {"z": 1}]}}}';
  assert.equal(locateJsonPath(dup, 'a')?.line, 2);
  assert.equal(locateJsonPath(dup, 'a["x-y"]["q\\"k"][1].z')?.column, 29);
  // Text that is broken after the path is still located.
  assert.equal(locateJsonPath('{\n "target": {\n  "baseUrl": 3,\n  oops', 'target.baseUrl')?.line, 3);
});

test('paths format and parse back', () => {
  const cases: Array<[segments: Array<string | number>, text: string]> = [
    [[], ''],
    [['scenarios', 1, 'duration'], 'scenarios[1].duration'],
    [['requests', 0, 'headers', 'X-Api-Key'], 'requests[0].headers["X-Api-Key"]'],
    [['$schema'], '$schema'],
    [['a b', 'c'], '["a b"].c'],
  ];
  for (const [segments, text] of cases) {
    assert.equal(formatJsonPath(segments), text);
    assert.deepEqual(parseJsonPath(text), segments);
  }
  assert.equal(parseJsonPath('.a'), undefined);
  assert.equal(parseJsonPath('a[x]'), undefined);
});

test('the schema is a valid draft-07 schema and agrees with the demo files', () => {
  const schema = JSON.parse(readFileSync(join(root, 'schemas/load-test.schema.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  ajv.addVocabulary(['patternErrorMessage', 'errorMessage', 'markdownDescription', 'defaultSnippets', 'enumDescriptions', 'markdownEnumDescriptions']);
  const validate = ajv.compile(schema);
  for (const file of ['demo/perf/report.load.json', 'demo/perf/breach.load.json', 'test/fixtures/loadtests/full.load.json']) {
    assert.ok(validate(JSON.parse(readFileSync(join(root, file), 'utf8'))), `${file}: ${ajv.errorsText(validate.errors)}`);
  }
});
