// `perflens routes` as a user runs it (build first: node scripts/build.mjs --skip-demo).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot, runCli } from '../helpers/cli';
import type { RouteListing } from '../../server/cli/routesCommand';

const workspaces = join(repoRoot, 'test', 'fixtures', 'routes', 'workspaces');

function parse(stdout: string): RouteListing {
  return JSON.parse(stdout) as RouteListing;
}

test('--json over a multi-file Express service: full paths, files relative to the folder, 1-based lines', async () => {
  const folder = join(workspaces, 'express');
  const run = await runCli(['routes', folder, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const listing = parse(run.stdout);
  assert.equal(listing.version, 1);
  assert.equal(listing.folder, folder);
  assert.deepEqual(listing.routes.find((r) => r.path === '/api/users'), { method: 'GET', path: '/api/users', file: 'src/routes/users.ts', line: 7, column: 3, framework: 'express', handlerName: 'listUsers' });
  assert.deepEqual(
    listing.routes.map((r) => `${r.method} ${r.path} ${r.file}:${r.line}${r.prefixUnknown ? ' ?' : ''}`).sort(),
    [
      'GET /api/admin/stats src/routes/admin.ts:5',
      'GET /api/users src/routes/users.ts:7',
      'GET /api/users/:id src/routes/users.ts:10',
      'GET /health src/routes/health.ts:5',
      'GET /loop src/routes/loop.ts:6 ?',
      'GET /mirror/stats src/routes/admin.ts:5',
      'GET /things src/routes/computed.ts:5 ?',
      'GET /v1/items src/routes/legacy.js:5',
      'GET /v2/ping src/routes/v2.ts:5',
      'POST /api/admin/ src/routes/admin.ts:6',
      'POST /mirror/ src/routes/admin.ts:6',
    ],
  );
});

test('FOLDER defaults to the current directory (express-generator layout)', async () => {
  const folder = join(workspaces, 'express-generator');
  const run = await runCli(['routes', '--json'], { cwd: folder });
  assert.equal(run.code, 0, run.stderr);
  const listing = parse(run.stdout);
  assert.equal(listing.folder, folder);
  assert.deepEqual(listing.routes, [
    { method: 'GET', path: '/', file: 'routes/index.js', line: 5, column: 1, framework: 'express' },
    { method: 'GET', path: '/users/', file: 'routes/users.js', line: 5, column: 1, framework: 'express' },
  ]);
});

test('the demo service: every route, as a table', async () => {
  const run = await runCli(['routes', join(repoRoot, 'demo', 'src')]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.match(lines[0], /^METHOD\s+PATH\s+FILE\s+FRAMEWORK\s+HANDLER$/);
  for (const [path, file] of [
    ['/block', 'routes/block.ts:17'],
    ['/health', 'routes/health.ts:7'],
    ['/leak', 'routes/leak.ts:24'],
    ['/customers/:customerId/orders', 'routes/orders.ts:25'],
    ['/report', 'routes/report.ts:14'],
    ['/search', 'routes/search.ts:11'],
    ['/orders/:orderId/invoice', 'routes/invoice.ts:32'],
    ['/reports/daily', 'routes/dailyReport.ts:30'],
  ]) {
    assert.ok(lines.some((l) => new RegExp(`^GET\\s+${path.replace(/[/:]/g, '\\$&')}\\s+${file.replace('.', '\\.')}\\s+express`).test(l)), `${path} in:\n${run.stdout}`);
  }
  assert.match(run.stdout, /^8 routes\.$/m);
});

test('a folder that does not exist: a clear message, exit 2', async () => {
  const run = await runCli(['routes', join(workspaces, 'no-such-folder')]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /routes: .*no-such-folder does not exist/);
  assert.equal(run.stdout, '');
});

test('--help', async () => {
  const run = await runCli(['routes', '--help']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /perflens routes \[FOLDER\] \[--json\]/);
});
