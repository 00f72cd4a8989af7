/// <reference lib="dom" />
// What the heap pages share: building elements (text only, never HTML from the data), a table whose
// columns sort on a click, and a path shown relative to the workspace.

/** An element with a class, text and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { className?: string; text?: string; title?: string } = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title) node.title = props.title;
  node.append(...children);
  return node;
}

/** A link-looking button (webviews cannot follow hrefs to files): runs `onClick`. */
export function linkButton(text: string, onClick: () => void, title?: string): HTMLButtonElement {
  const b = el('button', { className: 'link', text, ...(title ? { title } : {}) });
  b.addEventListener('click', onClick);
  return b;
}

export interface Column<R> {
  title: string;
  /** The cell's content. */
  cell: (row: R) => Node | string;
  /** Sort key; columns without one do not sort. */
  key?: (row: R) => number | string;
  numeric?: boolean;
}

/**
 * A table of `rows`; a click on a sortable column's heading sorts by it (numbers largest first,
 * text A→Z; a second click reverses). `sorted`: the column sorted at first (as the rows come).
 * With `limit`, the first `limit` rows of the order show, and a button shows them all.
 */
export function sortableTable<R>(rows: readonly R[], columns: Array<Column<R>>, options: { sorted?: number; className?: string; limit?: number } = {}): HTMLElement {
  const table = el('table', { className: `sortable ${options.className ?? ''}`.trim() });
  const body = el('tbody');
  let by = options.sorted ?? -1;
  let descending = true;
  let limit = options.limit ?? Infinity;
  const more = el('button', { className: 'link more', text: `Show all ${rows.length}` });
  more.addEventListener('click', () => {
    limit = Infinity;
    draw();
  });
  const head = el('tr');
  const draw = () => {
    const key = columns[by]?.key;
    const list = key ? [...rows].sort((a, b) => compare(key(a), key(b), columns[by]!.numeric ? descending : !descending)) : [...rows];
    body.replaceChildren(...list.slice(0, limit).map((row) => el('tr', {}, ...columns.map((c) => el('td', { className: c.numeric ? 'num' : '' }, c.cell(row))))));
    more.hidden = rows.length <= limit;
    head.querySelectorAll('th').forEach((th, i) => th.setAttribute('aria-sort', i === by ? (descending === !!columns[i]!.numeric ? 'descending' : 'ascending') : 'none'));
  };
  columns.forEach((c, i) => {
    const th = el('th', { className: c.numeric ? 'num' : '', text: c.title });
    if (c.key) {
      th.classList.add('sorts');
      th.tabIndex = 0;
      const sort = () => {
        descending = by === i ? !descending : true;
        by = i;
        draw();
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && sort());
    }
    head.append(th);
  });
  table.append(el('thead', {}, head), body);
  draw();
  return el('div', { className: 'table' }, table, more);
}

function compare(a: number | string, b: number | string, largestFirst: boolean): number {
  const order = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  return largestFirst ? -order : order;
}

/** `file` relative to the first root holding it, else as it is. */
export function relativePath(file: string, roots: readonly string[]): string {
  for (const root of roots) {
    const prefix = root.endsWith('/') ? root : `${root}/`;
    if (file.startsWith(prefix)) return file.slice(prefix.length);
  }
  return file;
}

/** The last part of a path. */
export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
