import * as vscode from 'vscode';
import { formatMsShort } from '../../server/text/formatMs';
import type { BlockGroup, LiveBlock, VitalsSection } from '../../server/vitals/vitalsTypes';
import type { Guard } from '../commandGuard';
import { ensureTarget } from '../profiling/endpointRun';
import type { ServerClient } from '../server/serverClient';
import type { WorkspaceRoute } from '../../server/routes/fullPaths';
import { handlerSites } from '../../server/routes/handlerSites';
import { BlockAnnotations } from './blockAnnotations';
import { openBesidePanel } from '../panels/openSource';
import { LineDiagnostics } from '../annotations/lineDiagnostics';
import { blockProblems } from './blockDiagnostics';
import { BlockIndex } from './blockIndex';
import { planAction } from './vitalsActions';
import { VitalsPanel } from './vitalsPanel';
import { vitalsSettings } from './vitalsSettings';
import { REVEAL_VITALS_COMMAND, VitalsStatusItem } from './vitalsStatusItem';
import { emptySnapshot } from '../../webview/vitals/vitalsStore';
import { WatchSession } from './watchSession';

export const WATCH_COMMAND = 'perflens.watchService';
/** Live blocks kept for the editor's notes (a service blocking all day should not grow without end). */
const MAX_LIVE_BLOCKS = 10_000;

export interface VitalsDeps {
  client: () => Promise<ServerClient>;
  guarded: Guard;
  log: vscode.LogOutputChannel;
  /** A target was launched or attached here (the PerfLens status item shows it). */
  onTargetChanged: () => void;
  /** The routes of the workspace folder holding `uri` (or of the first folder): a live block's endpoint is named by them. */
  workspaceRoutes: (uri?: vscode.Uri) => WorkspaceRoute[];
}

/** What the extension and its tests see of the feature. */
export interface VitalsFeature {
  /** A profile or load test was shown: its vitals section's blocks (undefined: none) replace the last report's in the editor. */
  showReport(section: VitalsSection | undefined, title: string): void;
  /** A block seen live (what a `vitalsBlock` event does in the editor while watching). */
  liveBlock(block: LiveBlock): void;
  /** Clear Annotations: the block notes and diagnostics go (the panel keeps its own list). */
  clear(): void;
  /** The block notes applied to a document's visible editors, by 1-based line. */
  notesFor(uri: vscode.Uri): Array<{ line: number; note: string }>;
  /** The "PerfLens blocks" diagnostics of a file. */
  diagnosticsFor(uri: vscode.Uri): vscode.Diagnostic[];
  /** The watch, the panel and the status item, for tests. */
  watchState(): {
    watching: boolean;
    ended?: string;
    samples: number;
    blocks: number;
    panel: ReturnType<VitalsPanel['state']>;
    status: VitalsStatusItem['state'];
  };
}

/**
 * Live vitals: Watch Service (the live panel, fed from the server's events; closing it unwatches),
 * the status bar's loop p99, and the blocks in the source (notes and "PerfLens blocks"
 * diagnostics) from a report's vitals section and from the live blocks.
 */
