import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkAllocations, type FindConstruction } from '../../server/heap/allocationLinks';
import { analyseHeap } from '../../server/heap/analyseHeap';
import { formatHeapDiff, formatHeapSummary } from '../../server/heap/formatHeap';
import type { AllocationSite, LeakSuspectGroup } from '../../server/heap/heapTypes';
import { diffSnapshots } from '../../server/heap/leakSuspects';
import { snapshotFacts, summarizeHeap } from '../../server/heap/summarizeHeap';
import { graphFromSpec, SESSIONS_GRAPH } from './heapFixtures';
import { BASELINE, FINAL, TARGET } from './heapLeakFixtures';

const CWD = '/work/demo';
const header = { fileSize: 3 * 2 ** 20, nodeFields: ['type', 'name', 'id', 'self_size', 'edge_count', 'detachedness'] };

function site(functionName: string, file: string, line: number, liveBytes: number, origin: AllocationSite['origin'] = 'own'): AllocationSite {
  return { functionName, file, line, column: 5, mapped: true, origin, liveBytes, share: liveBytes / 10_000 };
}

const SOURCE: Record<string, string> = {
  '/work/demo/src/routes/leak.ts:31': '    auditLog.push(new AuditEntry(req.url, details));',
  '/work/demo/src/routes/leak.ts:40': '    const e = new AuditEntryLike();',
  '/work/demo/src/server.ts:12': '  const body = JSON.parse(raw);',
};
/** The functions declared at SOURCE's keys construct what their text says, two lines below the declaration. */
const construction: FindConstruction = (site, className) => (new RegExp(`\\bnew ${className}\\(`).test(SOURCE[`${site.file}:${site.line}`] ?? '') ? { line: site.line + 2, column: 19 } : undefined);

function leakDiff() {
  const g = graphFromSpec(FINAL);
  const diff = diffSnapshots(analyseHeap(g), { baseline: BASELINE, target: TARGET }, { facts: [{ ...snapshotFacts(header, g, '/work/demo/s1.heapsnapshot') }, snapshotFacts(header, g, '/work/demo/s2.heapsnapshot'), snapshotFacts(header, g, '/tmp/s3.heapsnapshot')], requests: 10 });
  const sites = [
    site('handler', '/work/demo/src/server.ts', 12, 5000),
    site('Session', '/work/demo/src/session.ts', 8, 3000),
    site('record', '/work/demo/src/routes/leak.ts', 31, 1200),
    site('other', '/work/demo/src/routes/leak.ts', 40, 900),
    site('parse', '/work/demo/node_modules/qs/index.js', 3, 800, 'dependency'),
  ];
  linkAllocations(diff.suspects, sites, construction);
  return diff;
}

test('linkAllocations: the line in a sampled function that constructs the class, or the class\'s own constructor; else, for a dominant group only, the own code of the load', () => {
  const diff = leakDiff();
  const [audit, session] = diff.suspects;
  assert.deepEqual(audit!.allocatedAt!.map((s) => `${s.file}:${s.line}`), ['/work/demo/src/routes/leak.ts:33'], '`new AuditEntryLike(` is another class; the site moves to the construction');
  assert.equal(audit!.allocationMatch, 'class');
  assert.deepEqual(session!.allocatedAt!.map((s) => s.functionName), ['Session']);

  const unlinked = (): LeakSuspectGroup[] => structuredClone(diff.suspects).map(({ allocatedAt: _, allocationMatch: __, ...g }) => g);
  const orphan = unlinked();
  linkAllocations(orphan, [site('handler', '/work/demo/src/server.ts', 12, 5000), site('parse', '/x/node_modules/qs/index.js', 3, 800, 'dependency'), site('a', '/work/demo/a.ts', 1, 10), site('b', '/work/demo/b.ts', 1, 9), site('c', '/work/demo/c.ts', 1, 8)]);
  assert.deepEqual(orphan[0]!.allocatedAt!.map((s) => s.functionName), ['handler', 'a', 'b']);
  assert.equal(orphan[0]!.allocationMatch, 'load', 'the largest group holds most of the retained size: the load made it');
  assert.equal(orphan[1]!.allocatedAt, undefined, 'a smaller group no site constructs gets no line that did not allocate it');

  const untouched = unlinked();
  linkAllocations(untouched, []);
  assert.equal(untouched[0]!.allocatedAt, undefined);
});

test('the diff as text: the suspects table, each group\'s path and allocating lines relative to cwd, warnings', () => {
  const text = formatHeapDiff(leakDiff(), { cwd: CWD });
  assert.equal(
    text,
    [
      'Snapshots: s1.heapsnapshot (3 MB) → s2.heapsnapshot (3 MB) → /tmp/s3.heapsnapshot (3 MB)',
      'New since the first snapshot: 12 objects; still alive in the last: 10',
      '',
      'Leak suspects: 3 objects retaining 180 B',
      '  #  retained  per request  count  class       allocated at',
      '  -  --------  -----------  -----  ----------  ---------------------',
      '  1     130 B         13 B      2  AuditEntry  src/routes/leak.ts:33',
      '  2      50 B          5 B      1  Session     src/session.ts:8',
      '',
      '1. AuditEntry ×2, retaining 130 B (self 80 B) · e.g. @103 @105',
      '   held by: (GC roots) → [1] (system / Context) → auditLog (Array) → elements ((array)) → [0] → AuditEntry',
      '   allocated at:',
      '     src/routes/leak.ts:33 in record · 1.2 KB live (12%)',
      '',
      '2. Session ×1, retaining 50 B (self 50 B) · e.g. @117',
      '   held by: (GC roots) → [1] (system / Context) → sessions (Map) → table ((array)) → 3 → Session',
      '   allocated at:',
      '     src/session.ts:8 in Session · 2.9 KB live (30%)',
      '',
      'Warnings',
      '  - 1 new object is held only through weak edges (or by nothing): left out.',
      "  - 1 new object is held only by the engine's internals (code, caches, feedback): left out.",
      '  - 1 group (Parser ×1) grew over the first load but not over the second: a pool or cache that filled up, not a leak (listed under `settled`).',
    ].join('\n'),
  );
});

test('the summary as text: constructors, largest objects with paths, duplicated strings, unreachable', () => {
  const g = graphFromSpec(SESSIONS_GRAPH);
  const text = formatHeapSummary(summarizeHeap(analyseHeap(g), snapshotFacts(header, g, '/work/demo/app.heapsnapshot')), { cwd: CWD, top: 2 });
  assert.equal(
    text,
    [
      'Heap snapshot app.heapsnapshot (3 MB): 11 nodes, 13 edges, 324 B of objects',
      '',
      'Constructors by retained size',
      '  retained  self  count  constructor',
      '  --------  ----  -----  -----------',
      '     316 B  40 B      1  (system)',
      '     128 B  16 B      1  Array',
      '  … and 5 other constructors',
      '',
      'Largest objects',
      '  retained  self  object       retainer path',
      '  --------  ----  -----------  ----------------------------------------------',
      '     316 B  40 B  (system) @5  (GC roots) → [1] → (system)',
      '     128 B  16 B  Array @7     (GC roots) → [1] ((system)) → sessions → Array',
      '',
      'No duplicated strings',
      '',
      'Unreachable from the root: 1 node, 8 B',
      '',
      'Warnings',
      '  - 1 node is unreachable from the root (DevTools attaches them to the root; they count in its retained size).',
    ].join('\n'),
  );
});
