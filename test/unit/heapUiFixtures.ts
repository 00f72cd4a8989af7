// A hand-made leak report shaped like the demo's GET /leak under load: AuditEntry objects held by
// the module-level auditLog array, allocated at DEMO_LEAK_LINE of demo/src/routes/leak.ts, plus a
// smaller group allocated in Node's own code (never annotated), and a pool that settled.
import { join } from 'node:path';
import type { AllocationSite, HeapLeakReport, LeakSuspectGroup, RetainerStep, SnapshotFacts } from '../../server/heap/heapTypes';
import type { LoadSummary } from '../../server/load/loadTypes';

/** The line of demo/src/routes/leak.ts that pushes a new AuditEntry onto auditLog. */
export const DEMO_LEAK_LINE = 28;
/** The line that allocates each entry's samples array. */
export const DEMO_SAMPLES_LINE = 25;

const KB = 1024;

export function step(edge: string, edgeType: string, node: string, nodeType: string, id: number): RetainerStep {
  return { edge, edgeType, node, nodeType, id };
}

/** (GC roots) → … → auditLog (Array) → [1234] → AuditEntry. */
export const AUDIT_PATH: RetainerStep[] = [
  step('', '', '(GC roots)', 'synthetic', 1),
  step('[4]', 'element', '(Global handles)', 'synthetic', 11),
  step('context', 'internal', 'system / Context', 'hidden', 3041),
  step('auditLog', 'context', 'Array', 'object', 52011),
  step('elements', 'internal', '(object elements)', 'array', 52013),
  step('[1234]', 'element', 'AuditEntry', 'object', 90417),
];

export function site(file: string, line: number, extra: Partial<AllocationSite> = {}): AllocationSite {
  return { functionName: '<anonymous>', file, line, column: 5, mapped: true, origin: 'own', liveBytes: 3_900 * KB, share: 0.82, ...extra };
}

export function load(requests: number): LoadSummary {
  return {
    url: 'http://127.0.0.1:3000/leak', method: 'GET', connections: 4, requests, durationMs: 5000, rps: requests / 5, stoppedEarly: false,
    latency: { p50: 2, p90: 3, p95: 4, p99: 6, max: 12, mean: 2.3 },
    errors: { total: 0, timeouts: 0, non2xx: 0, failed: 0, byStatus: {}, statusCodes: { '200': requests }, byKind: {} },
  };
}

function facts(file: string, fileSize: number): SnapshotFacts {
  return { file, fileSize, nodeCount: fileSize / 120, edgeCount: fileSize / 40, totalSize: fileSize / 3, nodeFieldCount: 6 };
}

/** The demo's leak, found: `root` is the demo folder (the allocating lines live under it). */
export function demoLeakReport(root: string, outDir = join(root, '.perflens', 'heap')): HeapLeakReport {
  const leakFile = join(root, 'src', 'routes', 'leak.ts');
  const audit: LeakSuspectGroup = {
    name: 'AuditEntry',
    count: 12_000,
    selfSize: 12_000 * 56,
    retainedSize: 4.1 * 1024 * KB,
    path: AUDIT_PATH,
    pathText: '(GC roots) → (Global handles) → system / Context → auditLog (Array) → (object elements) → [1234] → AuditEntry',
    growthPerRequest: 38 * KB,
    laterCount: 11_800,
    examples: [90417, 90419, 90421],
    allocatedAt: [site(leakFile, DEMO_LEAK_LINE), site(leakFile, DEMO_SAMPLES_LINE, { liveBytes: 600 * KB, share: 0.12 })],
  };
  const strings: LeakSuspectGroup = {
    name: '(string)',
    count: 300,
    selfSize: 24 * KB,
    retainedSize: 24 * KB,
    path: [...AUDIT_PATH, step('url', 'property', '(string)', 'string', 90500)],
    pathText: '(GC roots) → … → [1234] → AuditEntry → url → (string)',
    growthPerRequest: 0.2 * KB,
    examples: [90500],
    allocatedAt: [site('node:internal/url', 412, { origin: 'node', mapped: false, liveBytes: 20 * KB, share: 0.01 })],
  };
  const snapshots = [0, 1, 2].map((i) => join(outDir, `leak-${i + 1}.heapsnapshot`));
  return {
    version: 1,
    kind: 'heap-leak',
    snapshots: snapshots.map((file, i) => facts(file, (30 + i * 4) * 1024 * KB)),
    allocatedCount: 15_000,
    survivingCount: 12_400,
    suspects: [audit, strings],
    settled: [{ name: 'HTTPParser', count: 4, selfSize: 4 * 96, retainedSize: 1.3 * KB, path: AUDIT_PATH.slice(0, 2), pathText: '(GC roots) → (Global handles) → HTTPParser', examples: [7001] }],
    totals: { count: 12_300, retainedSize: audit.retainedSize + strings.retainedSize },
    warnings: [],
    target: 'node dist/server.js (PID 4242)',
    method: 'GET',
    url: 'http://127.0.0.1:3000/leak',
    loads: [load(110), load(112)],
    growthPerRequest: 38.2 * KB,
    files: { snapshots, heapProfile: join(outDir, 'leak.heapprofile'), speedscope: join(outDir, 'leak.heapprofile.speedscope.json') },
    allocations: audit.allocatedAt,
    headline: 'GET /leak keeps about 38 KB per request: 12,000 AuditEntry objects held by auditLog (leak.ts:28).',
  };
}
