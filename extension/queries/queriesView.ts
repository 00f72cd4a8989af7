import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { CallingLine, LeakedCheckout, PoolStat, QueryStat } from '../../server/queries/queryReportTypes';
import { displayStatement, formatCount, formatQueryMs, leakSentence, poolLabel, queryDescription, queryFigures, shortStatement } from './queryFormat';
import { sitePath, sitesOf, type QueryIndex } from './queryIndex';

export const QUERIES_VIEW = 'perflens.queries';
/** Opens a calling line: (file, line, column), 1-based. */
export const REVEAL_SITE_COMMAND = 'perflens.revealQuerySite';

export type QueriesNode =
  | { kind: 'message'; text: string; icon: string; tooltip?: string }
  | { kind: 'query'; stat: QueryStat; /** For commands run from the node's menu. */ text: string }
  | { kind: 'site'; site: CallingLine; calls: number; of: number }
  | { kind: 'pool'; pool: PoolStat }
  | { kind: 'leak'; leak: LeakedCheckout }
  | { kind: 'frame'; frame: CallingLine };

/** What the view shows: nothing before a profile (the welcome text), else that profile's section. */
type Shown = { title: string; index?: QueryIndex };

/**
 * The Queries view: the statements by total time (children: their calling lines), a node per pool
 * with its verdict, one per leaked checkout (children: its stack), and the section's warnings.
 */
export class QueriesView implements vscode.TreeDataProvider<QueriesNode>, vscode.Disposable {
  private shown?: Shown;
  private readonly changed = new vscode.EventEmitter<QueriesNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<QueriesNode>;

  constructor() {
    this.view = vscode.window.createTreeView(QUERIES_VIEW, { treeDataProvider: this, showCollapseAll: true });
  }

  /** A profile's section (`index` undefined: the profile has none), or undefined: no profile. */
  show(shown: Shown | undefined): void {
    this.shown = shown;
    this.view.description = shown?.title;
    this.changed.fire(undefined);
  }

  getChildren(node?: QueriesNode): QueriesNode[] {
    if (!node) return this.roots();
    switch (node.kind) {
      case 'query':
        return sitesOf(node.stat).map((site) => ({ kind: 'site', site, calls: site.calls, of: node.stat.calls }));
      case 'leak':
        return node.leak.stack.map((frame) => ({ kind: 'frame', frame }));
      default:
        return [];
    }
  }

