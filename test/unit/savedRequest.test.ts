import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkParamValue, checkQuery, missingParams, RequestStore, requestUrl, type SavedRequest } from '../../extension/requests/savedRequest';

function memento(initial: Record<string, unknown> = {}) {
  const data = new Map(Object.entries(initial));
  return { data, get: <T>(k: string) => data.get(k) as T | undefined, update: async (k: string, v: unknown) => void (v === undefined ? data.delete(k) : data.set(k, v)) };
}

const orders: SavedRequest = { method: 'GET', route: '/customers/:customerId/orders', params: { customerId: '7' }, query: '', headers: {} };

test('URLs: values filled and encoded, the query string kept, a base path prefix kept', () => {
  assert.equal(requestUrl('http://127.0.0.1:3000', orders), 'http://127.0.0.1:3000/customers/7/orders');
  assert.equal(requestUrl('http://127.0.0.1:3000/api/', { ...orders, params: { customerId: 'a b' }, query: '?limit=5' }), 'http://127.0.0.1:3000/api/customers/a%20b/orders?limit=5');
  assert.equal(requestUrl('http://127.0.0.1:3000', { ...orders, pathOverride: '/api/customers/7/orders' }), 'http://127.0.0.1:3000/api/customers/7/orders');
});

test('empty path values are refused and never count as given', () => {
  assert.match(checkParamValue('customerId', '')!, /:customerId needs a value/);
  assert.match(checkParamValue('customerId', '  ')!, /needs a value/);
  assert.match(checkParamValue('id', '7?x=1')!, /query string/);
  assert.equal(checkParamValue('id', '7'), undefined);
  assert.deepEqual(missingParams({ ...orders, params: { customerId: '' } }), ['customerId']);
  assert.deepEqual(missingParams(orders), []);
  assert.match(checkQuery('q=a b')!, /no spaces/);
  assert.match(checkQuery('=x')!, /needs a name/);
  assert.equal(checkQuery('?q=gift&limit=5'), undefined);
});

test('the store remembers per route, lists, forgets, and drops an empty value remembered by an older version', async () => {
  const state = memento({ 'params:GET /customers/:customerId/orders': { customerId: '' } });
  const store = new RequestStore(state);
  assert.deepEqual(store.get('GET', '/customers/:customerId/orders').params, {}, 'the empty legacy value is not used');
  await store.save(orders);
  await store.save({ method: 'GET', route: '/search', params: {}, query: 'q=gift', headers: {} });
  assert.deepEqual(store.all().map((r) => `${r.method} ${r.route}`), ['GET /customers/:customerId/orders', 'GET /search']);
  const copy = store.get('GET', '/search');
  copy.query = 'q=changed';
  assert.equal(store.get('GET', '/search').query, 'q=gift', 'get hands out a copy');
  await store.forget('GET', '/customers/:customerId/orders');
  assert.deepEqual(store.all().map((r) => r.route), ['/search']);
  assert.equal(state.data.has('params:GET /customers/:customerId/orders'), false);
});
