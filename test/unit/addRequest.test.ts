import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addRequest, newLoadTest } from '../../server/loadtest/addRequest';
import { parseLoadTestFile } from '../../server/loadtest/loadTestFile';

const search = { name: 'GET /search', method: 'GET', path: '/search?q=gift', headers: {} };

test('a new file with the request is a valid load test that sends it', () => {
  const text = newLoadTest('http://127.0.0.1:3000', search);
  const file = parseLoadTestFile(text, 'x.load.json');
  assert.deepEqual(file.requests.map((r) => [r.name, r.method, r.path]), [['GET /search', 'GET', '/search?q=gift']]);
  assert.equal(file.scenarios.length, 1);
});

test('added to an existing file: the rest is kept; the same name replaces; a JSON body stays JSON', () => {
  const existing = newLoadTest('http://127.0.0.1:3000', { name: 'report', method: 'GET', path: '/report', headers: {} });
  const added = addRequest(existing, { name: 'POST /orders', method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' }, body: '{"sku":"A1","quantity":2}' });
  const file = parseLoadTestFile(added, 'x.load.json');
  assert.deepEqual(file.requests.map((r) => r.name), ['report', 'POST /orders']);
  assert.equal(file.requests[1].body, '{"sku":"A1","quantity":2}');
  assert.match(added, /"body": \{\n\s+"sku": "A1"/);
  const replaced = parseLoadTestFile(addRequest(added, { ...search, name: 'report', path: '/report?full=1' }), 'x.load.json');
  assert.deepEqual(replaced.requests.map((r) => r.path), ['/report?full=1', '/orders']);
});

test('a file that is not a load test is named, not overwritten', () => {
  assert.throws(() => addRequest('{ nope', search), /not valid JSON/);
  assert.throws(() => addRequest('[1]', search), /not a load-test object/);
  assert.throws(() => addRequest('{"requests": 3}', search), /"requests" is not an array/);
});
