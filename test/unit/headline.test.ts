// The headline and the origin of each function (server/analysis/headline.ts, codeOrigin.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { originOf, packageOf } from '../../server/analysis/codeOrigin';
import { summarizeProfile } from '../../server/analysis/headline';
import { routeHandlerNamer } from '../../server/analysis/routeHandlerNames';
import type { FunctionCost, LineCost } from '../../server/analysis/reportTypes';
import type { LoadSummary } from '../../server/load/loadTypes';

test('origin: own code, dependencies by package (scoped, nested), Node internals, natives, V8', () => {
  assert.deepEqual(originOf('file:///app/dist/routes/a.js', '/app/src/routes/a.ts', 'a'), { origin: 'own' });
  assert.deepEqual(originOf('file:///app/node_modules/express/lib/router.js', '/app/node_modules/express/lib/router.js', 'handle'), { origin: 'dependency', package: 'express' });
  assert.deepEqual(originOf('file:///app/node_modules/@fastify/autoload/index.js', '', 'x'), { origin: 'dependency', package: '@fastify/autoload' });
  assert.equal(packageOf('/a/node_modules/x/node_modules/y/lib.js'), 'y');
  assert.deepEqual(originOf('file:///app/dist/a.js', '/app/node_modules/pg-protocol/src/parser.ts', 'parse'), { origin: 'dependency', package: 'pg-protocol' });
  assert.deepEqual(originOf('node:internal/process/task_queues', 'node:internal/process/task_queues', 'nextTick'), { origin: 'node' });
  assert.deepEqual(originOf('', '', 'writev'), { origin: 'node' });
  assert.deepEqual(originOf('', '', '(garbage collector)'), { origin: 'runtime' });
  assert.deepEqual(originOf('evalmachine.<anonymous>', '', 'x'), { origin: 'node' });
});

const fn = (name: string, selfShare: number, origin: FunctionCost['origin'], pkg?: string): FunctionCost => ({
  name, file: origin === 'own' ? `/app/src/${name}.ts` : pkg ? `/app/node_modules/${pkg}/index.js` : '', line: 3, column: 1,
  selfMs: selfShare * 1000, totalMs: selfShare * 1000, selfShare, totalShare: selfShare, samples: Math.round(selfShare * 1000), mapped: origin === 'own', origin, ...(pkg ? { package: pkg } : {}),
});
const line = (file: string, selfShare: number, origin: LineCost['origin']): LineCost => ({ file, line: 5, selfMs: selfShare * 1000, selfShare, samples: Math.round(selfShare * 1000), mapped: true, functionName: 'f', origin });

function load(over: Partial<LoadSummary> & { failed?: number; byStatus?: Record<string, number> } = {}): LoadSummary {
  const { failed = 0, byStatus = {}, ...rest } = over;
  return {
    url: 'http://127.0.0.1:3000/x', method: 'GET', connections: 10, requests: 430, durationMs: 10_000, rps: 43, stoppedEarly: false,
    latency: { p50: 40, p90: 60, p95: 70, p99: 90, max: 120, mean: 45 },
    errors: { total: 0, timeouts: 0, non2xx: failed, failed, byStatus, statusCodes: { '200': 430 - failed, ...byStatus }, byKind: {} },
    ...rest,
  };
}

test('own code leads even when a dependency or Node takes more', () => {
  const functions = [fn('writev', 0.4, 'node'), fn('stringify', 0.2, 'dependency', 'express'), fn('scoreOrders', 0.15, 'own')];
  const s = summarizeProfile({ functions, lines: [line('/app/node_modules/express/x.js', 0.2, 'dependency'), line('/app/src/scoreOrders.ts', 0.1, 'own')], durationMs: 1000, idleShare: 0.01, load: load(), cpu: { cpuMs: 9500, wallMs: 10_000 } });
  assert.equal(s.verdict, 'own-code');
  assert.equal(s.headline, 'scoreOrders (src/scoreOrders.ts:3) takes 15 % of the CPU (self time); also Node.js internals 40 %, express 20 %.');
  assert.equal(s.hottestOwnLine?.file, '/app/src/scoreOrders.ts', 'Go to Hot Line never opens a dependency');
  assert.deepEqual(s.groups.map((g) => g.name), ['Node.js internals', 'express', 'your code']);
  assert.equal(s.cpuPerRequestMs, 9500 / 430);
});

test('mostly errors: said first, by status, whatever the CPU did', () => {
  const s = summarizeProfile({ functions: [fn('handle', 0.5, 'dependency', 'express')], lines: [], durationMs: 1000, idleShare: 0, load: load({ failed: 415, byStatus: { '404': 412, '500': 3 } }) });
  assert.equal(s.verdict, 'mostly-errors');
  assert.match(s.headline, /^415 of 430 requests failed \(412 × 404, 3 × 500\): this profile shows how the service answers errors/);
});

