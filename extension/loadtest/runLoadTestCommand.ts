import * as vscode from 'vscode';
import type { LoadTestReport } from '../../server/loadtest/loadTestReport';
import { ServerError, type ServerClient } from '../server/serverClient';
import { isLoadTestFile, type RunLoadTestArgs } from './loadTestCodeLens';
import { breachText, type LoadTestConfigProblem, type LoadTestDiagnostics } from './loadTestDiagnostics';

export interface LoadTestOutcome {
  report: LoadTestReport;
  exitCode: number;
}

export interface RunLoadTestDeps {
  client: () => Promise<ServerClient>;
  diagnostics: LoadTestDiagnostics;
  outDir: () => string;
  log: vscode.LogOutputChannel;
  onBusy: (busy: boolean) => void;
  /** Shows the report (the report webview); resolves once it is drawn. */
  showReport: (outcome: LoadTestOutcome, uri: vscode.Uri) => Promise<void>;
  /** Opens a run's CPU profile in the flame graph. */
  openProfile: (profile: NonNullable<LoadTestReport['profile']>, title: string) => Promise<void>;
}

/** The file to run: the argument (a Uri or the CodeLens's arguments), the active *.load.json, or one picked from the workspace. */
async function loadTestFile(arg: vscode.Uri | RunLoadTestArgs | undefined): Promise<{ uri: vscode.Uri; profile: boolean } | undefined> {
  if (arg instanceof vscode.Uri) return { uri: arg, profile: false };
  if (arg && typeof arg === 'object' && typeof arg.uri === 'string') return { uri: vscode.Uri.parse(arg.uri), profile: Boolean(arg.profile) };
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isLoadTestFile(active)) return { uri: active, profile: false };
  const files = await vscode.workspace.findFiles('**/*.load.json', '**/node_modules/**');
  if (!files.length) {
    void vscode.window.showInformationMessage('PerfLens: no *.load.json load-test file in this workspace.');
    return undefined;
  }
  const picked = files.length === 1 ? { uri: files[0] } : await vscode.window.showQuickPick(
    files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })).sort((a, b) => a.label.localeCompare(b.label)),
    { title: 'PerfLens: run which load test?', placeHolder: 'A *.load.json file' },
  );
  return picked && { uri: picked.uri, profile: false };
}

/**
 * Run Load Test: runs a *.load.json through the profiler server with live progress and Cancel,
 * marks an invalid file or breached thresholds in the file, and shows the report.
 */
export async function runLoadTestCommand(arg: vscode.Uri | RunLoadTestArgs | undefined, deps: RunLoadTestDeps): Promise<LoadTestOutcome | undefined> {
  const target = await loadTestFile(arg);
  if (!target) return undefined;
  const { uri, profile } = target;
  const name = vscode.workspace.asRelativePath(uri);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  deps.diagnostics.clear(uri);
  const client = await deps.client();
  deps.onBusy(true);
  let outcome: LoadTestOutcome;
  try {
    outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `PerfLens: load test ${name}${profile ? ' (CPU profile)' : ''}`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: 'starting…' });
        let done = 0;
        const subscriptions = [
          client.onEvent('loadTestProgress', (p) => {
            const share = p.totalMs > 0 ? Math.min(100, (p.elapsedMs / p.totalMs) * 100) : 0;
            progress.report({
              message: `${p.rps.toFixed(0)} req/s · p99 ${p.p99.toFixed(1)} ms · ${p.errors} errors · ${(p.elapsedMs / 1000).toFixed(0)}/${(p.totalMs / 1000).toFixed(0)} s · ${p.scenario}`,
              increment: Math.max(0, share - done),
            });
            done = Math.max(done, share);
          }),
          token.onCancellationRequested(() => {
            deps.log.info(`load test ${name}: cancelled by the user`);
            void client.request('cancelLoadTest', {}).catch((err: Error) => deps.log.warn(`cancelLoadTest: ${err.message}`));
          }),
        ];
        try {
          return await client.request('runLoadTest', { file: uri.fsPath, profile: profile || undefined, outDir: deps.outDir() });
        } finally {
          subscriptions.forEach((s) => s.dispose());
        }
      },
    );
  } catch (err) {
    if (err instanceof ServerError && err.code === 'LOAD_TEST_CONFIG') {
      const problems = ((err.data as { problems?: LoadTestConfigProblem[] } | undefined)?.problems ?? []).filter((p) => p && typeof p.message === 'string');
      const document = await vscode.workspace.openTextDocument(uri).then(undefined, () => undefined);
      deps.diagnostics.showConfigProblems(uri, document, problems.length ? problems : [{ path: '', message: err.message }]);
      deps.log.error(`load test ${name}: ${err.message}`);
      const first = problems[0];
      const summary = problems.length === 1 && first ? `${first.line ? `line ${first.line}: ` : ''}${first.message}` : `${problems.length || 1} problems (see Problems)`;
      void vscode.window.showErrorMessage(`PerfLens: ${name} is not a valid load test: ${summary}`, 'Show Problems').then((pick) => pick && vscode.commands.executeCommand('workbench.actions.view.problems'));
      return undefined;
    }
    throw err;
  } finally {
    deps.onBusy(false);
  }

  const { report, exitCode } = outcome;
  const document = await vscode.workspace.openTextDocument(uri).then(undefined, () => undefined);
  deps.diagnostics.showThresholds(uri, document, report);
  deps.log.info(`load test ${name}: exit ${exitCode}, ${report.totals.requests} requests, ${report.totals.rps} req/s, p99 ${report.totals.latency.p99} ms`);
  try {
    await deps.showReport(outcome, uri);
  } catch (err) {
    deps.log.error(`load test report: ${(err as Error).message}`);
  }
  notify(outcome, name, deps);
  return outcome;
}

function notify({ report, exitCode }: LoadTestOutcome, name: string, deps: RunLoadTestDeps): void {
  const actions = report.profile ? ['Open Flame Graph'] : [];
  const t = report.totals;
  const figures = `${t.requests} requests, ${t.rps.toFixed(1)} req/s, p95 ${t.latency.p95.toFixed(1)} ms, ${(t.failedRate * 100).toFixed(2)} % failed`;
  const breached = report.thresholds.filter((th) => !th.ok);
  const shown =
    exitCode === 0
      ? vscode.window.showInformationMessage(`PerfLens: ${name} passed: ${figures}.`, ...actions)
      : exitCode === 105
        ? vscode.window.showWarningMessage(`PerfLens: ${name} was cancelled; the report covers what ran (${figures}).`, ...actions)
        : vscode.window.showErrorMessage(`PerfLens: ${name} failed: ${breached.map((th) => `${th.key} ${breachText(th)}`).join('; ') || `exit code ${exitCode}`}.`, ...actions);
  void shown.then((pick) => {
    if (pick === 'Open Flame Graph' && report.profile) void deps.openProfile(report.profile, name).catch((err: Error) => void vscode.window.showErrorMessage(`PerfLens: ${err.message}`));
  });
}
