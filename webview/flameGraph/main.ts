/// <reference lib="dom" />
// Runs inside the flame graph webview, before speedscope's own script: points speedscope at a
// local profile, follows VS Code's theme, and loads the profile the extension posts.
import type { FromFlameGraph, RunBar, ToFlameGraph } from './messages';

declare function acquireVsCodeApi(): { postMessage(message: FromFlameGraph): void };
interface SpeedscopeGlobal {
  loadFileFromBase64(name: string, base64: string): void;
}

const vscode = acquireVsCodeApi();
const root = document.documentElement;
try {
  window.localStorage.setItem('speedscope-color-scheme', root.dataset.theme === 'light' ? 'LIGHT' : 'DARK');
} catch {
  // No storage in this webview: speedscope then follows the system scheme.
}
// speedscope reads its start-up options from the hash: a local profile (loaded by us) and a view.
// An absolute URL: a relative one would resolve against <base href>, another origin in a webview.
history.replaceState(null, '', `${location.href.split('#')[0]}#localProfilePath=profile&view=${root.dataset.view ?? 'left-heavy'}`);

const speedscope = () => (window as unknown as { speedscope?: SpeedscopeGlobal }).speedscope;

window.addEventListener('message', (event: MessageEvent<ToFlameGraph>) => {
  const message = event.data;
  if (message?.type !== 'load') return;
  void load(message);
});

async function load(message: ToFlameGraph): Promise<void> {
  try {
    showRun(message.run);
    await until(() => speedscope() !== undefined, 10_000, 'speedscope did not start');
    // speedscope titles the page after the profile it has drawn: a profile handed to a page that
    // already shows one is drawn when the title comes back.
    document.title = '';
    speedscope()!.loadFileFromBase64(message.fileName, message.base64);
    await until(() => document.querySelector('canvas') !== null && document.title.endsWith(' - speedscope'), 10_000, 'speedscope did not draw the profile');
    const focused = message.focusFunction ? await focus(message.focusFunction) : undefined;
    vscode.postMessage({ type: 'loaded', focused });
  } catch (err) {
    vscode.postMessage({ type: 'error', message: (err as Error).message });
  }
}

/** The bar under the flame graph: the run's figures and its headline (or nothing). */
function showRun(run: RunBar | undefined): void {
  let bar = document.getElementById('perflens-run');
  if (!run) {
    bar?.remove();
    root.classList.remove('with-run');
    return;
  }
  if (!bar) {
    bar = document.createElement('div');
    bar.id = 'perflens-run';
    document.body.appendChild(bar);
  }
  bar.className = run.warn ? 'warn' : '';
  bar.replaceChildren();
  const figures = document.createElement('span');
  figures.className = 'figures';
  figures.textContent = run.figures;
  const headline = document.createElement('span');
  headline.className = 'headline';
  headline.textContent = run.headline;
  bar.title = `${run.figures}\n${run.headline}`;
  bar.append(figures, headline);
  root.classList.add('with-run');
}

/** Selects a function in the sandwich view's table by clicking its row, as a user would. */
async function focus(name: string): Promise<boolean> {
  try {
    await until(() => findRow(name) !== undefined, 5000, '');
  } catch {
    return false;
  }
  findRow(name)!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  return true;
}

function findRow(name: string): HTMLElement | undefined {
  for (const row of Array.from(document.querySelectorAll<HTMLElement>('tr'))) {
    const cells = Array.from(row.querySelectorAll('td'));
    if (cells.some((cell) => cell.textContent?.trim() === name)) return row;
  }
  return undefined;
}

function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(what));
      else setTimeout(tick, 25);
    };
    tick();
  });
}

vscode.postMessage({ type: 'ready' });
