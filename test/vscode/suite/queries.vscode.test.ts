// Database queries in the editor, from a hand-made queries section (test/unit/queryFixtures.ts)
// put up as a profile would put it: the notes at the demo's calling lines, the hover with the
// statement and its actions, the "PerfLens queries" diagnostics, the Queries view, the Explain
// view's error message, and Clear Annotations.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { demoFolder, waitFor } from './suiteHelpers';
import type { PerfLensApi } from '../../../extension/extension';
import { demoQueriesSection, noPgSection } from '../../unit/queryFixtures';


const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'PerfLens' && typeof d.code === 'string' && ['n-plus-one', 'pool-saturated', 'leaked-checkout'].includes(d.code));

suite('queries in the editor', () => {
  let api: PerfLensApi;
  let orders: vscode.Uri;
  let search: vscode.Uri;

  suiteSetup(async () => {
    api = (await vscode.extensions.getExtension<PerfLensApi>('perflens.perflens')!.activate())!;
    orders = vscode.Uri.file(join(demoFolder(), 'src', 'routes', 'orders.ts'));
    search = vscode.Uri.file(join(demoFolder(), 'src', 'routes', 'search.ts'));
  });

  test('a note at each calling line, a hover with the statement and its actions, the problems in the Problems panel', async () => {
    api.queries.show(demoQueriesSection(demoFolder()), 'fixture');
    const document = await vscode.workspace.openTextDocument(orders);
    await vscode.window.showTextDocument(document);
    const notes = await waitFor(() => (api.queries.notesFor(orders).length ? api.queries.notesFor(orders) : undefined));
    assert.deepEqual(notes.find((n) => n.line === 37)?.note, '● 1.80 ms p95 · 5,000 calls · N+1: 25 per request', JSON.stringify(notes));

    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', orders, new vscode.Position(36, 20))) ?? [];
    const hover = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(hover, /```sql\nSELECT oi\.product_id/);
    assert.match(hover, /\| N\+1 \| N\+1 on GET \/customers\/:customerId\/orders: sent 25 times per request/);
    assert.match(hover, /\[\$\(search\) Explain\]\(command:perflens\.explainQuery\?/);
    assert.match(hover, /Explain Analyze…\]\(command:perflens\.explainQueryAnalyze\?/);
    assert.match(hover, /Copy Query\]\(command:perflens\.copyQuery\?/);

    const problems = await waitFor(() => (ours(orders).length >= 2 ? ours(orders) : undefined));
    const nPlusOne = problems.find((d) => d.code === 'n-plus-one');
    assert.ok(nPlusOne, JSON.stringify(problems));
    assert.equal(nPlusOne.range.start.line, 36);
    assert.equal(nPlusOne.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(problems.find((d) => d.code === 'leaked-checkout')?.severity, vscode.DiagnosticSeverity.Information, 'a checkout released after all');
    const pool = await waitFor(() => ours(search).find((d) => d.code === 'pool-saturated'));
    assert.equal(pool.range.start.line, 16, 'on the statement that waited longest');
  });

  test('a load test\'s queries (its service stopped at its end): the hover offers Copy Query, not Explain', async () => {
    api.queries.show(demoQueriesSection(demoFolder()), 'load test', false);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(orders));
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', orders, new vscode.Position(36, 20))) ?? [];
    const hover = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(hover, /Copy Query\]\(command:perflens\.copyQuery\?/);
    assert.doesNotMatch(hover, /perflens\.explainQuery/);
  });

  test('the Queries view lists the statements by total time, the pool and the leaks', () => {
    api.queries.show(demoQueriesSection(demoFolder()), 'fixture');
    const items = api.queries.viewItems();
    assert.match(items[0].label, /^SELECT o\.id, o\.customer_id/);
    assert.equal(items[0].description, '31.20 s · 240 calls · p95 182 ms');
    assert.ok(items.some((i) => i.label === 'Pool 127.0.0.1:5432/perflens_demo (saturated)'), JSON.stringify(items));
    assert.ok(items.some((i) => i.label.startsWith('Leaked checkout: prepareDatabase db.ts:34')), JSON.stringify(items));
  });

  test('Explain shows why it could not explain (no target here), not nothing', async function () {
    this.timeout(60_000);
    api.queries.show(demoQueriesSection(demoFolder()), 'fixture');
    await vscode.commands.executeCommand('perflens.explainQuery', 'SELECT id, name FROM customers WHERE id = $1');
    const state = api.queries.explainState();
    assert.equal(state.open, true);
    assert.equal(state.rendered?.state, 'failed', JSON.stringify(state));
  });

  test('a section without pg shows its warning in the view; Clear Annotations takes the notes and the problems away', async () => {
    api.queries.show(demoQueriesSection(demoFolder()), 'fixture');
    await waitFor(() => (ours(orders).length ? true : undefined));
    await vscode.commands.executeCommand('perflens.clearAnnotations');
    assert.deepEqual(ours(orders), []);
    assert.deepEqual(api.queries.notesFor(orders), []);
    api.queries.show(noPgSection(), 'no pg');
    assert.deepEqual(api.queries.viewItems(), [{ label: 'no PostgreSQL client (pg) found in the service', description: undefined }]);
  });
});

