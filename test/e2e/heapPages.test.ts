// The heap pages alone, in Debian's chromium: the built bundles (dist/webview/heapSummary.js and
// leakReport.js) under their own HTML and Content-Security-Policy (extension/heap/heapPage.ts),
// served over HTTP on 127.0.0.1, fed the messages the extension would post (no VS Code, no server).
// Checks what a user reads and clicks: the summary's progress, its constructors table (sorting on a
// click), largest objects and duplicated strings, a failure with its advice and Try Again; the leak
// report's groups, retainer path, allocating-line links, snapshot links and the flame graph button.
// Run: node scripts/build.mjs && node --import tsx --test test/e2e/heapPages.test.ts
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { heapPageHtml } from '../../extension/heap/heapPage';
import { ensureChromium, repoRoot } from '../../scripts/vscode/install';
import type { HeapDiff, HeapSummary } from '../../server/heap/heapTypes';
import { diffHeadline } from '../../server/heap/leakHeadline';
import type { FromLeakReport, ToLeakReport } from '../../webview/heap/leak/messages';
import type { FromHeapSummary, ToHeapSummary } from '../../webview/heap/summary/messages';
import { launchBrowser, screenshotOnFailure, type BrowserSession } from '../vscode/browser';
import { AUDIT_PATH, DEMO_LEAK_LINE, demoLeakReport } from '../unit/heapUiFixtures';

const dist = join(repoRoot, 'dist', 'webview');
const ROOT = '/work/app';
const KB = 1024;

const summary: HeapSummary = {
  version: 1,
  kind: 'heap-summary',
  snapshot: { file: `${ROOT}/a.heapsnapshot`, fileSize: 9 * KB * KB, nodeCount: 52_000, edgeCount: 210_000, totalSize: 4 * KB * KB, nodeFieldCount: 6 },
  constructors: [
    { name: 'Session', count: 12_000, selfSize: 600 * KB, retainedSize: 2_400 * KB },
    { name: '(compiled code)', count: 3_000, selfSize: 900 * KB, retainedSize: 900 * KB },
    { name: 'Array', count: 40, selfSize: 10 * KB, retainedSize: 1_200 * KB },
  ],
  largest: [{ id: 52011, name: 'Array', type: 'object', selfSize: 32, retainedSize: 2_400 * KB, path: AUDIT_PATH.slice(0, 4) }],
  duplicateStrings: [{ value: 'application/json', count: 12_000, totalSize: 384 * KB, wastedSize: 383 * KB }],
  unreachable: { count: 12, size: 480 },
  warnings: [],
};

let server: Server;
let base: string;
let browser: BrowserSession;
let page: Page;
const cspViolations: string[] = [];

