import * as vscode from 'vscode';
import { loopStatus, stallStatus } from './vitalsActions';

export const REVEAL_VITALS_COMMAND = 'perflens.revealVitals';

/** While watching: the live event-loop p99 ("$(pulse) loop p99 12 ms"); a click brings the panel forward. */
export class VitalsStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('perflens.vitals', vscode.StatusBarAlignment.Left, 49);

  constructor() {
    this.item.name = 'PerfLens vitals';
    this.item.command = REVEAL_VITALS_COMMAND;
  }

  /** Watching started: nothing measured yet. */
  waiting(target: string): void {
    this.set('$(pulse) loop …', `PerfLens is watching ${target}: waiting for the first sample. Click to show the vitals.`, undefined);
  }

  loop(p99Ms: number, blockThresholdMs: number, target: string): void {
    const { text, warn } = loopStatus(p99Ms, blockThresholdMs);
    this.set(text, `Event-loop delay p99 of ${target} over the last second${warn ? `: past the block threshold (${blockThresholdMs} ms)` : ''}. Click to show the vitals.`, warn ? 'statusBarItem.warningBackground' : undefined);
  }

  stalled(ms: number, target: string): void {
    this.set(stallStatus(ms), `${target} has not turned its event loop for ${Math.round(ms / 1000)} s. Click to show the vitals.`, 'statusBarItem.errorBackground');
  }

  ended(reason: string): void {
    this.set('$(pulse) vitals: stopped', `${reason}. Click to show what was kept.`, undefined);
  }

  /** What it shows (for tests). */
  get state(): { visible: boolean; text: string; warn: boolean } {
    return { visible: this.visible, text: this.item.text, warn: this.item.backgroundColor !== undefined };
  }

  hide(): void {
    this.visible = false;
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }

  private visible = false;

  private set(text: string, tooltip: string, background: string | undefined): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
    this.visible = true;
    this.item.show();
  }
}
