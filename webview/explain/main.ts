/// <reference lib="dom" />
// Runs inside the Explain webview: the statement, the plan's problems in plain words, the index
// suggestions with their SQL (and Copy), then the plan as a tree with the costliest nodes marked.
// Only DOM text and classes: no inline styles, no HTML from the data.
import type { ExplainResult, PlanNode } from '../../server/queries/explainTypes';
import type { FromExplain, ToExplain } from './messages';

declare function acquireVsCodeApi(): { postMessage(message: FromExplain): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;
/** Statements longer than this are cut for display (Copy still copies all of it). */
const MAX_STATEMENT_CHARS = 4000;
/** At most this many of the costliest nodes are marked, and only those with a real share. */
const MARKED = 3;
const MARK_MIN_SHARE = 0.1;

window.addEventListener('message', (event: MessageEvent<ToExplain>) => {
  const message = event.data;
  if (!message || !['loading', 'result', 'failed'].includes(message.type)) return;
  try {
    const counts = render(message);
    requestAnimationFrame(() => vscode.postMessage({ type: 'rendered', state: message.type, ...counts }));
  } catch (err) {
    vscode.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) });
  }
});
vscode.postMessage({ type: 'ready' });

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { className?: string; text?: string; title?: string } = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title) node.title = props.title;
  node.append(...children);
  return node;
}

function button(label: string, onClick: () => void, className = ''): HTMLButtonElement {
  const b = el('button', { text: label, className });
  b.addEventListener('click', onClick);
  return b;
}

const count = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : value >= 100 ? `${Math.round(value)} ms` : value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(2)} ms`);
const cost = (value: number) => value.toFixed(2);

function statementBlock(statement: string, text: string): HTMLElement {
  const shown = statement.length > MAX_STATEMENT_CHARS ? `${statement.slice(0, MAX_STATEMENT_CHARS)}\n-- … (${count(statement.length - MAX_STATEMENT_CHARS)} more characters)` : statement;
  return el('div', { className: 'block' }, el('pre', { className: 'sql' }, el('code', { text: shown })), el('div', { className: 'actions' }, button('Copy Query', () => vscode.postMessage({ type: 'copy', text: statement || text, what: 'the statement' }), 'secondary')));
}

function render(message: ToExplain): { problems: number; suggestions: number; nodes: number; marked: number } {
  root.className = '';
  root.replaceChildren();
  const none = { problems: 0, suggestions: 0, nodes: 0, marked: 0 };
  if (message.type === 'loading') {
    root.append(el('h1', { text: message.analyze ? 'EXPLAIN ANALYZE' : 'EXPLAIN' }), el('div', { className: 'muted', text: message.analyze ? 'Running the statement inside a transaction that will be rolled back…' : 'Asking PostgreSQL for the plan…' }), statementBlock(message.statement, message.text));
    return none;
  }
  if (message.type === 'failed') {
    root.append(
      el('h1', { text: message.analyze ? 'EXPLAIN ANALYZE' : 'EXPLAIN' }),
      el('div', { className: 'failure' }, el('div', { className: 'failure-title', text: `This statement could not be explained (${message.code})` }), el('div', { text: message.message }), ...(message.hint ? [el('div', { className: 'muted', text: message.hint })] : [])),
      statementBlock(message.statement, message.text),
    );
    return none;
  }
  return renderResult(message.result, message.text, message.canAnalyze);
}

function renderResult(result: ExplainResult, text: string, canAnalyze: boolean): { problems: number; suggestions: number; nodes: number; marked: number } {
  const timing = [result.planningMs !== undefined ? `planning ${ms(result.planningMs)}` : undefined, result.executionMs !== undefined ? `execution ${ms(result.executionMs)}` : undefined].filter(Boolean).join(' · ');
  root.append(
    el('h1', { text: result.analyzed ? 'EXPLAIN ANALYZE' : 'EXPLAIN' }),
    el('div', { className: 'muted', text: result.analyzed ? `Ran inside a transaction that was rolled back${timing ? ` · ${timing}` : ''}.` : `The planner's estimates: the statement was not run${timing ? ` · ${timing}` : ''}.` }),
    statementBlock(result.statement, text),
  );
  if (canAnalyze && !result.analyzed) root.append(el('p', {}, button('Explain Analyze…', () => vscode.postMessage({ type: 'explainAnalyze', text }), 'secondary'), el('span', { className: 'muted', text: '  runs the SELECT (rolled back) for actual rows and times' })));

  root.append(el('h2', { text: 'Problems' }));
  if (!result.problems.length) root.append(el('div', { className: 'muted', text: 'None found in the plan.' }));
  else root.append(el('ul', { className: 'problems' }, ...result.problems.map((p) => el('li', { text: p.message }))));

  root.append(el('h2', { text: 'Index suggestions' }));
  if (!result.suggestions.length) root.append(el('div', { className: 'muted', text: 'None: no index would clearly serve this statement.' }));
  for (const s of result.suggestions) {
    const sql = s.sql.join('\n');
    root.append(el('div', { className: 'suggestion' }, el('div', { text: s.reason }), el('pre', { className: 'sql' }, el('code', { text: sql })), el('div', { className: 'actions' }, button('Copy', () => vscode.postMessage({ type: 'copy', text: sql, what: `the index on ${s.table} (${s.columns.join(', ')})` })))));
  }

  root.append(el('h2', { text: 'Plan' }));
  const marked = costliestKeys(result);
  const problemKeys = new Set(result.problems.map((p) => `${p.nodeType}|${p.relation ?? ''}`));
  let nodes = 0;
  const tree = (node: PlanNode): HTMLLIElement => {
    nodes++;
    const mark = marked.get(key(node));
    const classes = ['node', mark !== undefined ? 'costly' : '', problemKeys.has(`${node.nodeType}|${node.relation ?? ''}`) ? 'problem' : ''].filter(Boolean).join(' ');
    const li = el('li', { className: classes }, nodeLine(node, result.analyzed, mark));
    if (node.children.length) li.append(el('ul', {}, ...node.children.map(tree)));
    return li;
  };
  root.append(el('ul', { className: 'plan' }, tree(result.plan)));
  root.append(el('details', {}, el('summary', { text: 'Plan as text' }), el('pre', { className: 'sql' }, el('code', { text: result.text }))));
  return { problems: result.problems.length, suggestions: result.suggestions.length, nodes, marked: marked.size };
}

