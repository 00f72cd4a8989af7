// The CodeLens in real VS Code (code-server) on each real service of scripts/realServices.mjs,
// opened as the workspace folder: test/vscode/suite/realServiceLenses.vscode.test.ts, given the
// routes each service was seen to answer (the manifest). One code-server per service.
// Run: node scripts/build.mjs && node --import tsx --test test/e2e/realServiceLenses.test.ts
import { test, before } from 'node:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildVscodeTests, ensureChromium, ensureVscode, repoRoot } from '../../scripts/vscode/install';
import { runExtensionHostTests } from '../vscode/runExtensionHostTests';
import { realServices, type RealService } from '../helpers/realServices';

let services: RealService[] = [];
let extensionTestsPath = '';
before(async () => {
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run node scripts/build.mjs first');
  await ensureVscode(repoRoot);
  await ensureChromium();
  extensionTestsPath = await buildVscodeTests(repoRoot);
  services = await realServices();
});

for (const name of ['fastify-ts', 'nest-ts', 'express-js']) {
  test(`the lenses of the real ${name} service show the paths it answers`, { timeout: 5 * 60_000 }, async (t) => {
    const service = services.find((s) => s.name === name);
    if (!service) throw new Error(`scripts/realServices.mjs has no service named ${name}`);
    const expected = { name, routes: service.routes.map((r) => ({ method: r.method, paths: [r.path, ...(r.alsoAnswers ?? [])], file: r.file })) };
    const run = await runExtensionHostTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      folder: service.dir,
      env: { PERFLENS_VSCODE_TEST_GREP: 'CodeLens on the real', PERFLENS_REAL_SERVICE_LENSES: JSON.stringify(expected) },
      timeoutMs: 180_000,
    });
    t.diagnostic(`${name}: ${run.passed} passed, ${run.failed} failed in the extension host (${(run.durationMs / 1000).toFixed(1)} s)`);
    if (run.tests.length !== expected.routes.length) throw new Error(`${expected.routes.length} lens checks expected, ${run.tests.length} ran (exit ${run.exitCode}). Log:\n${run.log.slice(-8000)}`);
    const failed = run.tests.filter((r) => r.state !== 'passed');
    if (failed.length) throw new Error(failed.map((f) => `${f.fullTitle}: ${f.error ?? f.state}`).join('\n'));
  });
}
