// PerfLens in the real VS Code workbench, as a user gets it: the packaged .vsix installed into
// code-server, the demo folder opened in chromium, commands run from the palette.
// Run: node scripts/build.mjs && node --import tsx --test test/e2e/workbench.test.ts
import { after, before, test } from 'node:test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, openWorkbench, runCommand, screenshotOnFailure, waitForOutputChannel, type BrowserSession } from '../vscode/browser';
import { installPackagedExtension, startCodeServer, type CodeServer } from '../../scripts/vscode/codeServer';
import { ensureChromium, ensureVscode, repoRoot } from '../../scripts/vscode/install';

let work: string;
let server: CodeServer;
let browser: BrowserSession;

before(async () => {
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run node scripts/build.mjs first');
  await ensureVscode(repoRoot);
  await ensureChromium();
  work = mkdtempSync(join(tmpdir(), 'perflens-workbench-'));
  const extensionsDir = await installPackagedExtension(work);
  server = await startCodeServer({ folder: join(repoRoot, 'demo'), extensionsDir });
  browser = await launchBrowser();
  await openWorkbench(browser.page, server.url);
}, { timeout: 10 * 60_000 });

after(async () => {
  await browser?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('"PerfLens: Show Log" from the palette shows the PerfLens output channel', { timeout: 120_000 }, async () => {
  try {
    await runCommand(browser.page, 'PerfLens: Show Log', 60_000);
    await waitForOutputChannel(browser.page, 'PerfLens');
  } catch (error) {
    await screenshotOnFailure(browser?.page, 'workbench-show-log');
    throw error;
  }
});