/** A node's identity across the two copies the result carries (`plan` and `costliest`). */
function key(n: PlanNode): string {
  return [n.nodeType, n.relation, n.alias, n.index, n.startupCost, n.totalCost, n.planRows, n.selfCost].join('|');
}

/** The costliest nodes to mark (their rank, 1-based): at most MARKED, each with a real share of the whole. */
function costliestKeys(result: ExplainResult): Map<string, number> {
  const timed = result.analyzed && result.plan.actualTotalMs !== undefined;
  const whole = timed ? result.plan.actualTotalMs! : result.plan.totalCost;
  const marks = new Map<string, number>();
  for (const n of result.costliest) {
    if (marks.size >= MARKED) break;
    const own = timed ? (n.selfMs ?? 0) : n.selfCost;
    if (whole > 0 && own / whole >= MARK_MIN_SHARE) marks.set(key(n), marks.size + 1);
  }
  return marks;
}

function nodeLine(n: PlanNode, analyzed: boolean, mark: number | undefined): HTMLElement {
  const head = el('div', { className: 'head' });
  if (mark !== undefined) head.append(el('span', { className: 'badge', text: `#${mark} costliest`, title: 'One of the nodes with the largest own share of the cost (or time)' }));
  head.append(el('span', { className: 'type', text: n.nodeType }));
  if (n.relation) head.append(' on ', el('span', { className: 'relation', text: `${n.schema && n.schema !== 'public' ? `${n.schema}.` : ''}${n.relation}${n.alias && n.alias !== n.relation ? ` ${n.alias}` : ''}` }));
  if (n.index) head.append(' using ', el('span', { className: 'relation', text: n.index }));

  const figures: string[] = [];
  const rows = `rows: ${count(n.planRows)} estimated`;
  if (analyzed && n.actualRows !== undefined) {
    const off = n.planRows > 0 && n.actualRows > 0 ? Math.max(n.actualRows / n.planRows, n.planRows / n.actualRows) : 1;
    figures.push(`${rows}, ${count(n.actualRows)} actual${n.loops && n.loops > 1 ? ` (${count(n.loops)} loops)` : ''}${off >= 10 ? ` — ${Math.round(off)}× off` : ''}`);
  } else figures.push(rows);
  figures.push(`cost ${cost(n.startupCost)}..${cost(n.totalCost)} (own ${cost(n.selfCost)})`);
  if (n.actualTotalMs !== undefined) figures.push(`time ${ms(n.actualTotalMs)}${n.selfMs !== undefined ? ` (own ${ms(n.selfMs)})` : ''}`);
  if (n.rowsRemovedByFilter) figures.push(`${count(n.rowsRemovedByFilter)} rows removed by the filter`);
  const details = el('div', { className: 'figures', text: figures.join(' · ') });

  const conds = [
    ['Index Cond', n.indexCond],
    ['Filter', n.filter],
    ['Join', n.joinCond],
    ['Sort Key', n.sortKey?.join(', ')],
  ].filter((c): c is [string, string] => Boolean(c[1]));
  return el('div', {}, head, details, ...conds.map(([label, value]) => el('div', { className: 'cond' }, el('span', { className: 'muted', text: `${label}: ` }), el('code', { text: value }))));
}
