import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerText, describeRejection } from '../../server/routes/endpointRejection';
import { suggestPaths } from '../../server/routes/suggestPaths';

const known = [
  { method: 'GET', path: '/api/articles' },
  { method: 'GET', path: '/api/articles/:slug' },
  { method: 'POST', path: '/api/articles' },
  { method: 'GET', path: '/api/customers/:customerId/orders' },
  { method: 'GET', path: '/health' },
];

test('a missing prefix: the route that ends with the requested path', () => {
  assert.deepEqual(suggestPaths('GET', '/articles', known), [{ method: 'GET', path: '/api/articles' }]);
});

test('the requested values are kept in the suggestion', () => {
  assert.deepEqual(suggestPaths('GET', '/customers/7/orders', known)[0], { method: 'GET', path: '/api/customers/7/orders' });
  assert.deepEqual(suggestPaths('GET', '/articles/how-to', known)[0], { method: 'GET', path: '/api/articles/how-to' });
});

test('a typo: routes within a few edits', () => {
  assert.deepEqual(suggestPaths('GET', '/helth', known), [{ method: 'GET', path: '/health' }]);
  assert.deepEqual(suggestPaths('GET', '/api/artcles', known)[0], { method: 'GET', path: '/api/articles' });
});

test('the right path with the wrong method: the method that answers', () => {
  assert.deepEqual(suggestPaths('DELETE', '/api/articles', known).map((s) => `${s.method} ${s.path}`), ['GET /api/articles', 'POST /api/articles']);
});

test('nothing close: no suggestion; an empty table: none', () => {
  assert.deepEqual(suggestPaths('GET', '/completely/unrelated/thing', known), []);
  assert.deepEqual(suggestPaths('GET', '/articles', []), []);
});

test('describeRejection: 404 with a suggestion, 400 with the service\'s words, 405 with Allow', () => {
  const notFound = describeRejection('GET', 'http://127.0.0.1:3000/articles', { status: 404, body: '{"error":"no route for GET /articles"}' }, known);
  assert.equal(notFound.message, 'GET /articles answered 404; did you mean /api/articles? The service said: “no route for GET /articles”.');
  assert.equal(notFound.fix, 'path');
  const bad = describeRejection('GET', 'http://127.0.0.1:3000/search', { status: 400, body: '{"error":"q is required, e.g. /search?q=gift"}' });
  assert.match(bad.message, /^GET \/search answered 400: the route wants a different request .* “q is required, e\.g\. \/search\?q=gift”\.$/);
  assert.equal(bad.fix, 'request');
  const method = describeRejection('DELETE', 'http://127.0.0.1:3000/health', { status: 405, body: '', allow: 'GET, HEAD' }, known);
  assert.match(method.message, /answered 405 \(it allows GET, HEAD\); did you mean GET \/health\?$/);
  assert.equal(answerText('<!DOCTYPE html><html>Cannot GET /x</html>'), '');
  assert.equal(answerText('{"message":["q must be a string","q should not be empty"]}'), 'q must be a string; q should not be empty');
});
