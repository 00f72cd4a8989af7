import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport } from '../../server/analysis/buildReport';
import { formatReportTables } from '../../server/analysis/formatReport';
import type { ProfileReport } from '../../server/analysis/reportTypes';
import { fixtureModel, sampleLoad } from './profileFixtures';

function report(): ProfileReport {
  const result = buildReport({ model: fixtureModel('synthetic/basic.cpuprofile'), target: 'GET /orders', load: sampleLoad });
  result.warnings.push('source map for dist/x.js not found (looked for dist/x.js.map): showing JavaScript locations');
  return result;
}

test('header, load line, both tables and warnings', () => {
  const text = formatReportTables(report(), { cwd: '/app' });
  assert.match(text, /^CPU profile of GET \/orders$/m);
  assert.match(text, /^Duration 11\.5 ms, 11 samples, interval 1000 µs, idle 8\.7 %$/m);
  assert.match(text, /^Load GET http:\/\/127\.0\.0\.1:3000\/orders: 1234 requests, 411\.3 req\/s, latency p50 1\.2 ms, p95 3\.4 ms, p99 5\.6 ms, max 12\.0 ms; 5 failed \(2 × 500, 2 × ECONNRESET, 1 × ETIMEDOUT\)$/m);
  assert.match(text, /^Top functions by self time\n\s+self ms\s+self %\s+total ms\s+total %\s+samples\s+function\s+location$/m);
  assert.match(text, /^\s+5\.0\s+43\.5\s+5\.0\s+43\.5\s+4\s+hot\s+main\.js:10$/m);
  assert.match(text, /^\s+0\.5\s+4\.3\s+8\.5\s+73\.9\s+1\s+main\s+main\.js:1$/m);
  assert.match(text, /^\s+1\.0\s+8\.7\s+1\.0\s+8\.7\s+1\s+\(garbage collector\)$/m);
  assert.match(text, /^Top lines by self time\n\s+self ms\s+self %\s+samples\s+location\s+function$/m);
  assert.match(text, /^\s+3\.8\s+32\.6\s+3\s+main\.js:11\s+hot$/m);
  assert.match(text, /^\s+1\.0\s+8\.7\s+1\s+main\.js:20 \(approx\.\)\s+fib$/m);
  assert.match(text, /^Warnings\n {2}- 2 of the top 5 lines .*\n {2}- source map for dist\/x\.js not found/m);
  assert.ok(!text.includes('\u001b['), 'no colours');
  assert.doesNotMatch(text, / +$/m, 'no trailing spaces');
});

test('columns line up: every cell of a column starts (left) or ends (right) at the same place', () => {
  const lines = formatReportTables(report(), { cwd: '/app' }).split('\n');
  const start = lines.findIndex((l) => l === 'Top functions by self time') + 1;
  const table = lines.slice(start, lines.indexOf('', start));
  const header = table[0];
  const functionColumn = header.indexOf('function');
  const totalEnd = header.indexOf('total ms') + 'total ms'.length;
  for (const row of table.slice(2)) {
    assert.notEqual(row[functionColumn], ' ', row);
    assert.equal(row[functionColumn - 1], ' ', row);
    assert.notEqual(row[totalEnd - 1], ' ', row);
    assert.equal(row[totalEnd], ' ', row);
  }
});

test('paths outside cwd stay absolute; `top` limits rows; no load, no warnings sections', () => {
  const plain = buildReport({ model: fixtureModel('synthetic/basic.cpuprofile'), target: 'x' });
  plain.warnings = [];
  const text = formatReportTables(plain, { cwd: '/elsewhere', top: 1 });
  assert.match(text, /\/app\/main\.js:10$/m);
  assert.doesNotMatch(text, /main\.js:1$/m);
  assert.doesNotMatch(text, /^Load|^Warnings/m);
});
