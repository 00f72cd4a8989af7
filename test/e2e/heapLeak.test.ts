// Find Leak as a user lives it, in real VS Code (code-server with the packaged .vsix, the demo open
// in chromium, the shared set-up of test/e2e/demoWorkbench.ts): "Find leak" clicked above GET /leak
// in demo/src/routes/leak.ts, the leak hunt's progress, the leak report with the AuditEntry group
// held through auditLog, the note after the allocating line in leak.ts and its hover; then Take Heap Snapshot
// from the palette (its warning answered, its notice's Open Summary) and the summary editor.
// Run: node scripts/test.mjs test/e2e/heapLeak.test.ts (or node scripts/build.mjs && node --import
// tsx --test test/e2e/heapLeak.test.ts; PERFLENS_E2E_VERBOSE=1: what was read).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { openFile, runCommand, screenshotOnFailure, waitForNotification } from '../vscode/browser';
import { DEMO, DemoWorkbench, lineNote, poll } from './demoWorkbench';

const LEAK_FILE = join(DEMO, 'src', 'routes', 'leak.ts');

let session: DemoWorkbench | undefined;

before(async () => {
  // A slow, steady load: each request keeps about 20 KB, and the snapshots should stay small.
  session = await DemoWorkbench.start('heap-leak', { 'perflens.load.duration': '4s', 'perflens.load.rate': 50 });
}, { timeout: 5 * 60_000 });

after(async () => {
  await session?.stop();
});

test('Find leak above GET /leak: the report names AuditEntry held by auditLog, and the allocating line carries the note', { timeout: 300_000 }, async () => {
  const page = session!.page;
  const step = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      await screenshotOnFailure(page, `heap-leak-${name}`);
      throw new Error(`step "${name}": ${(error as Error).message}`, { cause: error });
    }
  };

  await step('codelens', async () => {
    await openFile(page, 'src/routes/leak.ts', 60_000);
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Find leak' }).first();
    await lens.waitFor({ state: 'visible', timeout: 60_000 });
    await lens.click();
  });

  const progress = await step('progress', () => waitForNotification(page, /PerfLens: Find Leak in GET \/leak/, 90_000));
  if (process.env.PERFLENS_E2E_VERBOSE) console.error(`# progress: ${progress}`);

  const report = await step('report', async () => {
    const webviews = page.locator('iframe.webview.ready');
    const frame = await poll(
      async () => {
        for (let i = 0; i < (await webviews.count()); i++) {
          const f = page.frameLocator('iframe.webview.ready').nth(i).frameLocator('#active-frame');
          if (await f.locator('#heap-root[data-state="shown"]').count().catch(() => 0)) return f;
        }
        return undefined;
      },
      (f) => f !== undefined,
      240_000,
    );
    assert.ok(frame, 'the leak report opened');
    return frame as FrameLocator;
  });

  await step('audit-entry-group', async () => {
    const group = report.locator('section.group[data-name="AuditEntry"]');
    await group.waitFor({ state: 'visible', timeout: 10_000 });
    const path = await group.locator('ol.path').innerText();
    assert.match(path, /auditLog/, `the retainer path names the array that holds the entries:\n${path}`);
    assert.match(await group.locator('.figures').innerText(), /[\d,]+ AuditEntry objects/);
    const sites = await group.locator('ul.sites').innerText();
    assert.match(sites, /leak\.ts:\d+/, 'its allocating line in leak.ts is listed');
    if (process.env.PERFLENS_E2E_VERBOSE) console.error(`# AuditEntry path:\n${path}\n# allocated at: ${sites}`);
  });

  let allocatingCode = '';
  await step('allocating-line-note', async () => {
    await page.locator('.tabs-container .tab', { hasText: 'leak.ts' }).first().click();
    await page.locator('.tabs-container .tab.active', { hasText: 'leak.ts' }).waitFor({ state: 'visible', timeout: 15_000 });
    // The sampling heap profile names the handler; the server finds the line in it that constructs the class.
    const code = 'auditLog.push(new AuditEntry(';
    assert.ok(readFileSync(LEAK_FILE, 'utf8').includes(code), `leak.ts has the line "${code}"`);
    const note = await poll(() => lineNote(page, code), (n) => /AuditEntry objects/.test(n ?? ''), 30_000);
    assert.match(note ?? '', /● [\d.]+ (B|KB|MB|GB) retained · [\d,]+ AuditEntry objects( · \+[\d.]+ (B|KB|MB) per request)?/, 'the note sits after the line that constructs the AuditEntry objects');
    const found = { code, note: note! };
    if (process.env.PERFLENS_E2E_VERBOSE) console.error(`# note after "${found.code}": ${found.note}`);
    allocatingCode = found.code;
  });

  await step('hover', async () => {
    // The note comes after a long line, beyond the editor's right edge beside the report: with word
    // wrap on it wraps into view, and the mouse goes onto the element that carries it.
    await page.locator('.monaco-editor .view-line', { hasText: allocatingCode }).first().click({ position: { x: 5, y: 5 } });
    await runCommand(page, 'View: Toggle Word Wrap', 30_000);
    // Wrapped, the line is several view lines: the note is in the last; no other line has one.
    const notePoint = () => page.evaluate(() => {
      for (const line of Array.from(document.querySelectorAll<HTMLElement>('.monaco-editor .view-line'))) {
        for (const el of Array.from(line.querySelectorAll<HTMLElement>('span'))) {
          // Monaco draws it as ::after content, or as a text span of its own.
          const own = el.children.length === 0 && /AuditEntry objects/.test(el.textContent ?? '');
          if (!own && !/AuditEntry objects/.test(getComputedStyle(el, '::after').content)) continue;
          const rects = Array.from(el.getClientRects());
          const rect = rects[rects.length - 1] ?? el.getBoundingClientRect();
          return { x: rect.left + Math.min(40, rect.width / 2), y: rect.top + rect.height / 2 };
        }
      }
      return undefined;
    });
    // The lines are drawn again after the wrap.
    const point = await poll(notePoint, (p) => p !== undefined, 10_000);
    assert.ok(point, 'the note is on show');
    const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content', { hasText: 'PerfLens leak suspect' }).first();
    for (let attempt = 0; attempt < 5 && !(await hover.isVisible()); attempt++) {
      await page.mouse.move(point.x - 30, point.y + 100, { steps: 3 });
      await page.mouse.move(point.x, point.y, { steps: 10 });
      await hover.waitFor({ state: 'visible', timeout: 4_000 }).catch(() => undefined);
    }
    const text = await hover.innerText();
    assert.match(text, /AuditEntry objects allocated during the load and still alive after it/);
    assert.match(text, /auditLog → Array @\d+/, 'the retainer path, step by step');
    assert.match(text, /Open the leak report/);
    if (process.env.PERFLENS_E2E_VERBOSE) console.error(`# hover:\n${text}`);
  });
});

