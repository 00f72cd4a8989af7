// The CodeLens on a real service nobody wrote for PerfLens, opened as the workspace folder: each
// route it answers has a lens with its full path, prefixes from other files included. Defined only
// when test/e2e/realServiceLenses.test.ts runs this suite with a service's expectations.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';

interface Expected {
  name: string;
  routes: Array<{ method: string; paths: string[]; file: string }>;
}

const given = process.env.PERFLENS_REAL_SERVICE_LENSES;
if (given) {
  const service = JSON.parse(given) as Expected;
  suite(`CodeLens on the real ${service.name} service`, () => {
    for (const route of service.routes) {
      test(`${route.method} ${route.paths[0]} (${route.file}): a lens with the full path`, async () => {
        await vscode.extensions.getExtension('perflens.perflens')?.activate();
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        assert.ok(folder, 'the service is the workspace folder');
        const uri = vscode.Uri.file(join(folder, route.file));
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
        const found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 1000)) ?? [];
        const titles = found.filter((l) => l.command?.command === 'perflens.profileEndpoint').map((l) => l.command!.title);
        const wanted = route.paths.map((p) => `$(flame) Profile this endpoint (${route.method} ${p})`);
        assert.ok(titles.some((t) => wanted.includes(t)), `one of ${JSON.stringify(wanted)} among the lenses ${JSON.stringify(titles)}`);
      });
    }
  });
}
