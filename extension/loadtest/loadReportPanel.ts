import * as vscode from 'vscode';
import type { FromLoadReport, ToLoadReport } from '../../webview/loadReport/messages';
import { chartPageCsp, makeNonce } from '../panels/webviewHtml';
import { MessageWaiter } from '../panels/messageWaiter';
import { createSidePanel } from '../panels/sideColumn';
import type { LoadTestOutcome } from './runLoadTestCommand';

/** The load-test report: thresholds, totals, latency and throughput over time (uPlot), in one reusable webview panel. */
export class LoadReportPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly messages = new MessageWaiter<FromLoadReport>('the load-test report');
  private rendered?: { charts: number; statements: number; title: string };

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly onOpenProfile: () => void,
  ) {}

  /** Shows the report; resolves once the webview has drawn it. */
  async show(outcome: LoadTestOutcome, title: string): Promise<void> {
    const panel = this.ensurePanel();
    panel.title = `Load test: ${title}`;
    this.rendered = undefined;
    const ready = this.nextMessage((m) => m.type === 'ready');
    panel.webview.html = this.html(panel.webview);
    panel.reveal(panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    await ready;
    const drawn = this.nextMessage((m) => m.type === 'rendered' || m.type === 'error');
    const message: ToLoadReport = { type: 'show', report: outcome.report, exitCode: outcome.exitCode, title };
    await panel.webview.postMessage(message);
    const result = await drawn;
    if (result.type === 'error') throw new Error(`the report could not be drawn: ${result.message}`);
    if (result.type === 'rendered') this.rendered = { charts: result.charts, statements: result.statements, title };
  }

  /** What the panel last drew (for tests): undefined while none is shown. */
  state(): { open: boolean; rendered?: { charts: number; statements: number; title: string } } {
    return { open: this.panel !== undefined, rendered: this.panel ? this.rendered : undefined };
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private ensurePanel(): vscode.WebviewPanel {
    if (this.panel) return this.panel;
    const panel = createSidePanel('perflens.loadReport', 'Load test', {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
    });
    this.panel = panel;
    panel.webview.onDidReceiveMessage((message: FromLoadReport) => {
      if (message?.type === 'openProfile') return this.onOpenProfile();
      this.messages.deliver(message);
    }, undefined, this.disposables);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.rendered = undefined;
      for (const d of this.disposables.splice(0)) d.dispose();
    }, undefined, this.disposables);
    return panel;
  }

  private async nextMessage(match: (message: FromLoadReport) => boolean): Promise<FromLoadReport> {
    const message = await this.messages.next(match);
    if (message.type === 'error') this.log.error(`load-test report: ${message.message}`);
    return message;
  }


  private html(webview: vscode.Webview): string {
    const nonce = makeNonce();
    const dist = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', ...path)).toString();
    return `<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${chartPageCsp(webview.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${dist('webview', 'uPlot.min.css')}">
<style>
.warning { margin: 8px 0; padding: 6px 10px; border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700); background: var(--vscode-inputValidation-warningBackground, transparent); }
  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px 16px; }
  h1 { font-size: 1.3em; font-weight: 600; margin: 12px 0 4px; }
  h2 { font-size: 1.05em; font-weight: 600; margin: 18px 0 6px; }
  .verdict.pass { color: var(--vscode-testing-iconPassed, #73c991); }
  .verdict.fail { color: var(--vscode-testing-iconFailed, #f14c4c); }
  .muted { color: var(--vscode-descriptionForeground); }
  table { border-collapse: collapse; }
  th, td { text-align: left; padding: 3px 12px 3px 0; border-bottom: 1px solid var(--vscode-panel-border, rgba(128,128,128,.3)); font-variant-numeric: tabular-nums; }
  td.ok { color: var(--vscode-testing-iconPassed, #73c991); }
  td.bad { color: var(--vscode-testing-iconFailed, #f14c4c); }
  code { font-family: var(--vscode-editor-font-family); }
  .totals span { margin-right: 14px; white-space: nowrap; }
  .chart { margin-top: 4px; }
  .uplot, .u-legend { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 12px; cursor: pointer; }
  button:hover { background: var(--vscode-button-hoverBackground); }
</style>
<title>Load test</title>
</head>
<body>
<div id="root" class="muted">Waiting for the report…</div>
<script nonce="${nonce}" src="${dist('webview', 'loadReport.js')}"></script>
</body>
</html>`;
  }
}