test('Take Heap Snapshot from the palette: the warning, the saved notice, Open Summary and its constructors', { timeout: 180_000 }, async () => {
  const page = session!.page;
  const step = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      await screenshotOnFailure(page, `heap-snapshot-${name}`);
      throw new Error(`step "${name}": ${(error as Error).message}`, { cause: error });
    }
  };

  await step('warning', async () => {
    // Into leak.ts's text, so that the palette's keys reach the workbench (not the report's webview).
    await page.locator('.tabs-container .tab', { hasText: 'leak.ts' }).first().click();
    // (on a line of code: a click in the middle of the editor could land on a CodeLens)
    await page.locator('.monaco-editor .view-line', { hasText: 'auditLog.push(new AuditEntry(' }).first().click({ position: { x: 5, y: 5 } });
    await runCommand(page, 'PerfLens: Take Heap Snapshot', 30_000);
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await dialog.innerText(), /Taking a heap snapshot pauses .* while V8 writes it .* about twice its heap in memory/);
    await dialog.locator('.monaco-button', { hasText: 'Take Snapshot' }).click();
  });

  await step('saved', async () => {
    const saved = await waitForNotification(page, /Heap snapshot saved: /, 120_000);
    assert.match(saved, /Heap snapshot saved: \.perflens\/heap\/[\w.-]+\.heapsnapshot \([\d.]+ (KB|MB)\)/);
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Heap snapshot saved' }).first();
    await toast.locator('.monaco-button', { hasText: 'Open Summary' }).click();
  });

  await step('summary', async () => {
    const webviews = page.locator('iframe.webview.ready');
    const frame = await poll(
      async () => {
        for (let i = 0; i < (await webviews.count()); i++) {
          const f = page.frameLocator('iframe.webview.ready').nth(i).frameLocator('#active-frame');
          if (await f.locator('#heap-root[data-state="summary"]').count().catch(() => 0)) return f;
        }
        return undefined;
      },
      (f) => f !== undefined,
      90_000,
    );
    assert.ok(frame, 'the summary editor drew the snapshot');
    const rows = await frame.locator('table.constructors tbody tr td:first-child').allInnerTexts();
    assert.ok(rows.length >= 10, `its constructors are listed (${rows.length})`);
    assert.ok(rows.includes('AuditEntry'), "the demo's leaked AuditEntry objects are among them");
    await page.locator('.tabs-container .tab.active', { hasText: '.heapsnapshot' }).waitFor({ state: 'visible', timeout: 10_000 });
  });
});
