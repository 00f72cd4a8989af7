import * as vscode from 'vscode';
import type { HeapDiff, HeapLeakReport } from '../../server/heap/heapTypes';
import type { FromLeakReport, ToLeakReport } from '../../webview/heap/leak/messages';
import { MessageWaiter } from '../panels/messageWaiter';
import { createSidePanel } from '../panels/sideColumn';
import { makeNonce } from '../panels/webviewHtml';
import { heapPageHtml } from './heapPage';

export interface LeakReportHandlers {
  /** An allocating line's link (1-based). */
  openSource(file: string, line: number, column?: number): void;
  /** A snapshot's link: its summary editor. */
  openSnapshot(file: string): void;
  /** "Open allocations in flame graph": the report's speedscope file. */
  openFlameGraph(report: HeapLeakReport): void;
}

/** The leak report (Find Leak, Compare Heap Snapshots): one reusable webview panel in PerfLens's side column. */
export class LeakReportPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  /** The report the page shows: handed to it again if VS Code reloads the page. */
  private shown?: ToLeakReport;
  private settingUp = false;
  private rendered?: { groups: number; sites: number; steps: number; title: string };
  private readonly disposables: vscode.Disposable[] = [];
  private readonly messages = new MessageWaiter<FromLeakReport>('the leak report');

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly handlers: LeakReportHandlers,
  ) {}

  /** Shows a leak hunt's report or a diff of snapshot files; resolves once the page has drawn it. */
  async show(report: HeapLeakReport | HeapDiff, title: string): Promise<void> {
    const panel = this.ensurePanel();
    panel.title = `Leak: ${title}`;
    this.rendered = undefined;
    this.settingUp = true;
    const ready = this.messages.next((m) => m.type === 'ready');
    const asset = (name: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', name)).toString();
    panel.webview.html = heapPageHtml({ cspSource: panel.webview.cspSource, nonce: makeNonce(), asset, script: 'leakReport.js', title: 'Leak report', waiting: 'Waiting for the report…' });
    panel.reveal(panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    await ready.finally(() => (this.settingUp = false));
    const drawn = this.messages.next((m) => m.type === 'rendered' || m.type === 'error');
    const message: ToLeakReport = { type: 'show', report, roots: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath) };
    this.shown = message;
    await panel.webview.postMessage(message);
    const result = await drawn;
    if (result.type === 'error') throw new Error(`the leak report could not be drawn: ${result.message}`);
    if (result.type === 'rendered') this.rendered = { groups: result.groups, sites: result.sites, steps: result.steps, title };
  }

  /** Brings the panel forward (the hover's link); false when none is open. */
  reveal(): boolean {
    if (!this.panel) return false;
    this.panel.reveal(this.panel.viewColumn, false);
    return true;
  }

  /** The column the panel is in, when open. */
  get viewColumn(): vscode.ViewColumn | undefined {
    return this.panel?.viewColumn;
  }

  /** What the panel last drew (for tests): undefined while none is shown. */
  state(): { open: boolean; rendered?: { groups: number; sites: number; steps: number; title: string } } {
    return { open: this.panel !== undefined, rendered: this.panel ? this.rendered : undefined };
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private ensurePanel(): vscode.WebviewPanel {
    if (this.panel) return this.panel;
    const panel = createSidePanel('perflens.leakReport', 'Leak report', {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
    });
    panel.iconPath = new vscode.ThemeIcon('search');
    this.panel = panel;
    panel.webview.onDidReceiveMessage((message: FromLeakReport) => {
      switch (message?.type) {
        case 'openSource':
          return this.handlers.openSource(message.file, message.line, message.column);
        case 'openSnapshot':
          return this.handlers.openSnapshot(message.file);
        case 'openFlameGraph':
          if (this.shown?.report.kind === 'heap-leak') this.handlers.openFlameGraph(this.shown.report);
          return;
        case 'ready':
          // A page that says it is ready when we did not set one up was reloaded by VS Code: give it its report back.
          if (!this.settingUp && this.shown) void panel.webview.postMessage(this.shown);
          break;
        case 'error':
          this.log.error(`leak report: ${message.message}`);
          break;
      }
      this.messages.deliver(message);
    }, undefined, this.disposables);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.shown = undefined;
      this.rendered = undefined;
      for (const d of this.disposables.splice(0)) d.dispose();
    }, undefined, this.disposables);
    return panel;
  }
}
