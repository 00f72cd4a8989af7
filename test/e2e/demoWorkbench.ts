// The demo in real VS Code, as the browser stories use it: the packaged .vsix installed into
// code-server, the demo folder opened in chromium, its service launched by PerfLens on a free port
// (PERFLENS_TEST_DATABASE_URL: its PostgreSQL; without it the demo starts its own); then stopped,
// with a check that nothing it started is left. Also the helpers the stories read the workbench by.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, openWorkbench, screenshotOnFailure, type BrowserSession } from '../vscode/browser';
import { installPackagedExtension, startCodeServer, type CodeServer } from '../../scripts/vscode/codeServer';
import { ensureChromium, ensureVscode, repoRoot } from '../../scripts/vscode/install';
import { freePort } from '../../server/target/freePort';

export const DEMO = join(repoRoot, 'demo');
const PROCESS_PATTERN = /demo\/dist|code-server|chromium/;

/** One code-server with the demo open in chromium, and the port the demo service will listen on. */
export class DemoWorkbench {
  private constructor(
    readonly page: Page,
    readonly demoPort: number,
    private readonly browser: BrowserSession,
    private readonly server: CodeServer,
    private readonly work: string,
    /** Matches of PROCESS_PATTERN before this session started anything (other people's sessions). */
    private readonly pidsBefore: Set<number>,
  ) {}

  /** `name` prefixes its temporary folder and screenshots; `settings` are added to the demo's. */
  static async start(name: string, settings: Record<string, unknown> = {}): Promise<DemoWorkbench> {
    const pidsBefore = new Set(matchingProcesses().map((p) => p.pid));
    if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run node scripts/build.mjs first');
    await ensureVscode(repoRoot);
    await ensureChromium();
    const work = mkdtempSync(join(tmpdir(), `perflens-${name}-`));
    const extensionsDir = await installPackagedExtension(work);
    const demoPort = await freePort();
    const database = process.env.PERFLENS_TEST_DATABASE_URL ? ` DATABASE_URL=${process.env.PERFLENS_TEST_DATABASE_URL}` : '';
    const server = await startCodeServer({
      folder: DEMO,
      extensionsDir,
      settings: {
        'perflens.target.command': `env PORT=${demoPort}${database} node dist/server.js`,
        'perflens.baseUrl': `http://127.0.0.1:${demoPort}`,
        'perflens.load.duration': '5s',
        'perflens.load.connections': 4,
        ...settings,
      },
    });
    const browser = await launchBrowser();
    const session = new DemoWorkbench(browser.page, demoPort, browser, server, work, pidsBefore);
    try {
      await openWorkbench(browser.page, server.url);
    } catch (error) {
      await screenshotOnFailure(browser.page, `${name}-workbench`);
      await session.stop().catch(() => undefined);
      throw error;
    }
    return session;
  }

