// Load tests from the editor: the CodeLens on *.load.json, Run Load Test against the real demo
// (breached and passing thresholds as diagnostics), an invalid file's problems, and the report webview.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PerfLensApi } from '../../../extension/extension';

function demoFile(...path: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(folder, 'the tests run with the demo folder open');
  return vscode.Uri.file(join(folder, ...path));
}

/** 0-based line of the first line containing `text`. */
async function lineOf(uri: vscode.Uri, text: string): Promise<number> {
  const document = await vscode.workspace.openTextDocument(uri);
  const line = document.getText().split('\n').findIndex((l) => l.includes(text));
  assert.ok(line >= 0, `${text} is in ${uri.fsPath}`);
  return line;
}

const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'PerfLens');

suite('load tests (*.load.json)', () => {
  let api: PerfLensApi;

  suiteSetup(async function () {
    this.timeout(30_000);
    api = (await vscode.extensions.getExtension<PerfLensApi>('perflens.perflens')!.activate())!;
    // The demo the load files start inherits the profiler server's environment, which is the
    // extension host's: give it the suite's database, restarting a server started without it.
    const database = process.env.PERFLENS_TEST_DATABASE_URL;
    if (database && process.env.DATABASE_URL !== database) {
      process.env.DATABASE_URL = database;
      const pid = api.serverPid();
      if (pid) {
        process.kill(pid, 'SIGKILL');
        const deadline = Date.now() + 10_000;
        while (api.serverPid() !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      }
    }
  });

  test('"Run Load Test" and "Run with CPU profile" sit at the top of a load file', async () => {
    const uri = demoFile('perf', 'report.load.json');
    await vscode.workspace.openTextDocument(uri);
    const lenses = ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? []).filter((l) => l.command?.command === 'perflens.runLoadTest');
    assert.deepEqual(
      lenses.map((l) => ({ line: l.range.start.line, title: l.command!.title, profile: (l.command!.arguments?.[0] as { profile?: boolean }).profile })),
      [
        { line: 0, title: '$(play) Run Load Test', profile: false },
        { line: 0, title: '$(flame) Run with CPU profile', profile: true },
      ],
    );
  });

  test('breach.load.json: exit code 99 and an error diagnostic on the line of "p(95)<50"', async function () {
    this.timeout(120_000);
    const uri = demoFile('perf', 'breach.load.json');
    await vscode.commands.executeCommand('perflens.runLoadTest', uri);
    const run = api.lastLoadTest();
    assert.ok(run, 'the load test ran');
    assert.equal(run.report.file.endsWith('breach.load.json'), true, run.report.file);
    assert.equal(run.exitCode, 99, JSON.stringify(run.report.thresholds));
    const diagnostics = ours(uri);
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    assert.equal(diagnostics[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diagnostics[0].range.start.line, await lineOf(uri, '"p(95)<50"'));
    assert.match(diagnostics[0].message, /^threshold breached: p\(95\)<50: [\d.]+ ?ms$/);
    assert.deepEqual(api.loadTestDiagnostics(uri).map((d) => d.message), diagnostics.map((d) => d.message));
  });

  test('report.load.json: exit code 0, no diagnostics, and the report webview draws its two charts and the statement GET /report sent', async function () {
    this.timeout(120_000);
    const uri = demoFile('perf', 'report.load.json');
    await vscode.commands.executeCommand('perflens.runLoadTest', { uri: uri.toString() });
    const run = api.lastLoadTest();
    assert.ok(run && run.report.file.endsWith('report.load.json'), 'report.load.json ran');
    assert.equal(run.exitCode, 0, JSON.stringify(run.report.thresholds));
    assert.ok(run.report.perSecond.length > 5, 'a per-second series');
    assert.deepEqual(ours(uri), []);
    const state = api.loadReportState();
    assert.equal(state.open, true, 'the report panel is open');
    assert.deepEqual({ ...state.rendered, statements: undefined }, { charts: 2, title: 'perf/report.load.json', statements: undefined });
    // GET /report's one query (cached after the first request), in the PostgreSQL table.
    assert.equal(run.report.queries?.queries.length, 1, JSON.stringify(run.report.queries?.queries.map((q) => q.text)));
    assert.equal(state.rendered?.statements, 1);
  });

  test('"Run with CPU profile" writes the run\'s CPU profile, ready for the flame graph', async function () {
    this.timeout(120_000);
    const uri = demoFile('perf', 'breach.load.json');
    await vscode.commands.executeCommand('perflens.runLoadTest', { uri: uri.toString(), profile: true });
    const run = api.lastLoadTest();
    assert.ok(run?.report.profile, 'the report names its profile files');
    assert.equal(run.exitCode, 99);
    assert.ok(existsSync(run.report.profile.speedscope) && existsSync(run.report.profile.cpuprofile), JSON.stringify(run.report.profile));
    assert.equal(ours(uri).length, 1, 'the breach is marked again, once');
  });

  test('an invalid load file: one error diagnostic per problem, on its line', async function () {
    this.timeout(30_000);
    const file = join(mkdtempSync(join(tmpdir(), 'perflens-load-')), 'invalid.load.json');
    writeFileSync(
      file,
      `{
  "target": { "baseUrl": "http://127.0.0.1:1" },
  "requests": [{ "name": "x", "method": "GET", "path": "/" }],
  "scenarios": [
    { "name": "s", "type": "sustained", "rate": "fast", "duration": "1s" }
  ]
}
`,
    );
    const uri = vscode.Uri.file(file);
    const before = api.lastLoadTest();
    await vscode.commands.executeCommand('perflens.runLoadTest', uri);
    assert.equal(api.lastLoadTest(), before, 'nothing ran');
    const diagnostics = ours(uri);
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    assert.equal(diagnostics[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diagnostics[0].range.start.line, 4);
    assert.equal(diagnostics[0].range.start.character, 40);
    assert.match(diagnostics[0].message, /whole number/);

    // Fixed, the next run clears them (nothing listens there: the requests fail, but no threshold says so).
    writeFileSync(file, `{\n  "target": { "baseUrl": "http://127.0.0.1:1" },\n  "requests": [{ "name": "x", "method": "GET", "path": "/" }],\n  "scenarios": [{ "name": "s", "type": "sustained", "rate": 1, "duration": "1s" }]\n}\n`);
    await vscode.commands.executeCommand('perflens.runLoadTest', uri);
    assert.deepEqual(ours(uri), []);
  });
});
