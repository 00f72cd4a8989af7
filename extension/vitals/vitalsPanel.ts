import * as vscode from 'vscode';
import type { VitalsAction, VitalsDiagnosis } from '../../server/vitals/vitalsTypes';
import type { FromVitals, ToVitals } from '../../webview/vitals/messages';
import type { VitalsSnapshot, VitalsUpdate } from '../../webview/vitals/vitalsStore';
import { createSidePanel } from '../panels/sideColumn';
import { makeNonce } from '../panels/webviewHtml';
import { vitalsPageHtml } from './vitalsPage';

export interface VitalsPanelHandlers {
  /** Everything kept, for a page that (re)started. */
  snapshot(): VitalsSnapshot;
  open(file: string, line: number, column?: number): void;
  action(rule: VitalsDiagnosis['rule'], action: VitalsAction): void;
  export(): void;
  /** The user closed the panel. */
  closed(): void;
}

/**
 * The live vitals panel: one webview in PerfLens's side column. The page asks for everything kept
 * when it starts (also when VS Code reloads it, e.g. after a move to another group); updates are
 * posted to it as they come once it said it is ready.
 */
export class VitalsPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private ready = false;
  private title = '';
  private rendered?: { samples: number; blocks: number; charts: number };
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly handlers: VitalsPanelHandlers,
  ) {}

  /** Opens the panel (or brings it forward) beside the editor; `title` names the target. */
  show(title: string): void {
    this.title = title;
    if (this.panel) {
      this.panel.title = `Vitals: ${title}`;
      this.ready = false;
      this.panel.webview.html = this.html(this.panel.webview);
      this.reveal();
      return;
    }
    const panel = createSidePanel('perflens.vitals', `Vitals: ${title}`, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
    });
    panel.iconPath = new vscode.ThemeIcon('pulse');
    this.panel = panel;
    panel.webview.onDidReceiveMessage((message: FromVitals) => this.receive(message), undefined, this.disposables);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
      this.rendered = undefined;
      for (const d of this.disposables.splice(0)) d.dispose();
      this.handlers.closed();
    }, undefined, this.disposables);
    panel.webview.html = this.html(panel.webview);
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** The editor column the panel is in, while open. */
  get viewColumn(): vscode.ViewColumn | undefined {
    return this.panel?.viewColumn;
  }

  /**
   * Brings a hidden panel forward (a visible one is left alone: revealing a panel VS Code has just
   * created makes it a preview editor there, which the next file opened in its group replaces).
   */
  reveal(): void {
    if (this.panel && !this.panel.visible) this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
  }

  update(update: VitalsUpdate): void {
    this.post({ type: 'update', update });
  }

  /** Open, and what the page last drew from a snapshot (for tests). */
  state(): { open: boolean; rendered?: { samples: number; blocks: number; charts: number } } {
    return { open: this.panel !== undefined, ...(this.panel && this.rendered ? { rendered: this.rendered } : {}) };
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private post(message: ToVitals): void {
    // Before `ready` the page would drop it: the snapshot it asks for then has it.
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  private receive(message: FromVitals): void {
    switch (message?.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'snapshot', snapshot: this.handlers.snapshot(), title: `Live vitals: ${this.title}` });
        return;
      case 'rendered':
        this.rendered = { samples: message.samples, blocks: message.blocks, charts: message.charts };
        return;
      case 'open':
        if (typeof message.file === 'string' && message.file && Number.isInteger(message.line)) this.handlers.open(message.file, message.line, message.column);
        return;
      case 'action':
        this.handlers.action(message.rule, message.action);
        return;
      case 'export':
        this.handlers.export();
        return;
      case 'error':
        this.log.error(`vitals panel: ${message.message}`);
        return;
    }
  }

  private html(webview: vscode.Webview): string {
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', name)).toString();
    return vitalsPageHtml({ cspSource: webview.cspSource, nonce: makeNonce(), asset });
  }
}