export function registerVitals(context: vscode.ExtensionContext, { client, guarded, log, onTargetChanged, workspaceRoutes }: VitalsDeps): VitalsFeature {
  const annotations = new BlockAnnotations();
  const diagnostics = new LineDiagnostics('PerfLens blocks');
  const status = new VitalsStatusItem();
  let session: WatchSession | undefined;
  let reportGroups: BlockGroup[] = [];
  let liveBlocks: LiveBlock[] = [];
  /** The live blocks' identities (end and length), so that a block given twice counts once. */
  let liveKeys = new Set<string>();

  const panel = new VitalsPanel(context.extensionUri, log, {
    snapshot: () => session?.store.snapshot() ?? emptySnapshot(),
    open: (file, line, column) => void openBesidePanel(file, line, column, panel.viewColumn).catch((err: Error) => void vscode.window.showErrorMessage(`PerfLens: ${file} could not be opened: ${err.message}`)),
    action: (_rule, action) => {
      const plan = planAction(action);
      if (plan.kind === 'open') void openBesidePanel(plan.file, plan.line, 1, panel.viewColumn).catch((err: Error) => void vscode.window.showErrorMessage(`PerfLens: ${plan.file} could not be opened: ${err.message}`));
      else void vscode.commands.executeCommand(plan.command);
    },
    export: () => void guarded('Export Vitals', exportVitals)(),
    closed: () => {
      const ending = session;
      session = undefined;
      status.hide();
      void ending?.stop().catch((err: Error) => log.warn(`unwatchVitals: ${err.message}`));
    },
  });

  function refreshBlocks(): void {
    const index = reportGroups.length || liveBlocks.length ? new BlockIndex(reportGroups, liveBlocks) : undefined;
    annotations.show(index);
    void diagnostics.show(blockProblems(index)).catch((err: Error) => log.error(`blocks: the diagnostics could not be set: ${err.message}`));
  }

  function addLiveBlocks(blocks: readonly LiveBlock[]): void {
    let added = 0;
    for (const block of blocks) {
      const key = `${block.endWallMs}:${block.ms}`;
      if (liveKeys.has(key)) continue;
      liveKeys.add(key);
      liveBlocks.push(block);
      added++;
    }
    if (liveBlocks.length > MAX_LIVE_BLOCKS) for (const old of liveBlocks.splice(0, liveBlocks.length - MAX_LIVE_BLOCKS)) liveKeys.delete(`${old.endWallMs}:${old.ms}`);
    if (added) refreshBlocks();
  }

  async function exportVitals(): Promise<void> {
    const current = session;
    if (!current) return void vscode.window.showInformationMessage('PerfLens: nothing to export: no service is being watched.');
    const snapshot = current.store.snapshot();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const dir = folder ? vscode.Uri.joinPath(folder, '.perflens') : undefined;
    if (dir) await vscode.workspace.fs.createDirectory(dir).then(undefined, () => undefined);
    const uri = await vscode.window.showSaveDialog({ title: 'PerfLens: export the vitals kept', saveLabel: 'Export', filters: { JSON: ['json'] }, ...(dir ? { defaultUri: vscode.Uri.joinPath(dir, `vitals-${stamp}.json`) } : {}) });
    if (!uri) return;
    const body = { kind: 'perflens-vitals', version: 1, exportedAt: new Date().toISOString(), ...snapshot };
    await vscode.workspace.fs.writeFile(uri, Buffer.from(`${JSON.stringify(body, null, 2)}\n`));
    log.info(`vitals: ${snapshot.samples.length} samples, ${snapshot.blocks.length} blocks exported to ${uri.fsPath}`);
    vscode.window.setStatusBarMessage(`PerfLens: vitals saved to ${vscode.workspace.asRelativePath(uri)}`, 5000);
  }

  /** A watch being started: a second Watch Service meanwhile waits for it rather than starting another. */
  let starting: Promise<void> | undefined;
  function watch(): Promise<void> {
    starting ??= startWatch().finally(() => (starting = undefined));
    return starting;
  }

  async function startWatch(): Promise<void> {
    if (session && !session.ended && panel.isOpen) return panel.reveal();
    const c = await client();
    const folder = vscode.window.activeTextEditor ? vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri) : vscode.workspace.workspaceFolders?.[0];
    const target = await ensureTarget(c, folder ?? vscode.workspace.workspaceFolders?.[0], onTargetChanged);
    if (!target) return;
    const settings = vitalsSettings((key) => vscode.workspace.getConfiguration('perflens', folder).get(key));
    const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    // A watch that ended (its target went away) stays on show until the new one has started.
    const previous = session;
    const next: WatchSession = new WatchSession(c, target, settings, roots, {
      update: (update) => {
        if (session === next) panel.update(update);
      },
      vitals: (live) => {
        if (session === next && !next.store.view.stall) status.loop(live.sample.delay.p99, settings.blockThresholdMs, target.description);
      },
      block: (block) => {
        if (session === next) addLiveBlocks([block]);
      },
      stall: (stall) => {
        if (session !== next) return;
        if (stall.over) {
          const last = next.store.view.samples.at(-1);
          if (last) status.loop(last.delay.p99, settings.blockThresholdMs, target.description);
        } else status.stalled(stall.ms, target.description);
      },
      ended: (reason) => {
        if (session !== next) return;
        log.warn(`vitals: ${reason}`);
        status.ended(reason);
      },
    }, handlerSites(workspaceRoutes(folder?.uri)));
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `PerfLens: watching ${target.description}…` }, () => next.start());
    session = next;
    void previous?.stop().catch((err: Error) => log.warn(`unwatchVitals: ${err.message}`));
    const { received } = next.store.view;
    log.info(`vitals: watching ${target.description} (blocks ≥ ${settings.blockThresholdMs} ms, ${settings.nameBlocks ? 'named by pausing' : 'not named'}); ${received} samples and ${next.store.view.blocks.length} blocks kept so far`);
    addLiveBlocks(next.store.view.blocks);
    panel.show(target.description);
    const last = next.store.view.samples.at(-1);
    if (last) status.loop(last.delay.p99, settings.blockThresholdMs, target.description);
    else status.waiting(target.description);
  }

  context.subscriptions.push(
    annotations,
    diagnostics,
    status,
    panel,
    { dispose: () => void session?.stop().catch(() => undefined) },
    vscode.commands.registerCommand(WATCH_COMMAND, guarded('Watch Service', watch)),
    vscode.commands.registerCommand(REVEAL_VITALS_COMMAND, () => (panel.isOpen ? panel.reveal() : vscode.commands.executeCommand(WATCH_COMMAND))),
  );

  return {
    showReport(section, title) {
      reportGroups = section?.blocks ?? [];
      for (const warning of section?.warnings ?? []) log.warn(`vitals: ${warning}`);
      if (section) {
        const s = section.summary;
        log.info(`vitals (${title}): loop p99 ${formatMsShort(s.delay.p99)}, max ${formatMsShort(s.delay.max)}; ${s.blocks.count} blocks of ${formatMsShort(section.blockThresholdMs)} or more (${section.blocks.filter((b) => b.located).length} of their lines located); GC ${formatMsShort(s.gc.totalMs)} in ${s.gc.count} pauses`);
      }
      refreshBlocks();
    },
    liveBlock: (block) => addLiveBlocks([block]),
    clear() {
      reportGroups = [];
      liveBlocks = [];
      liveKeys = new Set();
      annotations.show(undefined);
      diagnostics.clear();
    },
    notesFor: (uri) => annotations.appliedTo(uri),
    diagnosticsFor: (uri) => diagnostics.get(uri),
    watchState: () => ({
      watching: session !== undefined && !session.ended,
      ...(session?.ended ? { ended: session.ended } : {}),
      samples: session?.store.view.received ?? 0,
      blocks: session?.store.view.blocks.length ?? 0,
      panel: panel.state(),
      status: status.state,
    }),
  };
}
