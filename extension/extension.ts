import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ProfileReport } from '../server/analysis/reportTypes';
import { loadFigures } from '../server/load/describeFailures';
import { Annotations } from './annotations/annotations';
import type { Guard } from './commandGuard';
import { ProfileIndex } from './annotations/profileIndex';
import { RouteCodeLensProvider, routeDocumentSelector, type ProfileEndpointArgs } from './codelens/routeCodeLens';
import { LoadReportPanel } from './loadtest/loadReportPanel';
import { LoadTestCodeLensProvider, loadTestDocumentSelector, type RunLoadTestArgs } from './loadtest/loadTestCodeLens';
import { LoadTestDiagnostics } from './loadtest/loadTestDiagnostics';
import { runLoadTestCommand, type LoadTestOutcome } from './loadtest/runLoadTestCommand';
import { FlameGraphPanel } from './panels/flameGraphPanel';
import { profileEndpoint } from './profiling/profileEndpoint';
import { registerQueries, type QueriesFeature } from './queries/register';
import { registerRequestCommands } from './requests/requestCommands';
import { RequestStore } from './requests/savedRequest';
import { registerTargetCommands } from './profiling/targetCommands';
import { ProfilerServer } from './server/profilerServer';
import { ServerError } from './server/serverClient';
import { StatusBar } from './statusBar';
import { registerVitals, type VitalsFeature } from './vitals/register';
import { registerHeap, type HeapFeature } from './heap/register';

interface LastProfile {
  report: ProfileReport;
  flameGraphFile: string;
  title: string;
}

/** What the extension exposes to its tests (and to anyone calling it through the API). */
export interface PerfLensApi {
  lastProfile(): LastProfile | undefined;
  /** Milliseconds from the end of the load to the flame graph drawn and annotations applied, for the last profile. */
  lastShowLatencyMs(): number | undefined;
  /** The annotations applied to a document's visible editors, by 1-based line. */
  annotationsFor(uri: vscode.Uri): Array<{ line: number; note: string }>;
  /** The profiler server's PID while it runs. */
  serverPid(): number | undefined;
  /** The last load test run in this window (Run Load Test). */
  lastLoadTest(): LoadTestOutcome | undefined;
  /** The 'perflens-loadtest' diagnostics of a load-test file. */
  loadTestDiagnostics(uri: vscode.Uri): vscode.Diagnostic[];
  /** The load-test report panel: open, and what it last drew (charts counted). */
  loadReportState(): { open: boolean; rendered?: { charts: number; statements: number; title: string } };
  /** Database queries: notes, diagnostics, the Queries view and the Explain view; `show` puts a section up as a profile would. */
  queries: Pick<QueriesFeature, 'show' | 'notesFor' | 'diagnosticsFor' | 'viewItems' | 'explainState'>;
  /** Live vitals and event-loop blocks: `showReport` puts a section's blocks up as a profile would, `liveBlock` as a watch would. */
  vitals: Pick<VitalsFeature, 'showReport' | 'liveBlock' | 'notesFor' | 'diagnosticsFor' | 'watchState'>;
  /** Heap snapshots and leaks: `showLeakReport` puts a report up as Find Leak would. */
  heap: Pick<HeapFeature, 'showLeakReport' | 'notesFor' | 'leakReportState' | 'summaryState' | 'lastSnapshot'>;
}