  getTreeItem(node: QueriesNode): vscode.TreeItem {
    switch (node.kind) {
      case 'message': {
        const item = new vscode.TreeItem(node.text);
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.tooltip = node.tooltip ?? node.text;
        return item;
      }
      case 'query': {
        const { stat } = node;
        const item = new vscode.TreeItem(shortStatement(stat.text, 80), vscode.TreeItemCollapsibleState.Collapsed);
        item.description = queryDescription(stat);
        item.tooltip = queryTooltip(stat);
        item.iconPath = new vscode.ThemeIcon(stat.nPlusOne || stat.errors > 0 ? 'warning' : 'database');
        item.contextValue = this.shown?.index?.explainable === false ? 'perflens.query.copyOnly' : 'perflens.query';
        item.command = revealCommand(stat.site);
        return item;
      }
      case 'site': {
        const { site } = node;
        const item = new vscode.TreeItem(`${basename(sitePath(site.file))}:${site.line}`);
        item.description = `${site.functionName || '(anonymous)'} · ${formatCount(node.calls)} of ${formatCount(node.of)} calls`;
        item.tooltip = `${sitePath(site.file)}:${site.line}:${site.column}${site.mapped ? '' : ' (no source map)'}${site.origin === 'dependency' ? ` (inside ${site.package ?? 'a dependency'})` : ''}`;
        item.iconPath = new vscode.ThemeIcon('go-to-file');
        item.command = revealCommand(site);
        return item;
      }
      case 'pool': {
        const { pool } = node;
        const item = new vscode.TreeItem(poolLabel(pool));
        item.description = pool.verdict;
        item.tooltip = new vscode.MarkdownString(
          `**${poolLabel(pool)}**\n\n${pool.verdict}\n\n` +
            `max ${pool.max} · peak ${pool.peak.busy} busy, ${pool.peak.waiting} waiting · ${formatCount(pool.checkouts)} checkouts (${pool.ratePerSecond.toFixed(1)}/s)\n\n` +
            `wait p95 ${formatQueryMs(pool.wait.p95Ms)}, max ${formatQueryMs(pool.wait.maxMs)} · held p95 ${formatQueryMs(pool.held.p95Ms)}, mean ${formatQueryMs(pool.held.meanMs)}`,
        );
        item.iconPath = new vscode.ThemeIcon(pool.saturated ? 'warning' : 'server-environment');
        return item;
      }
      case 'leak': {
        const { leak } = node;
        const item = new vscode.TreeItem(`${leak.releasedAfterAll ? 'Checkout held' : 'Leaked checkout'}: ${leak.site.functionName || '(anonymous)'} ${basename(sitePath(leak.site.file))}:${leak.site.line}`, leak.stack.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.description = `${leak.releasedAfterAll ? 'held' : 'out for'} ${formatQueryMs(leak.heldMs)}${leak.endpoint ? ` · ${leak.endpoint}` : ''}`;
        item.tooltip = leakSentence(leak);
        item.iconPath = new vscode.ThemeIcon(leak.releasedAfterAll ? 'info' : 'warning');
        item.command = revealCommand(leak.site);
        return item;
      }
      case 'frame': {
        const { frame } = node;
        const item = new vscode.TreeItem(`${frame.functionName || '(anonymous)'}`);
        item.description = `${basename(sitePath(frame.file))}:${frame.line}`;
        item.tooltip = `${sitePath(frame.file)}:${frame.line}:${frame.column}`;
        item.command = revealCommand(frame);
        return item;
      }
    }
  }

  /** The top-level items as label and description: for tests and the API. */
  rootItems(): Array<{ label: string; description?: string }> {
    return this.roots().map((n) => {
      const item = this.getTreeItem(n);
      return { label: typeof item.label === 'string' ? item.label : (item.label?.label ?? ''), description: typeof item.description === 'string' ? item.description : undefined };
    });
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }

  private roots(): QueriesNode[] {
    const shown = this.shown;
    if (!shown) return []; // the welcome text (package.json viewsWelcome)
    const section = shown.index?.section;
    if (!section) return [{ kind: 'message', text: 'This profile has no database figures', icon: 'info', tooltip: 'Profiles read from a .cpuprofile file, and profiles of services without the PostgreSQL client (pg), carry no queries section. Profile an endpoint to see its queries.' }];
    const nodes: QueriesNode[] = section.warnings.map((text) => ({ kind: 'message', text, icon: 'warning' }));
    for (const stat of shown.index!.statements()) nodes.push({ kind: 'query', stat, text: stat.text });
    if (!section.queries.length && !section.warnings.length) nodes.push({ kind: 'message', text: 'No statements were sent to PostgreSQL during the run', icon: 'info' });
    for (const pool of section.pools) nodes.push({ kind: 'pool', pool });
    for (const leak of section.leaks) nodes.push({ kind: 'leak', leak });
    return nodes;
  }
}

function revealCommand(site: CallingLine): vscode.Command {
  return { command: REVEAL_SITE_COMMAND, title: 'Open Calling Line', arguments: [sitePath(site.file), site.line, site.column] };
}

function queryTooltip(stat: QueryStat): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendCodeblock(displayStatement(stat.example || stat.text, 1000), 'sql');
  md.appendMarkdown('\n| | |\n|---|---|\n');
  for (const [label, value] of queryFigures(stat)) md.appendMarkdown(`| ${label} | ${value.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')} |\n`);
  return md;
}
