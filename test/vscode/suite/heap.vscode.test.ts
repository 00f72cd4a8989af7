// Heap snapshots and leaks in the real editor: the commands; the "Find leak" lens above GET /leak;
// the summary editor opening a .heapsnapshot (a real one, written by a Node child process with
// v8.writeHeapSnapshot) by default and listing its constructors, and a truncated one with what is
// wrong; a leak report (test/unit/heapUiFixtures.ts, shaped like the demo's) drawn in its panel,
// its allocating lines annotated in demo/src/routes/leak.ts, and Clear Annotations.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PerfLensApi } from '../../../extension/extension';
import { DEMO_LEAK_LINE, DEMO_SAMPLES_LINE, demoLeakReport } from '../../unit/heapUiFixtures';
import { demoFolder, waitFor } from './suiteHelpers';

/** A program that keeps 200 instances of a class of its own (16 KB each) alive, then writes a snapshot of itself. */
const SNAPSHOT_PROGRAM = `
class PerfLensFixtureEntry { constructor(i) { this.i = i; this.samples = new Array(2048).fill(i + 0.5); } }
globalThis.kept = Array.from({ length: 200 }, (_, i) => new PerfLensFixtureEntry(i));
require('v8').writeHeapSnapshot(process.argv[1]);
`;

/** A program that writes three snapshots of itself (argv: their paths), keeping 3,000 more entries before each of the last two. */
const THREE_SNAPSHOTS_PROGRAM = `
const v8 = require('v8');
class PerfLensGrowingEntry { constructor(i) { this.i = i; this.text = 'entry ' + i; } }
const kept = [];
const grow = () => { for (let i = 0; i < 3000; i++) kept.push(new PerfLensGrowingEntry(i)); };
v8.writeHeapSnapshot(process.argv[1]); grow(); v8.writeHeapSnapshot(process.argv[2]); grow(); v8.writeHeapSnapshot(process.argv[3]);
`;

async function openWithDefault(uri: vscode.Uri): Promise<vscode.Tab> {
  await vscode.commands.executeCommand('vscode.open', uri);
  return waitFor(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString()));
}