  /**
   * Stops everything, failed or not, then checks that nothing this session started is left:
   * code-server, its extension host, the profiler server, the demo service, the demo's PostgreSQL,
   * chromium.
   */
  async stop(): Promise<void> {
    // Everything this session started is a descendant of this process until its parent goes: note them
    // all before stopping anything, so that orphans (a demo whose extension host died) are still ours.
    const ours = descendants(process.pid).filter((p) => PROCESS_PATTERN.test(p.cmdline) || /postgres|dist\/server\.js/.test(p.cmdline));
    const pgDataDirs = ours.flatMap((p) => /postgres -D (\S+)/.exec(p.cmdline)?.[1] ?? []);
    // The demo service first, gracefully: it stops its embedded PostgreSQL and removes its data. It
    // then exits, or (while the profiler server holds its inspector open) hangs in "Waiting for the
    // debugger to disconnect..." until code-server and the profiler server are stopped below.
    const demo = demoProcesses(this.demoPort);
    const family = demo.flatMap((p) => descendants(p.pid));
    const stopping = Date.now();
    for (const p of demo) signal(p.pid, 'SIGTERM');
    await waitUntil(() => demo.every((p) => !alive(p)) || family.every((p) => !alive(p)), 20_000);
    if (process.env.PERFLENS_E2E_VERBOSE) {
      const state = demo.every((p) => !alive(p)) ? 'exited' : family.every((p) => !alive(p)) ? 'stopped its PostgreSQL (still running)' : 'still running with its PostgreSQL';
      console.error(`# after: demo ${demo.map((p) => p.pid).join(', ') || '(none running)'} ${state} ${Date.now() - stopping} ms after SIGTERM; its PostgreSQL: ${pgDataDirs.join(', ') || '(none)'}`);
    }
    await this.browser.close();
    await this.server.stop();
    rmSync(this.work, { recursive: true, force: true });

    await waitUntil(() => ![...ours, ...demo].some(alive), 10_000);
    const left = [...ours, ...demoProcesses(this.demoPort)].filter(alive);
    for (const p of left) signal(p.pid, 'SIGKILL');
    const others = matchingProcesses().filter((p) => !this.pidsBefore.has(p.pid));
    if (others.length && process.env.PERFLENS_E2E_VERBOSE) console.error(`# after: processes matching ${PROCESS_PATTERN} that appeared meanwhile (not started by this test):\n${others.map((p) => `#   ${p.pid} ${p.cmdline.slice(0, 160)}`).join('\n')}`);
    assert.deepEqual(left.map((p) => `${p.pid} ${p.cmdline.slice(0, 160)}`), [], 'processes this test started were still running after clean-up (now killed)');
    await waitUntil(() => pgDataDirs.every((dir) => !existsSync(dir)), 5_000);
    assert.deepEqual(pgDataDirs.filter((dir) => existsSync(dir)), [], 'the embedded PostgreSQL data folder of the demo was left behind');
  }
}

/**
 * Opens a file by a click on its row in the Explorer (already expanded by an earlier step), as a
 * user would; the keyboard may still be inside the flame graph's webview, where Quick Open's keys
 * do not reach the workbench.
 */
export async function openFromExplorer(page: Page, name: string): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${name.replace('.', '\\.')}$`) }) }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible', timeout: 30_000 });
}

/**
 * The after-line note on the editor line whose code contains `code`: the text the line shows
 * beyond its code, whether the decoration is a text span or CSS ::before/::after content. With
 * `lineNumber` (1-based), only the line the gutter shows at that number counts.
 */
export async function lineNote(page: Page, code: string, lineNumber?: number): Promise<string | undefined> {
  // No named functions in here: tsx would wrap them in a helper (__name) the page does not have.
  return page.evaluate(({ code, lineNumber }) => {
    const candidates: HTMLElement[] = [];
    for (const editor of Array.from(document.querySelectorAll<HTMLElement>('.monaco-editor'))) {
      const lines = Array.from(editor.querySelectorAll<HTMLElement>('.view-lines .view-line'));
      if (lineNumber === undefined) {
        candidates.push(...lines);
        continue;
      }
      const number = Array.from(editor.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers')).find((n) => (n.textContent ?? '').trim() === String(lineNumber));
      if (!number) continue;
      const top = Math.round(number.getBoundingClientRect().top);
      const line = lines.find((l) => Math.abs(Math.round(l.getBoundingClientRect().top) - top) <= 1);
      if (line) candidates.push(line);
    }
    for (const line of candidates) {
      const text = (line.textContent ?? '').replace(/\u00a0/g, ' ');
      if (!text.includes(code)) continue;
      const pieces = [text.slice(text.indexOf(code) + code.length)];
      for (const el of Array.from(line.querySelectorAll<HTMLElement>('span'))) {
        for (const pseudo of ['::before', '::after']) {
          const content = getComputedStyle(el, pseudo).content;
          if (content && content !== 'none' && content !== 'normal') pieces.push(content.replace(/^"|"$/g, '').replace(/\u00a0/g, ' '));
        }
      }
      return pieces.join(' ').trim();
    }
    return undefined;
  }, { code, lineNumber });
}

/** Hovers `word` in the first editor line containing `lineText` (mouse moved there in steps); returns the hover's text. */
export async function hoverWord(page: Page, lineText: string, word: string, expect: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const point = await page.evaluate(({ lineText, word }) => {
      for (const line of Array.from(document.querySelectorAll<HTMLElement>('.monaco-editor .view-line'))) {
        const text = (line.textContent ?? '').replace(/\u00a0/g, ' ');
        const start = text.indexOf(lineText);
        if (start < 0) continue;
        const at = text.indexOf(word, start);
        // Map the character offset to a text node and an offset in it.
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        let seen = 0;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const length = node.textContent?.length ?? 0;
          if (at >= seen && at + word.length <= seen + length) {
            const range = document.createRange();
            range.setStart(node, at - seen);
            range.setEnd(node, at - seen + word.length);
            const rect = range.getBoundingClientRect();
            return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
          }
          seen += length;
        }
      }
      return undefined;
    }, { lineText, word });
    if (!point) throw new Error(`no editor line shows "${lineText}"`);
    // Away first (a hover already open elsewhere closes), then onto the word in steps, as a hand would.
    await page.mouse.move(point.x + 40 * (attempt % 2 ? 1 : -1), point.y + 120, { steps: 4 });
    await page.mouse.move(point.x, point.y, { steps: 12 });
    const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content');
    try {
      await hover.filter({ hasText: expect }).first().waitFor({ state: 'visible', timeout: 5_000 });
      return (await hover.allInnerTexts()).join('\n');
    } catch {
      last = (await hover.allInnerTexts().catch(() => [])).join('\n');
    }
  }
  throw new Error(`no hover matching ${expect} over "${word}" within ${timeoutMs} ms; last hover shown: ${JSON.stringify(last)}`);
}

export async function poll<T>(get: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}


// --- processes -------------------------------------------------------------------------------

interface Proc {
  pid: number;
  /** Start time (clock ticks since boot): a PID reused later is another process. */
  start: string;
  ppid: number;
  cmdline: string;
}

function allProcesses(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      out.push({ pid: Number(entry), ppid: Number(fields[1]), start: fields[19], cmdline });
    } catch {
      // gone
    }
  }
  return out;
}

function descendants(root: number): Proc[] {
  const all = allProcesses();
  const found: Proc[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!parents.has(p.ppid) || parents.has(p.pid)) continue;
      parents.add(p.pid);
      found.push(p);
      grew = true;
    }
  }
  return found;
}

function matchingProcesses(): Proc[] {
  // `pgrep -af 'demo/dist|code-server|chromium'`, without pgrep's own line.
  try {
    const out = execFileSync('pgrep', ['-af', PROCESS_PATTERN.source], { encoding: 'utf8' });
    return out.split('\n').filter(Boolean).map((line) => {
      const [pid, ...rest] = line.split(' ');
      return { pid: Number(pid), ppid: 0, start: '', cmdline: rest.join(' ') };
    });
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** The demo service the extension launched: `node dist/server.js` in demo/ with our PORT. */
function demoProcesses(demoPort: number): Proc[] {
  if (!demoPort) return [];
  return allProcesses().filter((p) => {
    if (!/dist\/server\.js/.test(p.cmdline)) return false;
    try {
      return readlinkSync(`/proc/${p.pid}/cwd`) === DEMO && readFileSync(`/proc/${p.pid}/environ`, 'latin1').split('\0').includes(`PORT=${demoPort}`);
    } catch {
      return false;
    }
  });
}

function alive(p: Proc): boolean {
  try {
    const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] !== 'Z' && (!p.start || fields[19] === p.start);
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}
