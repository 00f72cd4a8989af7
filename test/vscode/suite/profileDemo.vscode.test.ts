// The user story inside the real extension host: CodeLens over the demo's routes, profile
// GET /report through the extension (server, real demo, real load), then hover and annotations.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { demoFolder, waitFor } from './suiteHelpers';
import type { PerfLensApi } from '../../../extension/extension';
import { freePort } from '../../../server/target/freePort';

const EXTENSION_ID = 'perflens.perflens';



async function lensTitles(file: string): Promise<string[]> {
  const uri = vscode.Uri.file(file);
  await vscode.workspace.openTextDocument(uri);
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
  return lenses.map((l) => l.command?.title ?? '').filter((t) => t.includes('Profile this endpoint'));
}

suite('profiling the demo from the editor', () => {
  let api: PerfLensApi;

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<PerfLensApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
  });

  test('a "Profile this endpoint" CodeLens sits above each of the demo\'s route handlers', async () => {
    const routes = join(demoFolder(), 'src', 'routes');
    assert.deepEqual(await lensTitles(join(routes, 'report.ts')), ['$(flame) Profile this endpoint (GET /report)']);
    assert.deepEqual(await lensTitles(join(routes, 'orders.ts')), ['$(flame) Profile this endpoint (GET /customers/:customerId/orders)']);
    assert.deepEqual(await lensTitles(join(demoFolder(), 'src', 'report', 'scoreOrders.ts')), [], 'no lens over code that is not a route');
  });

  test('profiling GET /report annotates scoreOrders and answers hovers with its self and total time', async function () {
    this.timeout(120_000);
    const port = await freePort();
    const db = process.env.PERFLENS_TEST_DATABASE_URL ? `DATABASE_URL=${process.env.PERFLENS_TEST_DATABASE_URL} ` : '';
    const config = vscode.workspace.getConfiguration('perflens');
    await config.update('target.command', `env ${db}PORT=${port} node dist/server.js`, vscode.ConfigurationTarget.Global);
    await config.update('baseUrl', `http://127.0.0.1:${port}`, vscode.ConfigurationTarget.Global);
    await config.update('load.duration', '4s', vscode.ConfigurationTarget.Global);
    await config.update('load.connections', 4, vscode.ConfigurationTarget.Global);

    const routeFile = vscode.Uri.file(join(demoFolder(), 'src', 'routes', 'report.ts'));
    await vscode.commands.executeCommand('perflens.profileEndpoint', { route: { method: 'GET', path: '/report', framework: 'express' }, uri: routeFile.toString() });
    const profile = api.lastProfile();
    assert.ok(profile, 'a profile was taken');
    const top = profile.report.functions[0];
    assert.equal(top.name, 'scoreOrders');
    const hotFile = join(demoFolder(), 'src', 'report', 'scoreOrders.ts');
    assert.equal(top.file, hotFile);

    // Open the hot file: the hottest line gets its note, the function its mark.
    const document = await vscode.workspace.openTextDocument(hotFile);
    await vscode.window.showTextDocument(document);
    const text = document.getText().split('\n');
    const hotLine = text.findIndex((l) => l.includes('// HOT')) + 1;
    const declLine = text.findIndex((l) => l.includes('export function scoreOrders(')) + 1;
    const notes = await waitFor(() => {
      const applied = api.annotationsFor(document.uri);
      return applied.length ? applied : undefined;
    });
    assert.ok(notes.some((n) => n.line === hotLine && /self · \d+ % · \d+ samples/.test(n.note)), `a note on line ${hotLine}: ${JSON.stringify(notes)}`);
    assert.ok(notes.some((n) => n.line === declLine && n.note.includes('scoreOrders')), `a mark on line ${declLine}: ${JSON.stringify(notes)}`);

    const column = text[declLine - 1].indexOf('scoreOrders') + 2;
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(declLine - 1, column))) ?? [];
    const hoverText = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(hoverText, /Self time \| [\d.]+ (s|ms) \(\d+ %\)/);
    assert.match(hoverText, /Total time \| [\d.]+ (s|ms)/);
    assert.match(hoverText, /Show in flame graph/);
    assert.ok(typeof api.lastShowLatencyMs() === 'number', 'the time from load end to display was recorded (its figure is in npm run bench)');
    await vscode.commands.executeCommand('perflens.clearAnnotations');
    assert.deepEqual(await waitFor(() => (api.annotationsFor(document.uri).length === 0 ? [] : undefined)), []);
  });
});