before(async () => {
  for (const name of ['heapSummary.js', 'leakReport.js', 'heap.css']) if (!existsSync(join(dist, name))) throw new Error(`${join(dist, name)} is missing: run node scripts/build.mjs first`);
  await ensureChromium();
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      const script = url.searchParams.get('page') === 'leak' ? 'leakReport.js' : 'heapSummary.js';
      const html = heapPageHtml({ cspSource: base, nonce: 'testnonce', asset: (name) => `${base}/webview/${name}`, script, title: 'test', waiting: 'Starting…' })
        .replace('</head>', '<style>body { --vscode-foreground: #ccc; --vscode-editor-background: #1e1e1e; --vscode-textLink-foreground: #3794ff; --vscode-font-family: sans-serif; --vscode-font-size: 13px; }</style>\n</head>');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const name = url.pathname.replace(/^\/webview\//, '');
    const file = join(dist, name);
    if (!/^[\w.-]+$/.test(name) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': name.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser({ viewport: { width: 1000, height: 1200 } });
  page = browser.page;
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.addInitScript({ content: 'window.__sent = []; window.acquireVsCodeApi = function () { return { postMessage: function (m) { window.__sent.push(m); } }; };' });
}, { timeout: 120_000 });

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const post = (message: ToHeapSummary | ToLeakReport) => page.evaluate((m) => window.postMessage(m, '*'), message);
const sent = <M>() => page.evaluate(() => (window as unknown as { __sent: unknown[] }).__sent) as Promise<M[]>;

async function open(which: 'summary' | 'leak'): Promise<void> {
  await page.goto(`${base}/?page=${which}`);
  await page.waitForFunction(() => (window as unknown as { __sent: Array<{ type: string }> }).__sent.some((m) => m.type === 'ready'));
}

async function rendered<M extends { type: string }>(count: number): Promise<M> {
  await page.waitForFunction((n) => (window as unknown as { __sent: Array<{ type: string }> }).__sent.filter((m) => m.type === 'rendered' || m.type === 'error').length >= n, count);
  const last = (await sent<M>()).filter((m) => m.type === 'rendered' || m.type === 'error').at(-1)!;
  assert.notEqual(last.type, 'error', JSON.stringify(last));
  return last;
}

test('the summary: progress while read, then constructors (sortable), largest objects with their path, duplicated strings', { timeout: 60_000 }, async () => {
  try {
    await open('summary');
    await post({ type: 'loading', file: `${ROOT}/a.heapsnapshot`, fileSize: 9 * KB * KB });
    await post({ type: 'progress', message: 'reading nodes', fraction: 0.42 });
    await rendered(2);
    assert.match(await page.locator('#heap-root').innerText(), /a\.heapsnapshot\s+9 MB · reading the snapshot…\s+reading nodes · 42 %/);
    assert.equal(await page.locator('progress').evaluate((p: HTMLProgressElement) => p.value), 0.42);

    await post({ type: 'summary', file: `${ROOT}/a.heapsnapshot`, summary });
    const drawn = await rendered<Extract<FromHeapSummary, { type: 'rendered' }>>(3);
    assert.deepEqual(drawn, { type: 'rendered', state: 'summary', constructors: 3, largest: 1, strings: 1, names: ['Session', 'Array', '(compiled code)'] });
    const firstColumn = () => page.locator('table.constructors tbody tr td:first-child').allInnerTexts();
    await page.locator('table.constructors th', { hasText: 'Count' }).click();
    assert.deepEqual(await firstColumn(), ['Session', '(compiled code)', 'Array'], 'by count, largest first');
    await page.locator('table.constructors th', { hasText: 'Count' }).click();
    assert.deepEqual(await firstColumn(), ['Array', '(compiled code)', 'Session'], 'a second click reverses');
    await page.locator('table.constructors th', { hasText: 'Constructor' }).click();
    assert.deepEqual(await firstColumn(), ['(compiled code)', 'Array', 'Session'], 'by name, A to Z');
    assert.match(await page.locator('table.constructors tbody tr', { hasText: 'Session' }).innerText(), /Session\s+12,000\s+600 KB\s+2\.3 MB\s+59 %/);
    await page.locator('ol.largest summary').click();
    assert.match(await page.locator('ol.largest pre.path').innerText(), /^\(GC roots\) @1\n↳ \[4\] → \(Global handles\) @11\n↳ context → system \/ Context @3041\n↳ auditLog → Array @52011$/);
    assert.match(await page.locator('table.strings').innerText(), /application\/json\s+12,000\s+384 KB\s+383 KB/);
    await page.screenshot({ path: join(repoRoot, 'test-results', 'heap-summary.png'), fullPage: true }).catch(() => undefined);

    // A real heap has a hundred constructors or more: the first 30 show, the rest on a click.
    const many = Array.from({ length: 45 }, (_, i) => ({ name: `C${i}`, count: 1, selfSize: 8, retainedSize: 1000 - i }));
    await post({ type: 'summary', file: `${ROOT}/b.heapsnapshot`, summary: { ...summary, constructors: many } });
    await rendered(4);
    assert.equal(await page.locator('table.constructors tbody tr').count(), 30);
    assert.match(await page.locator('table.constructors tbody tr').first().innerText(), /C0\s+1\s+8 B\s+1000 B\s+< 0\.1 %/);
    await page.locator('button.more', { hasText: 'Show all 45' }).click();
    assert.equal(await page.locator('table.constructors tbody tr').count(), 45);
    assert.equal(await page.locator('button.more', { hasText: 'Show all 45' }).isVisible(), false);
  } catch (error) {
    await screenshotOnFailure(page, 'heap-summary');
    throw error;
  }
});

test('the summary of a file that cannot be read: the code, the message, what to do, Try Again', { timeout: 30_000 }, async () => {
  try {
    await open('summary');
    await post({ type: 'failed', file: `${ROOT}/cut.heapsnapshot`, code: 'INVALID_SNAPSHOT', message: 'the nodes section ends at byte 1048576 (the header says 52,000 nodes; 31,337 read)', advice: 'Take the snapshot again.' });
    const drawn = await rendered<Extract<FromHeapSummary, { type: 'rendered' }>>(1);
    assert.equal(drawn.code, 'INVALID_SNAPSHOT');
    assert.match(await page.locator('.failure').innerText(), /This snapshot could not be read \(INVALID_SNAPSHOT\)\s+the nodes section ends at byte 1048576.*\s+Take the snapshot again\./);
    await page.locator('button', { hasText: 'Try Again' }).click();
    assert.ok((await sent<FromHeapSummary>()).some((m) => m.type === 'retry'));
  } catch (error) {
    await screenshotOnFailure(page, 'heap-summary-failed');
    throw error;
  }
});

test('the leak report: the headline, each group with its path step by step and its allocating lines as links; snapshots; the flame graph', { timeout: 30_000 }, async () => {
  try {
    await open('leak');
    const report = demoLeakReport(ROOT);
    await post({ type: 'show', report, roots: [ROOT] });
    const drawn = await rendered<Extract<FromLeakReport, { type: 'rendered' }>>(1);
    assert.deepEqual(drawn, { type: 'rendered', groups: 2, sites: 3, steps: AUDIT_PATH.length * 2 + 1 });
    assert.equal(await page.locator('.headline').innerText(), report.headline);
    const audit = page.locator('section.group[data-name="AuditEntry"]');
    assert.deepEqual(await audit.locator('.figures span').allInnerTexts(), ['12,000 AuditEntry objects', '4.1 MB retained', '656 KB shallow', '+38 KB per request', '11,800 more over the second load']);
    assert.deepEqual(await audit.locator('ol.path li').allInnerTexts(), ['(GC roots) @1', '[4] → (Global handles) @11 · element', 'context → system / Context @3041 · internal', 'auditLog → Array @52011 · context', 'elements → (object elements) @52013 · internal', '[1234] → AuditEntry @90417 · element']);
    await audit.locator('ul.sites button.link', { hasText: `src/routes/leak.ts:${DEMO_LEAK_LINE}` }).click();
    await page.locator('ol.files button.link').nth(1).click();
    await page.locator('button', { hasText: 'Open allocations in flame graph' }).click();
    const clicks = (await sent<FromLeakReport>()).filter((m) => m.type !== 'ready' && m.type !== 'rendered');
    assert.deepEqual(clicks, [
      { type: 'openSource', file: `${ROOT}/src/routes/leak.ts`, line: DEMO_LEAK_LINE, column: 5 },
      { type: 'openSnapshot', file: report.files.snapshots[1] },
      { type: 'openFlameGraph' },
    ]);
    assert.match(await page.locator('ul.settled').innerText(), /^HTTPParser · 4 HTTPParser objects, 1\.3 KB retained · \(GC roots\) → \(Global handles\) → HTTPParser$/);
    const strings = page.locator('section.group[data-name="(string)"]');
    assert.equal(await strings.locator('ul.sites button.link').count(), 0, "Node's own line is not a link");
    assert.deepEqual(cspViolations, [], 'the pages run under their own Content-Security-Policy');
    await page.screenshot({ path: join(repoRoot, 'test-results', 'heap-leak-report.png'), fullPage: true }).catch(() => undefined);
  } catch (error) {
    await screenshotOnFailure(page, 'heap-leak-report');
    throw error;
  }
});

test('a diff of snapshot files in the same page: its own title and headline, no load or growth per request, "not known" for where objects were allocated, the snapshots as links', { timeout: 30_000 }, async () => {
  try {
    await open('leak');
    const hunt = demoLeakReport(ROOT);
    const files = hunt.files.snapshots;
    const diff: HeapDiff = {
      version: hunt.version,
      kind: 'heap-diff',
      snapshots: hunt.snapshots.map((s, i) => ({ ...s, file: files[i] })),
      allocatedCount: hunt.allocatedCount,
      survivingCount: hunt.survivingCount,
      suspects: hunt.suspects.map(({ allocatedAt: _a, growthPerRequest: _g, ...group }) => group),
      settled: hunt.settled,
      totals: hunt.totals,
      warnings: [],
    };
    await post({ type: 'show', report: diff, roots: [ROOT] });
    const drawn = await rendered<Extract<FromLeakReport, { type: 'rendered' }>>(1);
    assert.equal(drawn.groups, 2);
    assert.equal(drawn.sites, 0);
    assert.equal(await page.locator('h1').innerText(), `Heap diff: ${files.map((f) => f.split('/').pop()).join(' → ')}`);
    assert.equal(await page.locator('.headline').innerText(), diffHeadline(diff));
    assert.match(await page.locator('.headline').innerText(), /^12,000 AuditEntry objects \(4\.1 MB\) new in the second snapshot are still alive in the third, held by auditLog \(Array\)/);
    const audit = page.locator('section.group[data-name="AuditEntry"]');
    assert.deepEqual(await audit.locator('.figures span').allInnerTexts(), ['12,000 AuditEntry objects', '4.1 MB retained', '656 KB shallow', '11,800 more over the second load']);
    assert.match(await audit.innerText(), /Not known: snapshots alone do not say where objects were allocated/);
    assert.equal(await page.locator('button', { hasText: 'Open allocations in flame graph' }).count(), 0);
    assert.doesNotMatch(await page.locator('.figures').first().innerText(), /per request|load 1/);
    await page.locator('ol.files button.link').nth(2).click();
    const clicks = (await sent<FromLeakReport>()).filter((m) => m.type === 'openSnapshot');
    assert.deepEqual(clicks, [{ type: 'openSnapshot', file: files[2] }]);
    await page.screenshot({ path: join(repoRoot, 'test-results', 'heap-diff-report.png'), fullPage: true }).catch(() => undefined);
  } catch (error) {
    await screenshotOnFailure(page, 'heap-diff-report');
    throw error;
  }
});
