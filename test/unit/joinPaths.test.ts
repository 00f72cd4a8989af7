// How prefixes and route paths join (server/routes/joinPaths.ts): one rule per framework for '/'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinMount, joinRoute } from '../../server/routes/joinPaths';

test('mount prefixes join with single slashes; empty and "/" add nothing', () => {
  assert.equal(joinMount('', '/api'), '/api');
  assert.equal(joinMount('/api', 'v1'), '/api/v1');
  assert.equal(joinMount('/api/', '/v1/'), '/api/v1');
  assert.equal(joinMount('/api', '/'), '/api');
  assert.equal(joinMount('/api', ''), '/api');
  assert.equal(joinMount('', '/'), '');
});

test("a route '/' under a prefix: '/users/' for Express and Fastify, '/users' for Koa and Hono", () => {
  assert.equal(joinRoute('/users', '/', 'express'), '/users/');
  assert.equal(joinRoute('/users', '/', 'fastify'), '/users/');
  assert.equal(joinRoute('/users', '/', 'koa'), '/users');
  assert.equal(joinRoute('/users', '/', 'hono'), '/users');
  assert.equal(joinRoute('', '/', 'express'), '/');
  assert.equal(joinRoute('/', '/x', 'express'), '/x');
  assert.equal(joinRoute('/api/', '/users/:id', 'koa'), '/api/users/:id');
  assert.equal(joinRoute('/files', '*', 'express'), '/files/*');
});
