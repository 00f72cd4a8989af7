import * as vscode from 'vscode';
import type { ExplainResult } from '../../server/queries/explainTypes';
import type { FromExplain, ToExplain } from '../../webview/explain/messages';
import { MessageWaiter } from '../panels/messageWaiter';
import { createSidePanel } from '../panels/sideColumn';
import { makeNonce } from '../panels/webviewHtml';
import { ServerError } from '../server/serverClient';

/**
 * The CSP of the Explain page: scripts only with our nonce. Styles from our own sheet inline, and
 * VS Code's default style sheet, which it injects as a <style> without a nonce.
 */
export function explainCsp(cspSource: string, nonce: string): string {
  return ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src ${cspSource} 'unsafe-inline'`, `font-src ${cspSource}`].join('; ');
}

export interface ExplainRequest {
  /** The normalised text (what explainQuery takes). */
  text: string;
  /** The statement as sent, for display while the plan comes and when it fails. */
  statement: string;
  analyze: boolean;
  /** A SELECT or WITH: the page may offer EXPLAIN ANALYZE after a plain EXPLAIN. */
  canAnalyze: boolean;
}

/** What to do about an explainQuery error, by its code. */
export function explainHint(code: string): string | undefined {
  switch (code) {
    case 'NO_TARGET':
      return 'Explain runs through the service’s own connection pool: attach to the service or launch it (PerfLens: Attach to Process… or Launch Service), then profile the endpoint again.';
    case 'QUERY_UNKNOWN':
      return 'The service no longer holds this statement (it restarted, or a later profile replaced what it kept). Profile the endpoint again, then Explain.';
    case 'NOT_EXPLAINABLE':
      return undefined;
    default:
      return 'See the PerfLens log (PerfLens: Show Log) for more.';
  }
}

/** The Explain view: one reusable webview panel in PerfLens's side column. */
export class ExplainPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private ready?: Promise<unknown>;
  /** The last message the page was given: handed to it again if VS Code reloads the page. */
  private shown?: ToExplain;
  private rendered?: Extract<FromExplain, { type: 'rendered' }>;
  /** Counts explain() calls: only the latest one's answer is drawn. */
  private seq = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly messages = new MessageWaiter<FromExplain>('the Explain view');

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly onExplainAnalyze: (text: string) => void,
  ) {}

  /** Shows the statement, runs `explain`, shows its plan or its error; resolves once drawn. */
  async explain(request: ExplainRequest, explain: () => Promise<ExplainResult>): Promise<void> {
    const panel = this.ensurePanel();
    panel.title = request.analyze ? 'Explain Analyze' : 'Explain';
    if (!panel.visible) panel.reveal(panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    const seq = ++this.seq;
    try {
      await this.ready;
    } catch (err) {
      panel.dispose(); // a page that never said it is ready: the next Explain starts afresh
      throw err;
    }
    const result = explain().then(
      (r): ToExplain => ({ type: 'result', text: request.text, result: r, canAnalyze: request.canAnalyze }),
      (err: Error): ToExplain => {
        const code = err instanceof ServerError ? err.code : 'ERROR';
        this.log.warn(`explainQuery${request.analyze ? ' (analyze)' : ''}: ${code}: ${err.message}`);
        return { type: 'failed', text: request.text, statement: request.statement, analyze: request.analyze, code, message: err.message, hint: explainHint(code) };
      },
    );
    await this.post({ type: 'loading', text: request.text, statement: request.statement, analyze: request.analyze });
    const answer = await result;
    if (seq !== this.seq) return; // a later Explain took the panel over while this one ran
    if (answer.type === 'result') this.log.info(`explain${answer.result.analyzed ? ' analyze' : ''} of ${request.text.slice(0, 80)}:\n${answer.result.text}`);
    await this.post(answer);
  }

  /** What the page last drew (for tests): undefined while none is shown. */
  state(): { open: boolean; rendered?: Omit<Extract<FromExplain, { type: 'rendered' }>, 'type'> } {
    if (!this.panel || !this.rendered) return { open: this.panel !== undefined };
    const { type: _type, ...rendered } = this.rendered;
    return { open: true, rendered };
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private async post(message: ToExplain): Promise<void> {
    if (!this.panel) return; // closed while explainQuery ran
    const drawn = this.messages.next((m) => m.type === 'rendered' || m.type === 'error');
    this.shown = message;
    this.rendered = undefined;
    await this.panel.webview.postMessage(message);
    const answer = await drawn;
    if (answer.type === 'error') throw new Error(`the Explain view could not draw the plan: ${answer.message}`);
  }

  private ensurePanel(): vscode.WebviewPanel {
    if (this.panel) return this.panel;
    const panel = createSidePanel('perflens.explain', 'Explain', {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
    });
    this.panel = panel;
    panel.webview.onDidReceiveMessage((message: FromExplain) => {
      switch (message?.type) {
        case 'copy':
          return void vscode.env.clipboard.writeText(message.text).then(() => vscode.window.setStatusBarMessage(`PerfLens: copied ${message.what}`, 3000));
        case 'explainAnalyze':
          return this.onExplainAnalyze(message.text);
        case 'ready':
          // A page that says it is ready again was reloaded by VS Code: give it what it showed.
          if (this.shown) void panel.webview.postMessage(this.shown);
          break;
        case 'rendered':
          this.rendered = message;
          break;
        case 'error':
          this.log.error(`Explain view: ${message.message}`);
          break;
      }
      this.messages.deliver(message);
    }, undefined, this.disposables);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = undefined;
      this.shown = undefined;
      this.rendered = undefined;
      for (const d of this.disposables.splice(0)) d.dispose();
    }, undefined, this.disposables);
    this.ready = this.messages.next((m) => m.type === 'ready');
    panel.webview.html = this.html(panel.webview);
    return panel;
  }

  private html(webview: vscode.Webview): string {
    const nonce = makeNonce();
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'explain.js')).toString();
    return `<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${explainCsp(webview.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style>
  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px 16px; line-height: 1.4; }
  h1 { font-size: 1.3em; font-weight: 600; margin: 12px 0 4px; }
  h2 { font-size: 1.05em; font-weight: 600; margin: 18px 0 6px; }
  .muted { color: var(--vscode-descriptionForeground); }
  code, pre { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  pre.sql { margin: 6px 0; padding: 8px 10px; white-space: pre-wrap; word-break: break-word; background: var(--vscode-textCodeBlock-background, rgba(128,128,128,.12)); border-radius: 3px; max-height: 24em; overflow: auto; }
  .actions { margin: 2px 0 8px; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 12px; cursor: pointer; font-family: var(--vscode-font-family); }
  button:hover { background: var(--vscode-button-hoverBackground); }
  button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
  button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
  ul.problems li { margin: 3px 0; color: var(--vscode-editorWarning-foreground, #cca700); }
  ul.problems li::marker { content: '⚠ '; }
  .suggestion { margin: 8px 0; padding-left: 10px; border-left: 3px solid var(--vscode-textLink-foreground, #3794ff); }
  .failure { margin: 8px 0; padding: 8px 10px; border-left: 3px solid var(--vscode-editorError-foreground, #f14c4c); background: var(--vscode-inputValidation-errorBackground, transparent); }
  .failure > div { margin: 2px 0; }
  .failure-title { font-weight: 600; }
  ul.plan, ul.plan ul { list-style: none; margin: 0; padding-left: 18px; }
  ul.plan { padding-left: 0; }
  ul.plan li.node > div { margin: 2px 0; padding: 3px 6px; border-left: 2px solid var(--vscode-panel-border, rgba(128,128,128,.35)); }
  ul.plan li.costly > div { border-left: 3px solid var(--vscode-editorError-foreground, #f14c4c); background: var(--vscode-diffEditor-removedLineBackground, rgba(241,76,76,.08)); }
  ul.plan li.problem > div .type { text-decoration: underline wavy var(--vscode-editorWarning-foreground, #cca700); }
  .type { font-weight: 600; }
  .relation { font-family: var(--vscode-editor-font-family); }
  .figures { color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; }
  .cond code { word-break: break-word; }
  .badge { display: inline-block; margin-right: 6px; padding: 0 5px; border-radius: 8px; font-size: .85em; color: var(--vscode-badge-foreground); background: var(--vscode-badge-background); }
  details { margin-top: 14px; }
</style>
<title>Explain</title>
</head>
<body>
<div id="root" class="muted">Waiting for the plan…</div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}
