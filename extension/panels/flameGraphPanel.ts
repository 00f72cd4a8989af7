import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { FlameGraphView, FromFlameGraph, RunBar, ToFlameGraph } from '../../webview/flameGraph/messages';
import { MessageWaiter } from './messageWaiter';
import { createSidePanel } from './sideColumn';
import { makeNonce, speedscopeCsp } from './webviewHtml';

export interface FlameGraphRequest {
  /** A speedscope JSON or .cpuprofile file. */
  file: string;
  title: string;
  view?: FlameGraphView;
  focusFunction?: string;
  /** The run behind the profile: shown in a bar under the flame graph. */
  run?: RunBar;
}

/**
 * The flame graph: speedscope (from the `speedscope` package, copied into dist/speedscope) in one
 * reusable webview panel, under a nonce CSP, theme-aware. The page stays loaded between profiles:
 * a new profile is handed to the running speedscope (reloading it costs most of a second); only a
 * change of view reloads the page.
 */
export class FlameGraphPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  /** The view of the loaded page, once it said it is ready. */
  private readyView?: FlameGraphView;
  /** The profile the page shows: handed to it again if VS Code reloads the page (e.g. after a move to another group). */
  private shown?: ToFlameGraph;
  /** True while a page we set up has yet to say it is ready. */
  private settingUp = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly messages = new MessageWaiter<FromFlameGraph>('the flame graph');

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Shows the profile; resolves once speedscope has drawn it (or reports why it could not). */
  async show(request: FlameGraphRequest): Promise<FromFlameGraph> {
    const panel = this.ensurePanel();
    panel.title = `Flame graph: ${request.title}`;
    const view = request.view ?? 'left-heavy';
    const base64 = readFile(request.file).then((b) => b.toString('base64'));
    if (this.readyView !== view) {
      this.readyView = undefined;
      this.settingUp = true;
      const ready = this.messages.next((m) => m.type === 'ready');
      panel.webview.html = this.html(panel.webview, view);
      await ready.finally(() => (this.settingUp = false));
      this.readyView = view;
    }
    if (!panel.visible) panel.reveal(panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    const loaded = this.messages.next((m) => m.type === 'loaded' || m.type === 'error');
    const message: ToFlameGraph = { type: 'load', fileName: basename(request.file), base64: await base64, focusFunction: request.focusFunction, ...(request.run ? { run: request.run } : {}) };
    this.shown = message;
    await panel.webview.postMessage(message);
    const result = await loaded;
    if (result.type === 'error') this.log.error(`flame graph: ${result.message}`);
    return result;
  }

  get visible(): boolean {
    return this.panel !== undefined;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private ensurePanel(): vscode.WebviewPanel {
    if (this.panel) return this.panel;
    const panel = createSidePanel('perflens.flameGraph', 'Flame graph', {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'flame.svg');
    this.panel = panel;
    panel.webview.onDidReceiveMessage((message: FromFlameGraph) => {
      // A page that says it is ready when we did not set one up was reloaded by VS Code: give it its profile back.
      if (message.type === 'ready' && !this.settingUp && this.shown) void panel.webview.postMessage(this.shown);
      this.messages.deliver(message);
    }, undefined, this.disposables);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.readyView = undefined;
      this.shown = undefined;
      for (const d of this.disposables.splice(0)) d.dispose();
    }, undefined, this.disposables);
    return panel;
  }


  private html(webview: vscode.Webview, view: FlameGraphView): string {
    const speedscopeDir = vscode.Uri.joinPath(this.extensionUri, 'dist', 'speedscope');
    const assets = speedscopeAssets(speedscopeDir.fsPath);
    const nonce = makeNonce();
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(speedscopeDir, name)).toString();
    const bootstrap = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'flameGraph.js')).toString();
    const kind = vscode.window.activeColorTheme.kind;
    const theme = kind === vscode.ColorThemeKind.Light || kind === vscode.ColorThemeKind.HighContrastLight ? 'light' : 'dark';
    return `<!DOCTYPE html>
<html data-theme="${theme}" data-view="${view}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${speedscopeCsp(webview.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<base href="${asset('')}">
<link rel="stylesheet" href="${asset(assets.css)}">
<style>
html.with-run body { height: calc(100% - 38px); }
#perflens-run { position: fixed; left: 0; right: 0; bottom: 0; height: 38px; box-sizing: border-box; padding: 3px 8px; display: flex; flex-direction: column; justify-content: center; gap: 2px;
  font: 12px var(--vscode-font-family, sans-serif); line-height: 1.3; color: var(--vscode-foreground); background: var(--vscode-editorWidget-background, var(--vscode-editor-background)); border-top: 1px solid var(--vscode-panel-border, transparent); }
#perflens-run span { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#perflens-run .figures { font-family: var(--vscode-editor-font-family, monospace); }
#perflens-run.warn { border-top: 2px solid var(--vscode-editorWarning-foreground, #cca700); }
#perflens-run.warn .headline { color: var(--vscode-editorWarning-foreground, #cca700); font-weight: 600; }
</style>
<title>speedscope</title>
</head>
<body>
<script nonce="${nonce}" src="${bootstrap}"></script>
<script nonce="${nonce}" src="${asset(assets.js)}"></script>
</body>
</html>`;
  }
}

/** speedscope's built file names carry content hashes: read them from its index.html. */
function speedscopeAssets(dir: string): { js: string; css: string } {
  const index = readFileSync(join(dir, 'index.html'), 'utf8');
  const js = /src="(speedscope-[\w-]+\.js)"/.exec(index)?.[1];
  const css = /href="(speedscope-[\w-]+\.css)"/.exec(index)?.[1];
  if (!js || !css) throw new Error(`speedscope's index.html in ${dir} does not name its script and style sheet`);
  return { js, css };
}