test('saturating load with an idle event loop, or little CPU: not CPU-bound', () => {
  const functions = [fn('writev', 0.5, 'node'), fn('handler', 0.01, 'own')];
  const idle = summarizeProfile({ functions, lines: [], durationMs: 1000, idleShare: 0.26, load: load(), cpu: { cpuMs: 4300, wallMs: 10_000 } });
  assert.equal(idle.verdict, 'not-cpu-bound');
  assert.match(idle.headline, /^Not CPU-bound: its CPU was busy 43 % of the load, its event loop sat idle 26 % of it and 50 % went to socket writes \(answers to its clients, calls to its database and other services\)/);
  assert.match(idle.headline, /about 10\.0 ms of CPU against a mean latency of 45\.0 ms/);
  // Descheduled on a busy machine (busy 73 %) but never idle: CPU-bound.
  const busy = summarizeProfile({ functions: [fn('scoreOrders', 0.96, 'own')], lines: [], durationMs: 1000, idleShare: 0.016, load: load(), cpu: { cpuMs: 7300, wallMs: 10_000 } });
  assert.equal(busy.verdict, 'own-code');
  // A machine so busy that the loop is never idle: the waiting shows as socket writes instead.
  const contended = summarizeProfile({ functions: [fn('writev', 0.58, 'node'), fn('handler', 0.02, 'own')], lines: [], durationMs: 1000, idleShare: 0.13, load: load(), cpu: { cpuMs: 5800, wallMs: 10_000 } });
  assert.equal(contended.verdict, 'not-cpu-bound');
});

test('a fast endpoint the load generator could not keep busy is called fast, not "waiting on I/O"', () => {
  const fast = summarizeProfile({ functions: [fn('writev', 0.36, 'node'), fn('handler', 0.001, 'own')], lines: [], durationMs: 1000, idleShare: 0.52, load: load({ rps: 43_904.7, requests: 175_619, latency: { p50: 0.1, p90: 0.2, p95: 0.2, p99: 0.6, max: 3, mean: 0.09 } }), cpu: { cpuMs: 2640, wallMs: 4000 } });
  assert.equal(fast.verdict, 'fast');
  assert.match(fast.headline, /^Fast: 43905 req\/s at a mean latency of 0\.09 ms, and its event loop still sat idle 52 %: the load generator on this machine was the limit, not the service\./);
});

test('own code that takes little of the CPU: the headline says where the CPU goes', () => {
  const s = summarizeProfile({ functions: [fn('writev', 0.3, 'node'), fn('handle', 0.08, 'dependency', '@nestjs/core'), fn('findOne', 0.001, 'own')], lines: [], durationMs: 1000, idleShare: 0.05, load: load(), cpu: { cpuMs: 9500, wallMs: 10_000 } });
  assert.equal(s.verdict, 'own-code');
  assert.equal(s.headline, 'Your own code is cheap here: its hottest function findOne (src/findOne.ts:3) 0.1 % of the CPU (self time); the CPU goes to Node.js internals 30 %, @nestjs/core 8.0 %.');
});

test('at a fixed rate the loop idles between requests: judged per request instead', () => {
  const functions = [fn('scoreOrders', 0.4, 'own')];
  const cpuHeavy = summarizeProfile({ functions, lines: [], durationMs: 1000, idleShare: 0.6, load: load({ rate: 10, requests: 100, latency: { p50: 38, p90: 40, p95: 41, p99: 45, max: 50, mean: 39 } }), cpu: { cpuMs: 3600, wallMs: 10_000 } });
  assert.equal(cpuHeavy.verdict, 'own-code', '36 ms of CPU per 39 ms request');
  const waiting = summarizeProfile({ functions, lines: [], durationMs: 1000, idleShare: 0.9, load: load({ rate: 100, requests: 1000 }), cpu: { cpuMs: 2500, wallMs: 10_000 } });
  assert.equal(waiting.verdict, 'not-cpu-bound', '2.5 ms of CPU per 45 ms request');
});

test('no own code: the groups are named; nothing sampled: empty', () => {
  const s = summarizeProfile({ functions: [fn('handle', 0.3, 'dependency', 'fastify'), fn('writev', 0.2, 'node')], lines: [], durationMs: 1000, idleShare: 0 });
  assert.equal(s.verdict, 'no-own-code');
  assert.equal(s.headline, 'None of your own code shows up in this profile; the CPU went to fastify 30 %, Node.js internals 20 %.');
  assert.equal(summarizeProfile({ functions: [], lines: [], durationMs: 0, idleShare: 1 }).verdict, 'empty');
});

test('anonymous route handlers are named after their route', () => {
  const namer = routeHandlerNamer([
    { file: '/app/src/routes/report.ts', line: 14, method: 'GET', path: '/report' },
    { file: '/app/src/routes/users.ts', line: 3, method: 'GET', path: '/users/:id' },
    { file: '/app/src/routes/users.ts', line: 3, method: 'HEAD', path: '/users/:id' },
  ]);
  assert.equal(namer('/app/src/routes/report.ts', 14), 'GET /report');
  assert.equal(namer('/app/src/routes/users.ts', 3), 'GET|HEAD /users/:id');
  assert.equal(namer('/app/src/routes/report.ts', 15), undefined);
});
