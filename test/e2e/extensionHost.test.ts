// The extension-host suite (test/vscode/suite/) in real VS Code: code-server with the extension
// under development (this repository, built by `node scripts/build.mjs`), opened on demo/.
// Each mocha test there becomes a subtest here, so node's test runner reports every one.
// Run: node scripts/build.mjs && node --import tsx --test test/e2e/extensionHost.test.ts
import { test } from 'node:test';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildVscodeTests, ensureChromium, ensureVscode, repoRoot } from '../../scripts/vscode/install';
import { runExtensionHostTests } from '../vscode/runExtensionHostTests';

test('extension host (code-server)', { timeout: 15 * 60_000 }, async (t) => {
  const extension = join(repoRoot, 'dist', 'extension.js');
  if (!existsSync(extension)) throw new Error(`${extension} is missing: run node scripts/build.mjs first`);
  await ensureVscode(repoRoot);
  await ensureChromium();
  const extensionTestsPath = await buildVscodeTests(repoRoot);

  const run = await runExtensionHostTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath,
    folder: join(repoRoot, 'demo'),
    timeoutMs: 240_000,
    // PERFLENS_VSCODE_TEST_GREP=<mocha grep> runs only the matching extension-host tests.
    ...(process.env.PERFLENS_VSCODE_TEST_GREP ? { env: { PERFLENS_VSCODE_TEST_GREP: process.env.PERFLENS_VSCODE_TEST_GREP } } : {}),
  });
  t.diagnostic(`extension host: ${run.passed} passed, ${run.failed} failed, exit ${run.exitCode}, ${(run.durationMs / 1000).toFixed(1)} s`);
  if (run.exitCode !== 0) {
    const logFile = join(repoRoot, 'test-results', 'extension-host.log');
    mkdirSync(dirname(logFile), { recursive: true });
    writeFileSync(logFile, run.log);
    t.diagnostic(`extension host log: ${logFile}`);
  }

  for (const result of run.tests) {
    await t.test(result.fullTitle, { skip: result.state === 'pending' }, (subtest) => {
      if (result.durationMs !== undefined) subtest.diagnostic(`${result.durationMs} ms in the extension host`);
      if (result.state === 'failed') throw remoteError(result.error);
    });
  }
  if (run.tests.length === 0) throw new Error(`no extension-host test ran (exit ${run.exitCode}). Log:\n${run.log.slice(-15_000)}`);
  if (run.exitCode !== 0 && run.failed === 0) throw new Error(`the extension host run ended with exit ${run.exitCode} although no test failed. Log:\n${run.log.slice(-15_000)}`);
});

/** The extension host's error, with its own stack (not this process's). */
function remoteError(text = 'failed'): Error {
  const error = new Error(text.split('\n')[0]);
  error.stack = text;
  return error;
}
