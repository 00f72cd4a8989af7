import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function runTool(script: string, args: string[]) {
  const result = spawnSync(process.execPath, [join(root, 'node_modules', script), ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('the TypeScript type-checks (project and demo)', () => {
  for (const project of ['.', 'demo']) {
    const { status, output } = runTool('typescript/bin/tsc', ['--noEmit', '-p', project]);
    assert.equal(status, 0, `tsc -p ${project} found errors:\n${output}`);
  }
});

test('the linter finds nothing', () => {
  const { status, output } = runTool('eslint/bin/eslint.js', ['.']);
  assert.equal(status, 0, `eslint found problems:\n${output}`);
});
