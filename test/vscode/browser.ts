// Debian's chromium driven by playwright-core, and small helpers for the VS Code workbench
// (selectors checked on VS Code 1.139 inside code-server; see VSCODE.md).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { repoRoot } from '../../scripts/vscode/install';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless chromium with a fresh profile and a HOME of its own; close() removes both. */
export async function launchBrowser(options: { viewport?: { width: number; height: number } } = {}): Promise<BrowserSession> {
  const base = mkdtempSync(join(tmpdir(), 'perflens-chromium-'));
  const home = join(base, 'home');
  mkdirSync(home, { recursive: true });
  const context = await chromium.launchPersistentContext(join(base, 'profile'), {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache') },
    viewport: options.viewport ?? { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  let closed: Promise<void> | undefined;
  return {
    context,
    page,
    close: () => (closed ??= context.close().catch(() => undefined).then(() => rmSync(base, { recursive: true, force: true }))),
  };
}

/** Opens the workbench at `url` and waits until it shows. */
export async function openWorkbench(page: Page, url: string, timeoutMs = 60_000): Promise<void> {
  await page.goto(url, { timeout: timeoutMs });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Logs in to a code-server started with `auth: 'password'`, then waits for the workbench. */
export async function login(page: Page, url: string, password: string, timeoutMs = 60_000): Promise<void> {
  await page.goto(url, { timeout: timeoutMs });
  await page.locator('input[name="password"]').fill(password);
  await page.keyboard.press('Enter');
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
}

const quickInput = '.quick-input-widget';
const quickInputRow = '.quick-input-widget .quick-input-list .monaco-list-row';

/**
 * Runs a command from the palette by its title, e.g. "PerfLens: Show Log". Right after the
 * workbench opens an extension's commands may not be registered yet: retried until `timeoutMs`.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000, options: { opensQuickInput?: boolean } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator(`${quickInput} input`);
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    const row = page.locator(quickInputRow).filter({ has: page.locator('.label-name', { hasText: exactText(title) }) }).first();
    try {
      // The palette can close as soon as it opened (a webview taking the focus): then it is opened again.
      await input.fill(`>${title}`, { timeout: 5_000 });
      await row.waitFor({ state: 'visible', timeout: 2_000 });
      await row.click();
      // A command that opens a pick list of its own leaves the quick input open, showing other rows.
      if (options.opensQuickInput) await row.waitFor({ state: 'detached', timeout: 5_000 });
      else await page.locator(quickInput).waitFor({ state: 'hidden', timeout: 5_000 });
      return;
    } catch (error) {
      const seen = await page.locator(quickInputRow).allInnerTexts().catch(() => []);
      if (process.env.PERFLENS_E2E_VERBOSE) console.error(`runCommand(${title}): not yet; palette shows ${JSON.stringify(seen.slice(0, 5))}: ${(error as Error).message.split('\n')[0]}`);
      if (Date.now() > deadline) {
        await page.keyboard.press('Escape');
        throw new Error(`command "${title}" not found in the palette within ${timeoutMs} ms; it offered: ${JSON.stringify(seen.slice(0, 8))} (${(error as Error).message.split('\n')[0]})`, { cause: error });
      }
      await page.waitForTimeout(500);
    }
  }
}

/** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor tab. */
export async function openFile(page: Page, relativePath: string, timeoutMs = 30_000): Promise<void> {
  const name = relativePath.split('/').at(-1) ?? relativePath;
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator(`${quickInput} input`);
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(relativePath);
  const row = page.locator(quickInputRow).filter({ hasText: name }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Waits for a notification toast containing `text`; returns its message. */
export async function waitForNotification(page: Page, text: string | RegExp, timeoutMs = 30_000): Promise<string> {
  const message = page.locator('.notifications-toasts .notification-list-item-message', { hasText: text }).first();
  await message.waitFor({ state: 'visible', timeout: timeoutMs });
  return message.innerText();
}

/** The panel (Output, Terminal…) as a locator. */
export function panel(page: Page): Locator {
  return page.locator('.part.panel');
}

/** Waits until the Output panel shows the channel `name`; returns the text it shows. */
export async function waitForOutputChannel(page: Page, name: string, timeoutMs = 30_000): Promise<string> {
  const view = page.locator(`.part.panel .output-view[aria-label="${name} - Output"]`);
  await view.waitFor({ state: 'visible', timeout: timeoutMs });
  return view.locator('.view-lines').innerText();
}

/** Saves a full-page screenshot to test-results/<name>-<time>.png; returns its path (never throws). */
export async function screenshotOnFailure(page: Page | undefined, name: string): Promise<string | undefined> {
  if (!page || page.isClosed()) return undefined;
  const dir = join(repoRoot, 'test-results');
  const file = join(dir, `${name.replace(/[^\w.-]+/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}.png`);
  try {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: file, timeout: 10_000 });
    console.error(`screenshot: ${file}`);
    return file;
  } catch {
    return undefined;
  }
}

function exactText(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}
