// The live vitals page alone, in Debian's chromium: the built bundle (dist/webview/vitals.js) under
// the panel's own HTML and Content-Security-Policy, served over HTTP on 127.0.0.1, fed the messages
// the extension would post (no VS Code, no service). Checks the DOM a user and the end-to-end test
// read: the waiting state, the charts' canvases, the block markers and list (a click asks to open
// the line), the diagnosis's buttons, the stall and end banners, Pause/Resume, Export,
// a reloaded page given its snapshot; and screenshots in a dark and a light theme.
// Run: node scripts/build.mjs && node --import tsx --test test/e2e/vitalsPanel.test.ts
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { vitalsPageHtml } from '../../extension/vitals/vitalsPage';
import { ensureChromium, repoRoot } from '../../scripts/vscode/install';
import type { LiveVitals } from '../../server/vitals/vitalsTypes';
import type { FromVitals, ToVitals } from '../../webview/vitals/messages';
import { VitalsStore, type WatchInfo } from '../../webview/vitals/vitalsStore';
import { launchBrowser, screenshotOnFailure, type BrowserSession } from '../vscode/browser';
import { liveBlock, sample } from '../unit/vitalsUiFixtures';

const dist = join(repoRoot, 'dist', 'webview');
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const ROOT = '/work/app';
const BLOCK_FILE = `${ROOT}/src/routes/block.ts`;
const info: WatchInfo = { target: 'node dist/server.js (PID 4242)', inspector: '127.0.0.1:43121', blockThresholdMs: 100, nameBlocks: true, status: { node: 'v20.20.2', missing: [], pauseCapture: true }, startedWallMs: T0, roots: [ROOT] };

