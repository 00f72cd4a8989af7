// PostgreSQL's block comments nest (`/* a /* b */ c */`): where one ends. Pure; shared by the
// statement normaliser and the Explain checks, which each read SQL with their own small lexer.

/** The index just past the comment that opens at `start` (at its `/*`), or -1 when it never closes. */
export function blockCommentEnd(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return -1;
}
