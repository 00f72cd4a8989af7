import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffHeadline, heldBy, leakHeadline } from '../../server/heap/leakHeadline';
import type { AllocationSite, LeakSuspectGroup, RetainerStep } from '../../server/heap/heapTypes';

const step = (edge: string, edgeType: string, node: string, id: number): RetainerStep => ({ edge, edgeType, node, nodeType: 'object', id });
const path: RetainerStep[] = [
  step('', '', '(GC roots)', 1),
  step('', 'internal', '(Global handles)', 3),
  step('context', 'internal', 'system / Context', 5),
  step('auditLog', 'context', 'Array', 7),
  step('elements', 'internal', '(object elements)', 9),
  step('1234', 'element', 'AuditEntry', 11),
];
const site = (file: string, line: number, origin: AllocationSite['origin']): AllocationSite => ({ functionName: 'f', file, line, column: 1, mapped: true, origin, liveBytes: 1, share: 1 });
const group: LeakSuspectGroup = { name: 'AuditEntry', count: 1200, selfSize: 1, retainedSize: 24 * 2 ** 20, path, pathText: '', examples: [11], allocatedAt: [site('/app/node_modules/express/x.js', 3, 'dependency'), site('/app/demo/src/routes/leak.ts', 24, 'own')] };

test('held by: the last named edge before the object, with the class it leads to', () => {
  assert.equal(heldBy(path), 'auditLog (Array)');
  assert.equal(heldBy([step('', '', '(GC roots)', 1), step('3', 'element', 'Session', 5)]), undefined);
});

test('the headline names the endpoint, growth per request, the top group, its holder and its own allocating line', () => {
  const input = { method: 'GET', path: '/leak', suspects: [group], growthPerRequest: 20 * 1024, requests: 1200, survivingCount: 1300, cwd: '/app' };
  assert.equal(leakHeadline(input), 'GET /leak leaks about 20 KB per request: 1,200 AuditEntry objects (24 MB) held by auditLog (Array), allocated at demo/src/routes/leak.ts:24');
  assert.match(leakHeadline({ ...input, suspects: [group, group, group] }), /\(and 2 more groups\)$/);
  assert.equal(leakHeadline({ ...input, suspects: [], growthPerRequest: 0 }), 'no growth found: nothing that GET /leak allocated during the first load (1,200 requests) was still alive after the second load');
  const pool = { ...group, name: 'HTTPParser', count: 10, retainedSize: 3400 };
  assert.equal(
    leakHeadline({ ...input, suspects: [], settled: [pool], growthPerRequest: 0 }),
    'no growth found: what GET /leak kept from the first load (1,200 requests; 10 HTTPParser: 3.3 KB) did not grow over the second load: a pool or cache that filled up, not a leak',
  );
});

test('a diff of snapshot files leads with its top group, where it was new and what holds it; none found says which snapshots it compared', () => {
  const facts = { fileSize: 1, nodeCount: 1, edgeCount: 1, totalSize: 1, nodeFieldCount: 7 };
  const three = [facts, facts, facts];
  assert.equal(diffHeadline({ snapshots: three, suspects: [group, group] }), '1,200 AuditEntry objects (24 MB) new in the second snapshot are still alive in the third, held by auditLog (Array) (and 1 more group)');
  assert.equal(diffHeadline({ snapshots: [facts, facts], suspects: [{ ...group, count: 1 }] }), '1 AuditEntry object (24 MB) new since the first snapshot is still alive in the second, held by auditLog (Array)');
  assert.equal(diffHeadline({ snapshots: [facts, facts], suspects: [] }), 'no growth found: nothing new since the first snapshot was still alive in the second (noise left out)');
  assert.equal(
    diffHeadline({ snapshots: three, suspects: [], settled: [{ ...group, name: 'HTTPParser', count: 10 }] }),
    'no growth found: what was new in the second snapshot (10 HTTPParser) did not grow again by the third: a pool or cache that filled up, not a leak',
  );
});
