import * as vscode from 'vscode';
import type { HeapDiff, HeapLeakReport } from '../../server/heap/heapTypes';
import { diffHeadline } from '../../server/heap/leakHeadline';
import type { HeapSnapshotTaken } from '../../server/protocol/protocol';
import { formatBytes } from '../../server/text/formatBytes';
import type { WorkspaceRoute } from '../../server/routes/fullPaths';
import type { ProfileEndpointArgs } from '../codelens/routeCodeLens';
import type { Guard } from '../commandGuard';
import type { FlameGraphPanel } from '../panels/flameGraphPanel';
import type { RequestStore } from '../requests/savedRequest';
import type { ServerClient } from '../server/serverClient';
import { AllocationAnnotations, OPEN_LEAK_REPORT_COMMAND } from './allocationAnnotations';
import { compareSnapshotsCommand } from './compareSnapshotsCommand';
import { findLeakCommand } from './findLeakCommand';
import { HEAP_SNAPSHOT_VIEW_TYPE, HeapSnapshotEditorProvider, type SummaryEditorState } from './heapSnapshotEditor';
import { formatCount } from './heapText';
import { LeakLines } from './leakLines';
import { LeakReportPanel } from './leakReportPanel';
import { openBesidePanel } from '../panels/openSource';
import { takeSnapshotCommand } from './takeSnapshotCommand';

export const TAKE_HEAP_SNAPSHOT_COMMAND = 'perflens.takeHeapSnapshot';
export const FIND_LEAK_COMMAND = 'perflens.findLeak';
export const COMPARE_HEAP_SNAPSHOTS_COMMAND = 'perflens.compareHeapSnapshots';

export interface HeapDeps {
  client: () => Promise<ServerClient>;
  guarded: Guard;
  log: vscode.LogOutputChannel;
  requests: RequestStore;
  flameGraph: FlameGraphPanel;
  /** A target was launched or attached here (the PerfLens status item shows it). */
  onTargetChanged: () => void;
  /** A snapshot or leak hunt is running (the status item shows it). */
  onBusy: (busy: boolean) => void;
  /** The routes of the workspace folder holding `uri` (or of the first folder). */
  workspaceRoutes: (uri?: vscode.Uri) => WorkspaceRoute[];
}

/** What the extension and its tests see of the feature. */
export interface HeapFeature {
  /** A leak report: its panel, and its allocating lines annotated (what Find Leak does with its result). */
  showLeakReport(report: HeapLeakReport, title: string): Promise<void>;
  /** Clear Annotations: the allocating lines' notes go (the panel keeps its report). */
  clear(): void;
  /** The allocation notes applied to a document's visible editors, by 1-based line. */
  notesFor(uri: vscode.Uri): Array<{ line: number; note: string }>;
  /** The leak report panel: open, and what it last drew. */
  leakReportState(): ReturnType<LeakReportPanel['state']>;
  /** What the summary editor of a .heapsnapshot file last drew. */
  summaryState(uri: vscode.Uri): SummaryEditorState | undefined;
  /** The last snapshot Take Heap Snapshot saved in this window. */
  lastSnapshot(): HeapSnapshotTaken | undefined;
}

/**
 * Heap snapshots and leak hunting: Take Heap Snapshot, Find Leak… (the palette and the route
 * CodeLens), the summary editor for *.heapsnapshot files, the leak report panel, and the allocating
 * lines annotated in the source.
 */