suite('heap snapshots and leaks in the editor', () => {
  let api: PerfLensApi;
  let work: string;
  let leak: vscode.Uri;

  suiteSetup(async () => {
    api = (await vscode.extensions.getExtension<PerfLensApi>('perflens.perflens')!.activate())!;
    work = mkdtempSync(join(tmpdir(), 'perflens-heap-suite-'));
    leak = vscode.Uri.file(join(demoFolder(), 'src', 'routes', 'leak.ts'));
    const lines = readFileSync(leak.fsPath, 'utf8').split('\n');
    assert.match(lines[DEMO_LEAK_LINE - 1] ?? '', /auditLog\.push\(new AuditEntry\(/, `the fixture's line ${DEMO_LEAK_LINE} is where the demo keeps an AuditEntry`);
    assert.match(lines[DEMO_SAMPLES_LINE - 1] ?? '', /new Array<number>\(SAMPLES_PER_ENTRY\)/);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(work, { recursive: true, force: true });
  });

  teardown(async () => {
    await vscode.commands.executeCommand('perflens.clearAnnotations');
  });

  test('the commands are registered and *.heapsnapshot files have PerfLens as their default editor', async () => {
    const commands = new Set(await vscode.commands.getCommands(true));
    for (const command of ['perflens.takeHeapSnapshot', 'perflens.findLeak', 'perflens.compareHeapSnapshots', 'perflens.openLeakReport']) assert.ok(commands.has(command), `${command} is registered`);
    const manifest = vscode.extensions.getExtension('perflens.perflens')!.packageJSON as { contributes: { customEditors: Array<{ viewType: string; priority: string; selector: Array<{ filenamePattern: string }> }> } };
    assert.deepEqual(manifest.contributes.customEditors.map((e) => [e.viewType, e.priority, e.selector[0]?.filenamePattern]), [['perflens.heapSnapshot', 'default', '*.heapsnapshot']]);
  });

  test('"Find leak" sits above GET /leak, beside "Profile this endpoint", with the route', async () => {
    await vscode.workspace.openTextDocument(leak);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', leak, 1000)) ?? [];
    const find = lenses.find((l) => l.command?.command === 'perflens.findLeak');
    const profile = lenses.find((l) => l.command?.command === 'perflens.profileEndpoint');
    assert.ok(find && profile, `both lenses: ${lenses.map((l) => l.command?.title).join(', ')}`);
    assert.equal(find.command!.title, '$(search) Find leak');
    assert.equal(find.range.start.line, profile.range.start.line);
    const [args] = find.command!.arguments as Array<{ route: { method: string; path: string }; uri: string }>;
    assert.deepEqual([args!.route.method, args!.route.path, args!.uri], ['GET', '/leak', leak.toString()]);
  });

  test("a real snapshot opens in the summary editor by default, which lists its constructors, the program's own among the largest", async function () {
    this.timeout(90_000);
    const file = join(work, 'fixture.heapsnapshot');
    // The extension host's own Node (code-server's); under Electron it runs as Node with ELECTRON_RUN_AS_NODE.
    execFileSync(process.execPath, ['-e', SNAPSHOT_PROGRAM, file], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 60_000 });
    const uri = vscode.Uri.file(file);
    const tab = await openWithDefault(uri);
    assert.equal((tab.input as vscode.TabInputCustom).viewType, 'perflens.heapSnapshot');
    const state = await waitFor(() => (api.heap.summaryState(uri)?.state === 'summary' || api.heap.summaryState(uri)?.state === 'failed' ? api.heap.summaryState(uri) : undefined), 60_000);
    assert.equal(state.state, 'summary', `the summary was drawn (not ${state.code}: see the PerfLens log)`);
    assert.ok(state.constructors >= 10, `many constructors listed: ${state.constructors}`);
    assert.ok(state.largest > 0, 'the largest objects listed');
    assert.ok(state.names.includes('PerfLensFixtureEntry'), `the program's 200 entries of 16 KB are among the first constructors by retained size: ${state.names.join(', ')}`);
  });

  test('a truncated snapshot: the editor says what is wrong (INVALID_SNAPSHOT) instead of a summary', async function () {
    this.timeout(60_000);
    const whole = join(work, 'fixture.heapsnapshot');
    const file = join(work, 'truncated.heapsnapshot');
    const text = readFileSync(whole);
    writeFileSync(file, text.subarray(0, Math.floor(text.length / 2)));
    const uri = vscode.Uri.file(file);
    await openWithDefault(uri);
    const state = await waitFor(() => (api.heap.summaryState(uri)?.state === 'failed' || api.heap.summaryState(uri)?.state === 'summary' ? api.heap.summaryState(uri) : undefined), 40_000);
    assert.equal(state.state, 'failed');
    assert.equal(state.code, 'INVALID_SNAPSHOT');
  });

  test('a leak report: its panel draws the groups; the allocating lines of leak.ts get their notes; Clear Annotations takes them away', async () => {
    const report = demoLeakReport(demoFolder());
    await api.heap.showLeakReport(report, 'GET /leak');
    const panel = api.heap.leakReportState();
    assert.equal(panel.open, true);
    assert.deepEqual(panel.rendered, { groups: 2, sites: 3, steps: report.suspects[0]!.path.length + report.suspects[1]!.path.length, title: 'GET /leak' });

    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(leak), { viewColumn: vscode.ViewColumn.One });
    const notes = await waitFor(() => (api.heap.notesFor(leak).length ? api.heap.notesFor(leak) : undefined));
    const note = '● 4.1 MB retained · 12,000 AuditEntry objects · +38 KB per request';
    assert.deepEqual(notes, [{ line: DEMO_SAMPLES_LINE, note }, { line: DEMO_LEAK_LINE, note }]);

    await vscode.commands.executeCommand('perflens.clearAnnotations');
    assert.deepEqual(api.heap.notesFor(leak), []);
  });

  test('Compare Heap Snapshots: three snapshots of one process, selected in any order, diffed oldest first in the leak report panel', async function () {
    this.timeout(120_000);
    const files = ['compare-1', 'compare-2', 'compare-3'].map((name) => join(work, `${name}.heapsnapshot`));
    execFileSync(process.execPath, ['-e', THREE_SNAPSHOTS_PROGRAM, ...files], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 60_000 });
    const [first, second, third] = files.map((f) => vscode.Uri.file(f));
    await vscode.commands.executeCommand('perflens.compareHeapSnapshots', third, [third!, first!, second!]);
    const panel = api.heap.leakReportState();
    assert.equal(panel.open, true);
    assert.equal(panel.rendered?.title, 'compare-1.heapsnapshot → compare-2.heapsnapshot → compare-3.heapsnapshot');
    assert.ok((panel.rendered?.groups ?? 0) >= 1, `the entries kept between the snapshots are a suspect group: ${JSON.stringify(panel.rendered)}`);
    assert.equal(panel.rendered?.sites, 0, 'snapshots alone name no allocating line');

  });
});

