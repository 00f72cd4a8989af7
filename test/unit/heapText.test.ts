import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSelectionProblem, growthText, heapErrorAdvice, leakHoverMarkdown, leakNote, objectsText, progressText, retainerLines, snapshotSavedText, snapshotWarning, stepText } from '../../extension/heap/heapText';
import { LeakLines } from '../../extension/heap/leakLines';
import { AUDIT_PATH, DEMO_LEAK_LINE, DEMO_SAMPLES_LINE, demoLeakReport, site } from './heapUiFixtures';

const KB = 1024;
const MB = 1024 * KB;

test("the note after an allocating line: retained, the objects, growth per request", () => {
  const [audit] = demoLeakReport('/w').suspects;
  assert.equal(leakNote(audit!), '● 4.1 MB retained · 12,000 AuditEntry objects · +38 KB per request');
  assert.equal(leakNote({ ...audit!, count: 1, growthPerRequest: undefined, retainedSize: 512 }), '● 512 B retained · 1 AuditEntry object');
  assert.equal(leakNote(audit!, 2), '● 4.1 MB retained · 12,000 AuditEntry objects · +38 KB per request · +2 more groups');
  assert.equal(objectsText(1_234_567, 'Session'), '1,234,567 Session objects');
  assert.equal(growthText(undefined), undefined);
  assert.equal(growthText(Number.NaN), undefined);
  assert.equal(growthText(-2 * KB), '-2 KB per request');
});

test('a retainer path, step by step from the GC root', () => {
  assert.equal(stepText(AUDIT_PATH[0]!), '(GC roots) @1');
  assert.equal(stepText(AUDIT_PATH[3]!), 'auditLog → Array @52011');
  assert.equal(stepText({ edge: 'x', edgeType: 'property', node: 'Object', nodeType: 'object', id: 0 }), 'x → Object', 'no id: none shown');
  assert.deepEqual(retainerLines(AUDIT_PATH.slice(0, 4)), ['(GC roots) @1', '↳ [4] → (Global handles) @11', '↳ context → system / Context @3041', '↳ auditLog → Array @52011']);
  assert.deepEqual(retainerLines([]), []);
});

test('the hover: the largest group, what was sampled here, its path as a code block, the others in a line each, the link to the report', () => {
  const report = demoLeakReport('/w');
  const [audit, strings] = report.suspects;
  const md = leakHoverMarkdown([audit!, strings!], audit!.allocatedAt![0], 'command:perflens.openLeakReport');
  assert.equal(
    md,
    [
      '**PerfLens leak suspect:** 12,000 AuditEntry objects allocated during the load and still alive after it, 4.1 MB retained, +38 KB per request.',
      "Allocated here: 3.8 MB sampled live (82 % of what the load's allocations left alive) in \\<anonymous\\>.",
      'Held from a GC root by:\n\n```text\n(GC roots) @1\n↳ [4] → (Global handles) @11\n↳ context → system / Context @3041\n↳ auditLog → Array @52011\n↳ elements → (object elements) @52013\n↳ [1234] → AuditEntry @90417\n```',
      'Also allocated here:\n\n- 300 (string) objects, 24 KB retained',
      '[Open the leak report](command:perflens.openLeakReport)',
    ].join('\n\n'),
  );
  assert.doesNotMatch(leakHoverMarkdown([audit!], undefined, 'command:x'), /Allocated here|Also allocated/, 'no sampled site, no other group: neither line');
});

test('the snapshot warning, the saved notice, progress and advice by error code', () => {
  const warning = snapshotWarning('node dist/server.js (PID 42)', 45 * MB);
  assert.equal(warning.message, 'Taking a heap snapshot pauses node dist/server.js (PID 42) while V8 writes it (seconds for a large heap) and may need about twice its heap in memory');
  assert.match(warning.detail, /^Its JavaScript heap holds 45 MB now\. .*Chrome DevTools/);
  assert.doesNotMatch(snapshotWarning('x').detail, /heap holds/);
  assert.equal(snapshotSavedText('.perflens/heap/a.heapsnapshot', 45 * MB), 'Heap snapshot saved: .perflens/heap/a.heapsnapshot (45 MB)');
  assert.equal(snapshotSavedText('a.heapsnapshot', 2 * KB, 1530), 'Heap snapshot saved: a.heapsnapshot (2 KB, 1.5 s)');
  assert.equal(progressText({ operation: 'summary', message: 'reading nodes', fraction: 0.424 }), 'reading nodes · 42 %');
  assert.equal(progressText({ operation: 'leak', message: 'taking snapshot 2 of 3', fraction: 1.7 }), 'taking snapshot 2 of 3 · 100 %');
  assert.equal(progressText({ operation: 'snapshot', message: 'writing' }), 'writing');
  assert.match(heapErrorAdvice('INVALID_SNAPSHOT') ?? '', /cut short/);
  assert.match(heapErrorAdvice('SNAPSHOT_TOO_LARGE') ?? '', /perflens heap summary FILE/);
  assert.match(heapErrorAdvice('SNAPSHOT_FAILED') ?? '', /free space/);
  assert.equal(heapErrorAdvice('CANCELLED'), undefined);
});

test("the allocating lines: the user's own sites only, by line, the largest group's note first", () => {
  const report = demoLeakReport('/w');
  const lines = new LeakLines(report.suspects);
  const leakFile = '/w/src/routes/leak.ts';
  assert.deepEqual(lines.linesIn(leakFile).map((l) => [l.line, l.note]), [
    [DEMO_SAMPLES_LINE, '● 4.1 MB retained · 12,000 AuditEntry objects · +38 KB per request'],
    [DEMO_LEAK_LINE, '● 4.1 MB retained · 12,000 AuditEntry objects · +38 KB per request'],
  ]);
  assert.deepEqual(lines.all().map((l) => l.file), [leakFile, leakFile], "Node's own site (node:internal/url) is not annotated");
  // Two groups at one line: the larger leads, the other is counted; a file: URL is the same file.
  const small = { ...report.suspects[1]!, retainedSize: 1000, allocatedAt: [site(`file://${leakFile}`, DEMO_LEAK_LINE)] };
  const both = new LeakLines([small, report.suspects[0]!]);
  const at = both.linesIn(leakFile).find((l) => l.line === DEMO_LEAK_LINE)!;
  assert.deepEqual(at.groups.map((g) => g.name), ['AuditEntry', '(string)']);
  assert.equal(at.note, '● 4.1 MB retained · 12,000 AuditEntry objects · +38 KB per request · +1 more group');
  assert.deepEqual(new LeakLines([{ ...report.suspects[0]!, allocatedAt: undefined }]).all(), [], 'no heap profile: nothing to annotate');
});

test('Compare Heap Snapshots takes two or three files; any other number is refused with what to select', () => {
  assert.equal(compareSelectionProblem(2), undefined);
  assert.equal(compareSelectionProblem(3), undefined);
  for (const n of [0, 1, 4]) assert.match(compareSelectionProblem(n)!, new RegExp(`two or three snapshots of one process .*not ${n}\\. Select them together`));
});
