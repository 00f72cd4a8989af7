// The profiler server behind the extension: opening a profile file, and a server that dies
// being started again on the next action.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PerfLensApi } from '../../../extension/extension';

function profileFixture(): vscode.Uri {
  const demo = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(demo);
  return vscode.Uri.file(join(demo, '..', 'test', 'fixtures', 'profiles', 'node-cpu-prof', 'v20.20.2', 'cpuWork.cpuprofile'));
}

suite('profiler server lifecycle', () => {
  test('Open Profile File annotates from any .cpuprofile, and a killed server restarts on the next action', async function () {
    this.timeout(60_000);
    const api = (await vscode.extensions.getExtension<PerfLensApi>('perflens.perflens')!.activate())!;
    await vscode.commands.executeCommand('perflens.openProfileFile', profileFixture());
    assert.equal(api.lastProfile()?.report.functions[0].name, 'hotLoop');
    const first = api.serverPid();
    assert.ok(first, 'the server runs');

    process.kill(first, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (api.serverPid() !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(api.serverPid(), undefined, 'the extension noticed the server died');

    await vscode.commands.executeCommand('perflens.clearAnnotations');
    await vscode.commands.executeCommand('perflens.openProfileFile', profileFixture());
    const second = api.serverPid();
    assert.ok(second && second !== first, `a new server was started (${first} → ${second})`);
    assert.equal(api.lastProfile()?.report.functions[0].name, 'hotLoop');
  });
});
