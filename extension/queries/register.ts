import * as vscode from 'vscode';
import type { QueriesSection } from '../../server/queries/queryReportTypes';
import type { Guard } from '../commandGuard';
import type { ServerClient } from '../server/serverClient';
import { ExplainPanel } from './explainPanel';
import { QUERY_COMMANDS, QueryAnnotations } from './queryAnnotations';
import { LineDiagnostics } from '../annotations/lineDiagnostics';
import { queryProblems } from './queryDiagnostics';
import { isReadStatement, queryDescription, shortStatement } from './queryFormat';
import { QueryIndex } from './queryIndex';
import { QueriesView, REVEAL_SITE_COMMAND } from './queriesView';

export interface QueriesDeps {
  client: () => Promise<ServerClient>;
  guarded: Guard;
  log: vscode.LogOutputChannel;
}

/** What the extension and its tests see of the feature. */
export interface QueriesFeature {
  /**
   * A profile was shown: its queries section (undefined: it has none) replaces the last profile's
   * everywhere. `explainable` false: the service is gone (a load test's), so Explain is not offered.
   */
  show(section: QueriesSection | undefined, title: string, explainable?: boolean): void;
  /** Clear Annotations: the notes, hovers and diagnostics go; the Queries view keeps listing the last profile. */
  clear(): void;
  /** The notes applied to a document's visible editors, by 1-based line. */
  notesFor(uri: vscode.Uri): Array<{ line: number; note: string }>;
  /** The "PerfLens queries" diagnostics of a file. */
  diagnosticsFor(uri: vscode.Uri): vscode.Diagnostic[];
  /** The Queries view's top-level items. */
  viewItems(): Array<{ label: string; description?: string }>;
  /** The Explain view: open, and what it last drew. */
  explainState(): ReturnType<ExplainPanel['state']>;
}

/** A statement a command is about: its normalised text and the example to display and copy. */
interface Target {
  text: string;
  example: string;
}

/**
 * Database queries in the editor: notes and hovers at the calling lines, the Queries view, the
 * "PerfLens queries" diagnostics, and Explain (a webview). Commands: Explain Query, Explain Analyze
 * Query…, Copy Query, and the view's Open Calling Line.
 */
export function registerQueries(context: vscode.ExtensionContext, { client, guarded, log }: QueriesDeps): QueriesFeature {
  const annotations = new QueryAnnotations();
  const diagnostics = new LineDiagnostics('PerfLens queries');
  const view = new QueriesView();
  const panel = new ExplainPanel(context.extensionUri, log, (text) => void vscode.commands.executeCommand(QUERY_COMMANDS.explainAnalyze, text));
  /** The last profile's section, for the commands (kept by Clear Annotations). */
  let current: QueryIndex | undefined;

  /** The statement an argument names (a hover link's text, a view node), else one picked from the last profile. */
  async function target(arg: unknown, verb: string): Promise<Target | undefined> {
    const text = typeof arg === 'string' ? arg : typeof (arg as { text?: unknown } | undefined)?.text === 'string' ? (arg as { text: string }).text : undefined;
    if (text !== undefined) {
      const stat = current?.find(text);
      return { text, example: stat?.example || text };
    }
    const statements = current?.statements() ?? [];
    if (!statements.length) return void vscode.window.showInformationMessage('PerfLens: the last profile has no queries. Profile an endpoint of a service that uses PostgreSQL (pg).');
    const pick = await vscode.window.showQuickPick(
      statements.map((stat) => ({ label: shortStatement(stat.text, 100), description: queryDescription(stat), stat })),
      { title: `PerfLens: ${verb}`, placeHolder: 'A statement of the last profile, by total time', matchOnDescription: true },
    );
    return pick && { text: pick.stat.text, example: pick.stat.example || pick.stat.text };
  }

  async function explain(statement: Target, analyze: boolean): Promise<void> {
    if (current && !current.explainable) return void vscode.window.showInformationMessage('PerfLens: these queries come from a load test, whose service was stopped at its end. Profile the endpoint that sends the statement to Explain it.');
    if (analyze) {
      if (!isReadStatement(statement.text)) return void vscode.window.showWarningMessage('PerfLens: Explain Analyze runs the statement, so it is offered for a SELECT (or WITH) only. Use Explain for this one.');
      const run = 'Run EXPLAIN ANALYZE';
      const pick = await vscode.window.showWarningMessage(
        'Explain Analyze executes the statement',
        {
          modal: true,
          detail: `EXPLAIN ANALYZE executes this SELECT in the service's database, through its own pool, with the parameters of its slowest execution, inside a transaction that is rolled back. It takes as long as the query does and loads the database as the query does.\n\n${shortStatement(statement.text, 200)}`,
        },
        run,
      );
      if (pick !== run) return;
    }
    await panel.explain({ text: statement.text, statement: statement.example, analyze, canAnalyze: isReadStatement(statement.text) }, async () =>
      (await client()).request('explainQuery', analyze ? { text: statement.text, analyze: true } : { text: statement.text }),
    );
  }

  context.subscriptions.push(
    annotations,
    diagnostics,
    view,
    panel,
    vscode.commands.registerCommand(
      QUERY_COMMANDS.explain,
      guarded('Explain Query', async (arg?: unknown) => {
        const statement = await target(arg, 'Explain Query');
        if (statement) await explain(statement, false);
      }),
    ),
    vscode.commands.registerCommand(
      QUERY_COMMANDS.explainAnalyze,
      guarded('Explain Analyze Query', async (arg?: unknown) => {
        const statement = await target(arg, 'Explain Analyze Query');
        if (statement) await explain(statement, true);
      }),
    ),
    vscode.commands.registerCommand(
      QUERY_COMMANDS.copy,
      guarded('Copy Query', async (arg?: unknown) => {
        const statement = await target(arg, 'Copy Query');
        if (!statement) return;
        await vscode.env.clipboard.writeText(statement.example);
        vscode.window.setStatusBarMessage('PerfLens: query copied', 3000);
      }),
    ),
    vscode.commands.registerCommand(
      REVEAL_SITE_COMMAND,
      guarded('Open Calling Line', async (file: string, line: number, column = 1) => {
        const pos = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
        const editor = await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(pos, pos) });
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }),
    ),
  );

  return {
    show(section, title, explainable = true) {
      current = section ? new QueryIndex(section, explainable) : undefined;
      for (const warning of section?.warnings ?? []) log.warn(`queries: ${warning}`);
      if (section) {
        const nPlusOne = section.queries.filter((q) => q.nPlusOne).length;
        log.info(`queries: ${section.queries.length} statements${nPlusOne ? `, ${nPlusOne} sent N+1 style` : ''}; ${section.pools.length} pools (${section.pools.filter((p) => p.saturated).length} saturated); ${section.leaks.length} leaked checkouts`);
      }
      annotations.show(current);
      view.show({ title, index: current });
      void diagnostics.show(queryProblems(current)).catch((err: Error) => log.error(`queries: the diagnostics could not be set: ${err.message}`));
    },
    clear() {
      annotations.show(undefined);
      diagnostics.clear();
    },
    notesFor: (uri) => annotations.appliedTo(uri),
    diagnosticsFor: (uri) => diagnostics.get(uri),
    viewItems: () => view.rootItems(),
    explainState: () => panel.state(),
  };
}
