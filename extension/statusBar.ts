import * as vscode from 'vscode';

/** The status bar item: the target and the profiler's state; a click offers Switch Target, Detach and the rest. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('perflens.status', vscode.StatusBarAlignment.Left, 50);
  private target?: string;
  private busy = false;

  constructor() {
    this.item.name = 'PerfLens';
    this.item.command = 'perflens.statusMenu';
    this.render();
    this.item.show();
  }

  setTarget(description: string | undefined): void {
    this.target = description;
    this.render();
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.render();
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    const icon = this.busy ? '$(loading~spin)' : '$(flame)';
    this.item.text = `${icon} PerfLens${this.target ? `: ${shorten(this.target)}` : ''}${this.busy ? ' · profiling' : ''}`;
    this.item.tooltip = this.target ? `PerfLens target: ${this.target}\n${this.busy ? 'Profiling…' : 'Idle'} — click to switch target, detach, edit a request or see the log` : 'PerfLens: no target yet — click to pick one, or for the log';
  }
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
