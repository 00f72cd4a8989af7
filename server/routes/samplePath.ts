// Route path templates → sample URLs. Understands the parameter syntaxes of the frameworks the
// route detector knows: `:id` (Express, Koa, Fastify, Hono, NestJS), regex-constrained `:id(\\d+)`
// (path-to-regexp ≤ 6, Fastify) and `:id{[0-9]+}` (Hono), modifiers `:id?` `:id+` `:id*`,
// quoted names `:"id"` and optional groups `{/:id}` (Express 5), OpenAPI-style `{id}`, named
// wildcards `/*splat` (Express 5), bare wildcards `*` (named '*'), escapes `\\:` and Fastify's
// literal colon `::`. Pure: no I/O.

/** One piece of a parsed path template. */
type Token =
  | { kind: 'text'; text: string }
  | { kind: 'param'; name: string; raw: string; optional: boolean; multi: boolean }
  | { kind: 'group'; tokens: Token[] };

/** The name of a bare (unnamed) wildcard. */
export const WILDCARD = '*';

/** The path parameters of a route path, in order of appearance, each name once: '/users/:id/*' → ['id', '*']. */
export function pathParams(path: string): string[] {
  const names: string[] = [];
  const collect = (tokens: Token[]) => {
    for (const token of tokens) {
      if (token.kind === 'param' && !names.includes(token.name)) names.push(token.name);
      else if (token.kind === 'group') collect(token.tokens);
    }
  };
  collect(parsePath(path));
  return names;
}

/**
 * A concrete path: every parameter replaced by its value from `values` (percent-encoded; a wildcard's
 * or repeated parameter's value keeps its slashes). Regex constraints and group braces are dropped.
 * A missing optional parameter is left out with the separator before it; an optional group is kept
 * only when all its parameters have values. A missing required parameter stays as written.
 */
export function fillPathParams(path: string, values: Record<string, string>): string {
  const valueOf = (name: string): string | undefined => (Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined);
  const render = (tokens: Token[]): string => {
    let out = '';
    for (const token of tokens) {
      if (token.kind === 'text') {
        out += token.text;
      } else if (token.kind === 'group') {
        if (groupParams(token.tokens).every((name) => valueOf(name))) out += render(token.tokens);
      } else {
        const value = valueOf(token.name);
        if (value !== undefined && (value !== '' || !token.optional)) out += token.multi ? value.split('/').map(encodeSegment).join('/') : encodeSegment(value);
        else if (token.optional) out = out.endsWith('/') || out.endsWith('.') ? out.slice(0, -1) : out;
        else out += token.raw;
      }
    }
    return out;
  };
  const filled = render(parsePath(path));
  return filled === '' && path.startsWith('/') ? '/' : filled;
}

function groupParams(tokens: Token[]): string[] {
  return tokens.flatMap((t) => (t.kind === 'param' ? [t.name] : t.kind === 'group' ? groupParams(t.tokens) : []));
}

/** encodeURIComponent, except that a valid %XX escape already in the value is kept as it is. */
function encodeSegment(value: string): string {
  return value
    .split(/(%[0-9A-Fa-f]{2})/)
    .map((part, i) => (i % 2 === 1 ? part : encodeURIComponent(part)))
    .join('');
}

function isNameChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_$]/u.test(ch);
}

function isIdentifier(text: string): boolean {
  return text.length > 0 && !/^\p{N}/u.test(text) && [...text].every(isNameChar);
}

/** Index just after the bracket that closes the one at `open` (honouring backslash escapes), or -1. */
function closingIndex(path: string, open: number, openCh: string, closeCh: string): number {
  let depth = 0;
  for (let i = open; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\') i++;
    else if (ch === openCh) depth++;
    else if (ch === closeCh && --depth === 0) return i + 1;
  }
  return -1;
}

/** A `{…}` right after a parameter name is Hono's regex constraint unless it looks like an Express 5 group. */
function isHonoConstraint(body: string): boolean {
  return !body.includes(':') && [...body].some((ch) => !/[A-Za-z0-9/._~-]/.test(ch));
}

function parsePath(path: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  const flush = () => {
    if (text) tokens.push({ kind: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '\\' && i + 1 < path.length) {
      text += path[i + 1];
      i += 2;
    } else if (ch === ':' && path[i + 1] === ':') {
      text += ':'; // Fastify: '::' is a literal colon
      i += 2;
    } else if (ch === ':' && (isNameChar(path[i + 1]) || path[i + 1] === '"')) {
      const start = i;
      let name = '';
      i++;
      if (path[i] === '"') {
        const end = path.indexOf('"', i + 1);
        if (end < 0) {
          text += path.slice(start);
          break;
        }
        name = path.slice(i + 1, end);
        i = end + 1;
      } else {
        while (isNameChar(path[i])) name += path[i++];
      }
      if (path[i] === '(') {
        const end = closingIndex(path, i, '(', ')');
        if (end > 0) i = end;
      } else if (path[i] === '{') {
        const end = closingIndex(path, i, '{', '}');
        if (end > 0 && isHonoConstraint(path.slice(i + 1, end - 1))) i = end;
      }
      let optional = false;
      let multi = false;
      if (path[i] === '?') optional = true;
      else if (path[i] === '+') multi = true;
      else if (path[i] === '*') optional = multi = true;
      if (optional || multi) i++;
      flush();
      tokens.push({ kind: 'param', name, raw: path.slice(start, i), optional, multi });
    } else if (ch === '*') {
      const start = i;
      const prev = path[i - 1];
      let name = '';
      i++;
      if (prev === undefined || prev === '/' || prev === '{') while (isNameChar(path[i])) name += path[i++];
      flush();
      tokens.push({ kind: 'param', name: name || WILDCARD, raw: path.slice(start, i), optional: false, multi: true });
    } else if (ch === '{') {
      const end = closingIndex(path, i, '{', '}');
      if (end < 0) {
        text += ch;
        i++;
        continue;
      }
      const body = path.slice(i + 1, end - 1);
      flush();
      if (isIdentifier(body)) tokens.push({ kind: 'param', name: body, raw: path.slice(i, end), optional: false, multi: false });
      else tokens.push({ kind: 'group', tokens: parsePath(body) });
      i = end;
    } else {
      text += ch;
      i++;
    }
  }
  flush();
  return tokens;
}
