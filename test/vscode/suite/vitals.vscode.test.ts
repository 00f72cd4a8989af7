// Event-loop blocks in the editor, from a hand-made vitals section (test/unit/vitalsFixtures.ts)
// put up as a profile would put it, and from live blocks as a watch would give them: the note
// after the demo's busy loop (demo/src/routes/block.ts, DEMO_BUSY_LINE), the "PerfLens blocks" warning on that
// line with the figures, a live block counted once when the report already has it, and Clear
// Annotations. Also: the settings' defaults, and no watch (no status item) without Watch Service.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { demoFolder, waitFor } from './suiteHelpers';
import type { PerfLensApi } from '../../../extension/extension';
import { DEMO_BUSY_LINE, demoVitalsSection, liveBlock } from '../../unit/vitalsUiFixtures';


const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'PerfLens' && d.code === 'event-loop-block');

suite('event-loop blocks in the editor', () => {
  let api: PerfLensApi;
  let block: vscode.Uri;
  let health: vscode.Uri;

  suiteSetup(async () => {
    api = (await vscode.extensions.getExtension<PerfLensApi>('perflens.perflens')!.activate())!;
    block = vscode.Uri.file(join(demoFolder(), 'src', 'routes', 'block.ts'));
    const busy = (await vscode.workspace.openTextDocument(block)).lineAt(DEMO_BUSY_LINE - 1).text;
    assert.ok(busy.includes('the whole process stalls here'), `the fixture's line ${DEMO_BUSY_LINE} is the demo's busy loop: ${busy}`);
    health = vscode.Uri.file(join(demoFolder(), 'src', 'routes', 'health.ts'));
  });

  teardown(async () => {
    await vscode.commands.executeCommand('perflens.clearAnnotations');
  });

  test("a report's blocks: a note after the busy loop's line and a warning on it with the figures", async () => {
    api.vitals.showReport(demoVitalsSection(demoFolder()), 'GET /block');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(block));
    const notes = await waitFor(() => (api.vitals.notesFor(block).length ? api.vitals.notesFor(block) : undefined));
    assert.deepEqual(notes, [{ line: DEMO_BUSY_LINE, note: '● blocked the event loop 212 ms · 14× · GET /block' }]);

    const [warning, ...more] = await waitFor(() => (ours(block).length ? ours(block) : undefined));
    assert.deepEqual(more, [], 'the block that was not located has no line');
    assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(warning.range.start.line, DEMO_BUSY_LINE - 1);
    const text = (await vscode.workspace.openTextDocument(block)).lineAt(DEMO_BUSY_LINE - 1);
    assert.equal(warning.range.start.character, text.firstNonWhitespaceCharacterIndex, 'on the code of the line');
    assert.match(warning.message, /^The event loop was blocked here 14 times \(typically 212 ms, at most 480 ms, 3 s in all\), in busyWait, during GET \/block/);
    assert.deepEqual(api.vitals.diagnosticsFor(block).map((d) => d.range.start.line), [DEMO_BUSY_LINE - 1]);
  });

  test('live blocks: a new line gets its note; one the report already counted is not counted again', async () => {
    const section = demoVitalsSection(demoFolder());
    api.vitals.showReport(section, 'GET /block');
    const file = block.fsPath;
    api.vitals.liveBlock(liveBlock(file, DEMO_BUSY_LINE, section.blocks[0].atWallMs[3], 212));
    api.vitals.liveBlock(liveBlock(file, DEMO_BUSY_LINE, Date.now(), 600));
    const other = DEMO_BUSY_LINE - 3; // busyWait's first line: another line of the file
    api.vitals.liveBlock(liveBlock(file, other, Date.now() + 1, 150, { function: '<anonymous>' }));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(block));
    const notes = await waitFor(() => (api.vitals.notesFor(block).length === 2 ? api.vitals.notesFor(block) : undefined));
    assert.deepEqual(notes, [
      { line: other, note: '● blocked the event loop 150 ms · GET /block' },
      { line: DEMO_BUSY_LINE, note: '● blocked the event loop 212 ms · 15× · GET /block' },
    ]);
    const lines = await waitFor(() => (ours(block).length === 2 ? ours(block).map((d) => d.range.start.line).sort((a, b) => a - b) : undefined));
    assert.deepEqual(lines, [other - 1, DEMO_BUSY_LINE - 1]);
  });

  test('Clear Annotations takes the notes and the warnings away; a report without vitals leaves none', async () => {
    api.vitals.showReport(demoVitalsSection(demoFolder()), 'GET /block');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(block));
    await waitFor(() => (ours(block).length && api.vitals.notesFor(block).length ? true : undefined));
    await vscode.commands.executeCommand('perflens.clearAnnotations');
    assert.deepEqual(ours(block), []);
    assert.deepEqual(api.vitals.notesFor(block), []);

    api.vitals.showReport(demoVitalsSection(demoFolder()), 'GET /block');
    await waitFor(() => (ours(block).length ? true : undefined));
    api.vitals.showReport(undefined, 'a profile without vitals');
    await waitFor(() => (ours(block).length === 0 ? true : undefined));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(health));
    assert.deepEqual(api.vitals.notesFor(health), []);
  });

  test('the settings and their defaults; nothing is watched until Watch Service', async () => {
    const config = vscode.workspace.getConfiguration('perflens');
    assert.equal(config.get('vitals.blockThresholdMs'), 100);
    assert.equal(config.get('vitals.nameBlocks'), true);
    assert.equal(config.get('vitals.capture'), true);
    const commands = new Set(await vscode.commands.getCommands(true));
    assert.ok(commands.has('perflens.watchService'));
    const state = api.vitals.watchState();
    assert.equal(state.watching, false);
    assert.equal(state.panel.open, false);
    assert.equal(state.status.visible, false, 'no status item without a watch');
  });
});

