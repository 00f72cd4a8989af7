import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointNamer } from '../../server/queries/endpointNames';

const request = (method: string, url: string) => ({ id: 1, method, url, startMs: 0 });

test('a request is named after the route that serves it, else its method and path', () => {
  const name = endpointNamer([
    { method: 'GET', path: '/customers/:customerId/orders' },
    { method: 'GET', path: '/search' },
    { method: 'POST', path: '/orders/{orderId}/pay' },
    { method: 'ALL', path: '/files/*' },
  ]);
  assert.equal(name(request('GET', '/customers/7/orders?expand=1')), 'GET /customers/:customerId/orders');
  assert.equal(name(request('get', '/search?q=gift')), 'GET /search');
  assert.equal(name(request('POST', '/orders/9/pay')), 'POST /orders/{orderId}/pay');
  assert.equal(name(request('PUT', '/files/a/b.txt')), 'ALL /files/*');
  assert.equal(name(request('POST', '/search')), 'POST /search', 'another method: not that route');
  assert.equal(name(request('GET', '/customers/7')), 'GET /customers/7', 'too short for the template');
  assert.equal(name(request('GET', '/customers/7/orders/extra')), 'GET /customers/7/orders/extra', 'too long for it');
  assert.equal(name(request('GET', '')), 'GET /');
});
