// The CodeLens provider in the real editor, on the route fixtures of every supported framework.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { detectRoutes } from '../../../server/routes/detectRoutes';

function fixture(name: string): string {
  const demo = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(demo, 'the tests run with the demo folder open');
  return join(demo, '..', 'test', 'fixtures', 'routes', name);
}

async function lenses(file: string): Promise<Array<{ line: number; title: string }>> {
  await vscode.extensions.getExtension('perflens.perflens')?.activate();
  const uri = vscode.Uri.file(file);
  await vscode.workspace.openTextDocument(uri);
  const found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 1000)) ?? [];
  return found.filter((l) => l.command?.command === 'perflens.profileEndpoint').map((l) => ({ line: l.range.start.line, title: l.command!.title }));
}

suite('"Profile this endpoint" CodeLens, per framework', () => {
  for (const [name, framework] of [['express.ts', 'express'], ['fastify.ts', 'fastify'], ['koa.ts', 'koa'], ['nest.ts', 'nestjs'], ['hono.ts', 'hono']] as const) {
    test(`${name}: a lens above each ${framework} route, with its method and path`, async () => {
      const file = fixture(name);
      const expected = detectRoutes(file, readFileSync(file, 'utf8'));
      assert.ok(expected.length >= 3, `${name} has routes`);
      assert.ok(expected.every((r) => r.framework === framework));
      const shown = await lenses(file);
      assert.deepEqual(shown, expected.map((r) => ({ line: r.line, title: `$(flame) Profile this endpoint (${r.method} ${r.path})` })));
    });
  }

  test('no lens in code that only looks like routes (Map.get, HTTP clients, emitters)', async () => {
    assert.deepEqual(await lenses(fixture('nonRoutes.ts')), []);
  });
});
