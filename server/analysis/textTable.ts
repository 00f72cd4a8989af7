/**
 * Aligned plain-text columns: a header, a rule, the rows. `align` has one letter per column,
 * `l` or `r`. Columns are two spaces apart; no trailing spaces.
 */
export function textTable(headers: string[], rows: string[][], align: string): string {
  if (rows.length === 0) return '  (none)';
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const render = (cells: string[]) =>
    `  ${cells
      .map((cell, c) => (align[c] === 'r' ? cell.padStart(widths[c]) : c === cells.length - 1 ? cell : cell.padEnd(widths[c])))
      .join('  ')}`.trimEnd();
  return [render(headers), render(widths.map((w) => '-'.repeat(w))), ...rows.map(render)].join('\n');
}