export function activate(context: vscode.ExtensionContext): PerfLensApi {
  const log = vscode.window.createOutputChannel('PerfLens', { log: true });
  const status = new StatusBar();
  const flameGraph = new FlameGraphPanel(context.extensionUri, log);
  const settings = () => vscode.workspace.getConfiguration('perflens');
  const annotations = new Annotations(context.extensionUri, () => settings().get<number>('heat.minShare') ?? 0.01);
  const server = new ProfilerServer(join(context.extensionPath, 'dist', 'server.js'), log, (why) => {
    status.setTarget(undefined);
    void vscode.window.showWarningMessage(`PerfLens: the profiler server stopped (${why}). It will start again on your next action.`, 'Show Log').then((pick) => pick && log.show());
  });
  server.onClient((client) => {
    client.onEvent('targetOutput', ({ line }) => log.info(`[target] ${line}`));
    client.onEvent('targetExited', (e) => {
      status.setTarget(undefined);
      log.warn(`the target exited (${e.signal ?? `exit code ${e.code}`}): ${e.description}`);
    });
  });
  context.subscriptions.push(log, status, flameGraph, annotations, server);

  const requests = new RequestStore(context.workspaceState);
  const routeLenses = new RouteCodeLensProvider(context.subscriptions);
  let last: LastProfile | undefined;
  let lastShowLatencyMs: number | undefined;
  const outDir = () => join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? context.globalStorageUri.fsPath, '.perflens', 'profiles');
  const refreshTarget = async () => status.setTarget((await (await server.client()).request('getTarget', {})).target?.description);

  async function showProfile(profile: LastProfile, focusFunction?: string): Promise<void> {
    last = profile;
    const index = new ProfileIndex(profile.report, { minShare: settings().get<number>('heat.minShare') ?? 0.01, maxLines: settings().get<number>('heat.maxLines') ?? 20 });
    annotations.show(index);
    queries.show(profile.report.queries, profile.title);
    vitals.showReport(profile.report.vitals, profile.title);
    const load = profile.report.load;
    const verdict = profile.report.summary.verdict;
    const run = load ? { figures: `${profile.title} · ${loadFigures(load)}`, headline: profile.report.summary.headline, warn: verdict === 'mostly-errors' || verdict === 'not-cpu-bound' } : undefined;
    const shown = await flameGraph.show({ file: profile.flameGraphFile, title: profile.title, view: focusFunction ? 'sandwich' : 'left-heavy', focusFunction, run });
    if (shown.type === 'error') void vscode.window.showErrorMessage(`PerfLens: the flame graph could not be shown: ${shown.message}`);
  }

  /** The headline, first: errors and waiting as warnings; "Go to Hot Line" only into the user's own code. */
  function offerHeadline(report: ProfileReport, args?: ProfileEndpointArgs): void {
    const { summary } = report;
    const line = summary.hottestOwnLine;
    const actions = [...(line ? ['Go to Hot Line'] : []), ...(summary.verdict === 'mostly-errors' ? ['Edit Request…'] : [])];
    const show = summary.verdict === 'mostly-errors' || summary.verdict === 'not-cpu-bound' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(`PerfLens: ${summary.headline}`, ...actions).then(async (pick) => {
      if (pick === 'Edit Request…') return void vscode.commands.executeCommand('perflens.editRequest', args);
      if (pick !== 'Go to Hot Line' || !line) return;
      const editor = await vscode.window.showTextDocument(vscode.Uri.file(line.file), { viewColumn: vscode.ViewColumn.One });
      const pos = new vscode.Position(line.line - 1, 0);
      editor.selection = new vscode.Selection(pos, pos);
      editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
    });
  }

  /** Runs a command body, turning failures into one clear message. */
  const guarded: Guard =
    <A extends unknown[]>(name: string, body: (...args: A) => Promise<unknown>) =>
    async (...args: A) => {
      try {
        await body(...args);
      } catch (err) {
        const message = err instanceof ServerError ? err.message : (err as Error).message;
        log.error(`${name}: ${message}`);
        void vscode.window.showErrorMessage(`PerfLens: ${message}`, 'Show Log').then((pick) => pick && log.show());
      }
    };

  const queries = registerQueries(context, { client: () => server.client(), guarded, log });
  const vitals = registerVitals(context, { client: () => server.client(), guarded, log, onTargetChanged: () => void refreshTarget(), workspaceRoutes: (uri) => routeLenses.workspaceRoutes(uri) });
  const heap = registerHeap(context, { client: () => server.client(), guarded, log, requests, flameGraph, onTargetChanged: () => void refreshTarget(), onBusy: (busy) => status.setBusy(busy), workspaceRoutes: (uri) => routeLenses.workspaceRoutes(uri) });
  registerTargetCommands(context, { server, status, guarded, lastProfileTitle: () => last?.title });
  registerRequestCommands(context, { requests, guarded });
  context.subscriptions.push(
    vscode.languages.registerCodeLensProvider(routeDocumentSelector, routeLenses),
    vscode.commands.registerCommand(
      'perflens.profileEndpoint',
      guarded('Profile Endpoint', async (args?: ProfileEndpointArgs) => {
        const run = await profileEndpoint(args, {
          client: () => server.client(),
          state: context.workspaceState,
          requests,
          workspaceRoutes: () => routeLenses.workspaceRoutes(args ? vscode.Uri.parse(args.uri) : undefined),
          outDir,
          log,
          onTargetChanged: () => void refreshTarget(),
          onProfiling: (busy) => status.setBusy(busy),
        });
        if (!run) return;
        const { result, loadEndedAt, label } = run;
        for (const warning of result.report.warnings) log.warn(warning);
        const load = result.report.load;
        if (load) log.info(`${label}: ${loadFigures(load)}`);
        log.info(result.report.summary.headline);
        await showProfile({ report: result.report, flameGraphFile: result.speedscopePath, title: label });
        lastShowLatencyMs = Date.now() - loadEndedAt;
        log.info(`profile shown ${lastShowLatencyMs} ms after the load ended; files: ${result.profilePath}, ${result.speedscopePath}`);
        offerHeadline(result.report, args);
      }),
    ),
    vscode.commands.registerCommand(
      'perflens.openLastProfile',
      guarded('Open Last Profile', async () => {
        if (!last) return void vscode.window.showInformationMessage('PerfLens: no profile yet in this window. Click "Profile this endpoint" above a route handler.');
        await showProfile(last);
      }),
    ),
    vscode.commands.registerCommand(
      'perflens.openProfileFile',
      guarded('Open Profile File', async (uri?: vscode.Uri) => {
        const file = uri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'CPU profiles': ['cpuprofile'] }, title: 'PerfLens: open a CPU profile' }))?.[0];
        if (!file) return;
        const { report } = await (await server.client()).request('analyzeProfileFile', { file: file.fsPath });
        for (const warning of report.warnings) log.warn(warning);
        await showProfile({ report, flameGraphFile: file.fsPath, title: vscode.workspace.asRelativePath(file) });
      }),
    ),
    vscode.commands.registerCommand('perflens.clearAnnotations', () => {
      annotations.clear();
      queries.clear();
      vitals.clear();
      heap.clear();
    }),
    vscode.commands.registerCommand('perflens.showLog', () => log.show()),
    vscode.commands.registerCommand(
      'perflens.showInFlameGraph',
      guarded('Show in Flame Graph', async (name: string) => {
        if (last) await showProfile(last, name);
      }),
    ),
  );
  // Load tests (*.load.json): CodeLens, command, diagnostics, report panel.
  let lastLoadTest: LoadTestOutcome | undefined;
  const loadDiagnostics = new LoadTestDiagnostics();
  const openLoadTestProfile = async (profile: NonNullable<LoadTestOutcome['report']['profile']>, title: string) => {
    const { report } = await (await server.client()).request('analyzeProfileFile', { file: profile.cpuprofile });
    // The .cpuprofile knows nothing of the queries or the vitals: the load test's own report does.
    const run = lastLoadTest?.report.profile === profile ? lastLoadTest.report : undefined;
    const ofRun = { ...(run?.queries ? { queries: run.queries } : {}), ...(run?.vitals ? { vitals: run.vitals } : {}) };
    await showProfile({ report: { ...report, ...ofRun }, flameGraphFile: profile.speedscope, title });
  };
  const loadReport = new LoadReportPanel(context.extensionUri, log, () => {
    const profile = lastLoadTest?.report.profile;
    if (profile) void guarded('Open Flame Graph', () => openLoadTestProfile(profile, lastLoadTest!.report.file))();
  });
  context.subscriptions.push(
    loadDiagnostics,
    loadReport,
    vscode.languages.registerCodeLensProvider(loadTestDocumentSelector, new LoadTestCodeLensProvider()),
    vscode.commands.registerCommand(
      'perflens.runLoadTest',
      guarded('Run Load Test', async (arg?: vscode.Uri | RunLoadTestArgs) => {
        const outcome = await runLoadTestCommand(arg, {
          client: () => server.client(),
          diagnostics: loadDiagnostics,
          outDir,
          log,
          onBusy: (busy) => status.setBusy(busy),
          showReport: async (run, uri) => {
            lastLoadTest = run;
            // The queries the service sent during the test, at their lines (a load test that started the service).
            if (run.report.queries) queries.show(run.report.queries, vscode.workspace.asRelativePath(uri), false);
            // Its event-loop blocks, at their lines.
            if (run.report.vitals) vitals.showReport(run.report.vitals, vscode.workspace.asRelativePath(uri));
            await loadReport.show(run, vscode.workspace.asRelativePath(uri));
          },
          openProfile: openLoadTestProfile,
        });
        if (outcome) lastLoadTest = outcome;
      }),
    ),
  );

  log.info('PerfLens is active');
  return {
    lastProfile: () => last,
    lastShowLatencyMs: () => lastShowLatencyMs,
    annotationsFor: (uri) => annotations.appliedTo(uri),
    serverPid: () => server.pid,
    lastLoadTest: () => lastLoadTest,
    loadTestDiagnostics: (uri) => loadDiagnostics.get(uri),
    loadReportState: () => loadReport.state(),
    queries,
    vitals,
    heap,
  };
}

export function deactivate(): void {
  // Everything long-lived is in context.subscriptions.
}