/** A few --vscode-* variables as VS Code sets them, per theme. */
const THEMES = {
  dark: { '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1e1e1e', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-button-background': '#0e639c', '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#3a3d41', '--vscode-button-secondaryForeground': '#cccccc', '--vscode-textLink-foreground': '#3794ff', '--vscode-panel-border': 'rgba(128,128,128,0.35)', '--vscode-charts-red': '#f14c4c', '--vscode-charts-blue': '#3794ff', '--vscode-charts-green': '#89d185', '--vscode-charts-orange': '#d18616', '--vscode-charts-purple': '#b180d7', '--vscode-editorWarning-foreground': '#cca700', '--vscode-editorError-foreground': '#f14c4c', '--vscode-editorWidget-background': '#252526', '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px' },
  light: { '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#717171', '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-textLink-foreground': '#005fb8', '--vscode-panel-border': 'rgba(0,0,0,0.15)', '--vscode-charts-red': '#e51400', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-green': '#388a34', '--vscode-charts-orange': '#d18616', '--vscode-charts-purple': '#652d90', '--vscode-editorWarning-foreground': '#bf8803', '--vscode-editorError-foreground': '#e51400', '--vscode-editorWidget-background': '#f8f8f8', '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px' },
};

let server: Server;
let base: string;
let browser: BrowserSession;
let page: Page;
const cspViolations: string[] = [];

before(async () => {
  if (!existsSync(join(dist, 'vitals.js'))) throw new Error(`${join(dist, 'vitals.js')} is missing: run node scripts/build.mjs first`);
  await ensureChromium();
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      const theme = url.searchParams.get('theme') === 'light' ? 'light' : 'dark';
      const vars = Object.entries(THEMES[theme]).map(([k, v]) => `${k}: ${v};`).join(' ');
      const html = vitalsPageHtml({ cspSource: base, nonce: 'testnonce', asset: (name) => `${base}/webview/${name}` })
        .replace('</head>', `<style>body { ${vars} }</style>\n</head>`)
        .replace('<body>', `<body class="vscode-${theme}">`);
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
  browser = await launchBrowser({ viewport: { width: 900, height: 1500 } });
  page = browser.page;
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  // As text: a function here would be compiled with helpers the page does not have.
  await page.addInitScript({ content: 'window.__sent = []; window.acquireVsCodeApi = function () { return { postMessage: function (m) { window.__sent.push(m); } }; };' });
}, { timeout: 120_000 });

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const post = (message: ToVitals) => page.evaluate((m) => window.postMessage(m, '*'), message);
const sent = () => page.evaluate(() => (window as unknown as { __sent: FromVitals[] }).__sent);
const attr = (name: string) => page.locator('#vitals-root').getAttribute(name);
const live = (wallMs: number, p99 = 12, extra: Partial<LiveVitals> = {}): LiveVitals => ({
  sample: sample(wallMs, { p99, gcMinor: 2 + (wallMs / 1000) % 3 }),
  gcPauses: [],
  summary: { seconds: 1, delay: { p50: 1, p99, max: p99 }, cpu: { mean: 0.4, max: 0.4 }, gc: { totalMs: 1, count: 1, maxPerSecondMs: 1, longestMs: 1 }, memory: { heapUsedStart: 1, heapUsedEnd: 1, heapUsedMax: 1, rssStart: 1, rssEnd: 1, rssMax: 1 }, blocks: { count: 0, totalMs: 0, longestMs: 0 } },
  diagnosis: [],
  ...extra,
});

async function open(theme: 'dark' | 'light'): Promise<void> {
  await page.goto(`${base}/?theme=${theme}`);
  await page.waitForFunction(() => (window as unknown as { __sent: FromVitals[] }).__sent.some((m) => m.type === 'ready'));
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('waiting, then live: samples counted, six charts drawn, blocks marked and listed, clicks ask to open the line', { timeout: 60_000 }, async () => {
  try {
    await open('dark');
    const store = new VitalsStore();
    store.start(info, [], []);
    await post({ type: 'snapshot', snapshot: store.snapshot(), title: 'Live vitals: node dist/server.js' });
    await waitFor(async () => (await sent()).some((m) => m.type === 'rendered'), 'rendered');
    assert.equal(await attr('data-state'), 'waiting');
    assert.equal(await page.locator('#vitals-waiting').isVisible(), true);
    for (let i = 1; i <= 40; i++) await post({ type: 'update', update: { type: 'vitals', live: live(T0 + i * 1000, i % 10 === 0 ? 230 : 8 + (i % 4)) } });
    await waitFor(async () => (await attr('data-samples')) === '40', 'data-samples 40');
    assert.equal(await attr('data-state'), 'live');
    assert.equal(await page.locator('#vitals-waiting').isVisible(), false);
    for (const id of ['delay', 'util', 'gc', 'memory', 'latency', 'throughput']) assert.equal(await page.locator(`#chart-${id} canvas`).count(), 1, `#chart-${id} has its canvas`);
    assert.equal(await page.locator('#vitals-load').isVisible(), false, 'no load run yet: its charts are hidden');

    await post({ type: 'update', update: { type: 'block', block: liveBlock(BLOCK_FILE, 13, T0 + 30_000, 212) } });
    await post({ type: 'update', update: { type: 'block', block: liveBlock('', 0, T0 + 35_000, 140, { located: false, source: 'none', endpoint: undefined }) } });
    await waitFor(async () => (await page.locator('#chart-delay .block-marker').count()) === 2, 'two block markers');
    assert.equal(await page.locator('#vitals-blocks li.block').count(), 2);
    assert.match((await page.locator('#vitals-blocks li.block').first().textContent()) ?? '', /140 ms · not located/, 'newest first');
    await page.locator('#vitals-blocks li.block.located .block-open').click();
    await page.locator('#chart-delay .block-marker.located').click();
    const opens = (await sent()).filter((m) => m.type === 'open');
    assert.deepEqual(opens, [{ type: 'open', file: BLOCK_FILE, line: 13, column: 5 }, { type: 'open', file: BLOCK_FILE, line: 13, column: 5 }]);
    assert.equal(await page.locator('#chart-delay .block-marker:not(.located)').isDisabled(), true, 'a block not located opens nothing');

    for (let i = 1; i <= 10; i++) await post({ type: 'update', update: { type: 'loadTestProgress', wallMs: T0 + 30_000 + i * 1000, progress: { elapsedMs: i * 1000, totalMs: 10_000, scenario: i <= 5 ? 'ramp' : 'spike', rps: 100 * i, p99: 20 + i, errors: 0, failed: i * 2, byStatus: {}, requests: 100 * i } } });
    await waitFor(() => page.locator('#vitals-load').isVisible(), 'the load charts');
    await page.screenshot({ path: screenshotPath('vitals-panel-dark.png'), fullPage: true });
  } catch (error) {
    await screenshotOnFailure(page, 'vitals-panel-live');
    throw error;
  }
});

test('the diagnosis: each action a button that asks the extension to act (Find Leak for a growing heap)', { timeout: 30_000 }, async () => {
  try {
    await post({
      type: 'update',
      update: {
        type: 'vitals',
        live: live(T0 + 41_000, 12, {
          diagnosis: [
            { rule: 'event-loop-delay', title: 'The event loop was blocked 3 times in a minute (p99 230 ms)', detail: 'p99 over 100 ms', action: { kind: 'open-block', label: 'Open busyWait (block.ts:13)', file: BLOCK_FILE, line: 13 } },
            { rule: 'memory-growing', title: 'The heap grows 4 MB a minute', detail: 'floor growth over 1 MB/min for 3 minutes', action: { kind: 'find-leak', label: 'Find the leak' } },
          ],
        }),
      },
    });
    await waitFor(async () => (await page.locator('#vitals-diagnosis li.diagnosis').count()) === 2, 'two diagnoses');
    await page.locator('#vitals-diagnosis li[data-rule="memory-growing"] button.action').click();
    const action = (await sent()).filter((m) => m.type === 'action').pop();
    assert.deepEqual(action, { type: 'action', rule: 'memory-growing', action: { kind: 'find-leak', label: 'Find the leak' } });
    assert.equal(await page.locator('#vitals-diagnosis li[data-rule="event-loop-delay"] button.action').getAttribute('data-kind'), 'open-block');
  } catch (error) {
    await screenshotOnFailure(page, 'vitals-panel-diagnosis');
    throw error;
  }
});

test('a stall: its banner until it is over; Pause keeps counting and Resume draws what came', { timeout: 30_000 }, async () => {
  try {
    const where = liveBlock(`${ROOT}/src/x.ts`, 5, 0, 0, { function: 'spin' });
    await post({ type: 'update', update: { type: 'stall', stall: { sinceWallMs: T0 + 41_000, ms: 12_000, where, over: false } } });
    await waitFor(() => page.locator('#vitals-banner-stall').isVisible(), 'the stall banner');
    assert.match((await page.locator('#vitals-banner-stall').textContent()) ?? '', /^The service has not answered for 12 s — blocked in spin \(src\/x\.ts:5\)/);
    await post({ type: 'update', update: { type: 'stall', stall: { sinceWallMs: T0 + 41_000, ms: 12_500, over: true } } });
    await waitFor(async () => !(await page.locator('#vitals-banner-stall').isVisible()), 'the stall banner gone');

    await page.locator('#vitals-pause').click();
    assert.equal(await attr('data-paused'), 'true');
    const drawn = await attr('data-drawn-samples');
    for (let i = 42; i <= 45; i++) await post({ type: 'update', update: { type: 'vitals', live: live(T0 + i * 1000) } });
    await waitFor(async () => (await attr('data-samples')) === '45', 'data-samples 45 while paused');
    assert.equal(await attr('data-drawn-samples'), drawn, 'nothing drawn while paused');
    assert.match((await page.locator('#vitals-paused').textContent()) ?? '', /4 new samples kept/);
    await page.locator('#vitals-pause').click();
    await waitFor(async () => (await attr('data-drawn-samples')) === '45', 'drawn on resume');
  } catch (error) {
    await screenshotOnFailure(page, 'vitals-panel-stall');
    throw error;
  }
});

test('the end: a banner, the charts kept, Export still asked for', { timeout: 30_000 }, async () => {
  try {
    await post({ type: 'update', update: { type: 'ended', wallMs: T0 + 46_000, reason: 'The target went away: node dist/server.js exited with code 1' } });
    await waitFor(async () => (await attr('data-state')) === 'ended', 'data-state ended');
    assert.match((await page.locator('#vitals-banner-ended').textContent()) ?? '', /^The target went away: node dist\/server\.js exited with code 1\. The charts keep what arrived/);
    assert.equal(await page.locator('#chart-delay canvas').count(), 1);
    await page.locator('#vitals-export').click();
    assert.ok((await sent()).some((m) => m.type === 'export'));
    assert.deepEqual(cspViolations, [], 'the page runs under its own Content-Security-Policy');
    await page.screenshot({ path: screenshotPath('vitals-panel-ended.png') });
  } catch (error) {
    await screenshotOnFailure(page, 'vitals-panel-ended');
    throw error;
  }
});

test('a reloaded page (light theme) asks again and draws the snapshot it is given', { timeout: 30_000 }, async () => {
  try {
    await open('light');
    const store = new VitalsStore();
    store.start(info, Array.from({ length: 60 }, (_, i) => sample(T0 + i * 1000, { p99: i % 15 === 0 ? 180 : 6 + (i % 5), heapMb: 40 + i / 3 })), [liveBlock(BLOCK_FILE, 13, T0 + 15_000, 180)]);
    store.apply({ type: 'profilePhase', wallMs: T0 + 20_000, phase: 'profiling' });
    for (let i = 1; i <= 10; i++) store.apply({ type: 'loadProgress', wallMs: T0 + 20_000 + i * 1000, progress: { elapsedMs: i * 1000, requests: i * 400, rps: 400, p99: 30 + i, errors: 0, failed: 0, byStatus: {} } });
    store.apply({ type: 'profilePhase', wallMs: T0 + 31_000, phase: 'analysing' });
    await post({ type: 'snapshot', snapshot: store.snapshot(), title: 'Live vitals: node dist/server.js' });
    await waitFor(async () => (await attr('data-samples')) === '60', 'the snapshot drawn');
    assert.equal(await page.locator('#chart-delay .block-marker').count(), 1);
    assert.equal(await page.locator('#vitals-load').isVisible(), true);
    await page.screenshot({ path: screenshotPath('vitals-panel-light.png'), fullPage: true });
  } catch (error) {
    await screenshotOnFailure(page, 'vitals-panel-reload');
    throw error;
  }
});

function screenshotPath(name: string): string {
  const dir = join(repoRoot, 'test-results');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