export function registerHeap(context: vscode.ExtensionContext, deps: HeapDeps): HeapFeature {
  const { client, guarded, log, flameGraph } = deps;
  const annotations = new AllocationAnnotations();
  const editor = new HeapSnapshotEditorProvider(context.extensionUri, client, log);
  const openSummary = (uri: vscode.Uri) => vscode.commands.executeCommand('vscode.openWith', uri, HEAP_SNAPSHOT_VIEW_TYPE, { viewColumn: vscode.ViewColumn.Active });
  let lastSnapshot: HeapSnapshotTaken | undefined;
  const panel: LeakReportPanel = new LeakReportPanel(context.extensionUri, log, {
    openSource: (file, line, column) => void openBesidePanel(file, line, column, panel.viewColumn).catch((err: Error) => void vscode.window.showErrorMessage(`PerfLens: ${file} could not be opened: ${err.message}`)),
    openSnapshot: (file) => void Promise.resolve(openSummary(vscode.Uri.file(file))).catch((err: Error) => void vscode.window.showErrorMessage(`PerfLens: ${file} could not be opened: ${err.message}`)),
    openFlameGraph: (report) =>
      void guarded('Open Allocations in Flame Graph', async () => {
        const file = report.files.speedscope;
        if (!file) return void vscode.window.showInformationMessage('PerfLens: this leak hunt kept no sampling heap profile.');
        const shown = await flameGraph.show({ file, title: `allocations · ${report.method} ${new URL(report.url).pathname}`, view: 'left-heavy' });
        if (shown.type === 'error') throw new Error(`the flame graph could not be shown: ${shown.message}`);
      })(),
  });

  async function showLeakReport(report: HeapLeakReport, title: string): Promise<void> {
    for (const warning of report.warnings) log.warn(`heap: ${warning}`);
    const lines = new LeakLines(report.suspects);
    log.info(`leak hunt (${title}): ${report.headline} ${report.suspects.length} suspect groups, ${formatCount(report.totals.count)} objects, ${formatBytes(report.totals.retainedSize)} retained; ${lines.all().length} allocating lines in your code`);
    annotations.show(lines);
    await panel.show(report, title);
  }

  /** A diff of snapshot files in the leak report panel: no allocating lines to annotate, so the notes of an earlier hunt go. */
  async function showDiff(diff: HeapDiff, label: string): Promise<void> {
    for (const warning of diff.warnings) log.warn(`heap: ${warning}`);
    const headline = diffHeadline(diff);
    log.info(`heap diff (${label}): ${headline}; ${diff.suspects.length} suspect groups, ${formatCount(diff.totals.count)} objects, ${formatBytes(diff.totals.retainedSize)} retained`);
    annotations.show(undefined);
    await panel.show(diff, label);
    void (diff.suspects.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage)(`PerfLens: ${headline}`);
  }

  context.subscriptions.push(
    annotations,
    panel,
    editor.register(),
    vscode.commands.registerCommand(
      TAKE_HEAP_SNAPSHOT_COMMAND,
      guarded('Take Heap Snapshot', async () => {
        const taken = await takeSnapshotCommand(context.globalStorageUri, { client, log, onTargetChanged: deps.onTargetChanged, onBusy: deps.onBusy, openSummary });
        if (taken) lastSnapshot = taken;
      }),
    ),
    vscode.commands.registerCommand(
      FIND_LEAK_COMMAND,
      guarded('Find Leak', async (args?: ProfileEndpointArgs) => {
        const found = await findLeakCommand(args, { client, log, state: context.workspaceState, requests: deps.requests, onTargetChanged: deps.onTargetChanged, onBusy: deps.onBusy, workspaceRoutes: deps.workspaceRoutes, storage: context.globalStorageUri });
        if (!found) return;
        await showLeakReport(found.report, found.label);
        const first = new LeakLines(found.report.suspects).all()[0];
        const show = found.report.suspects.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
        void show(`PerfLens: ${found.report.headline}`, ...(first ? ['Go to Allocating Line'] : [])).then((pick) => {
          if (pick && first) void openBesidePanel(first.file, first.line, 1, panel.viewColumn);
        });
      }),
    ),
    vscode.commands.registerCommand(
      COMPARE_HEAP_SNAPSHOTS_COMMAND,
      guarded('Compare Heap Snapshots', async (...args: unknown[]) => {
        const compared = await compareSnapshotsCommand(args, context.globalStorageUri, { client, log, onBusy: deps.onBusy });
        if (compared) await showDiff(compared.diff, compared.label);
      }),
    ),
    vscode.commands.registerCommand(OPEN_LEAK_REPORT_COMMAND, () => {
      if (!panel.reveal()) void vscode.window.showInformationMessage('PerfLens: the leak report was closed. Run Find Leak again to see it.');
    }),
  );

  return {
    showLeakReport,
    clear: () => annotations.show(undefined),
    notesFor: (uri) => annotations.appliedTo(uri),
    leakReportState: () => panel.state(),
    summaryState: (uri) => editor.state(uri),
    lastSnapshot: () => lastSnapshot,
  };
}
