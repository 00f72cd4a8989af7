/**
 * Positions in JSON text for paths such as `scenarios[1].duration`, so that a problem found in the
 * parsed value can be shown on the right line of the file. Pure; tolerant of text that is not valid
 * JSON (it only needs the part leading to the path to be well formed).
 */

/** One step of a path: an object key or an array index. */
export type JsonPathSegment = string | number;

/** Where a key (or an array element, or the root value) starts; line and column count from 1. */
export interface JsonLocation {
  line: number;
  /** In UTF-16 code units, as editors count. */
  column: number;
  /** Offset of the first character in the text. */
  offset: number;
  /** Length of the key token with its quotes; for array elements and the root, of the whole value. */
  length: number;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['scenarios', 1, 'duration']` → `scenarios[1].duration`; keys that are not identifiers as `["X-Key"]`. */
export function formatJsonPath(segments: readonly JsonPathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** The inverse of formatJsonPath; undefined for text that is not such a path. `''` is the root. */
export function parseJsonPath(path: string): JsonPathSegment[] | undefined {
  const segments: JsonPathSegment[] = [];
  const token = /\.?([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let at = 0;
  while (at < path.length) {
    token.lastIndex = at;
    const match = token.exec(path);
    if (!match || (at === 0 && match[0].startsWith('.'))) return undefined;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else {
      try {
        segments.push(JSON.parse(match[3]) as string);
      } catch {
        return undefined;
      }
    }
    at = token.lastIndex;
  }
  return segments;
}

/**
 * Where the key (or array element) that `path` names is written in `text`: `scenarios[1].duration`
 * gives the position of `"duration"` inside the second scenario. With a duplicated key, the last one
 * (the one JSON.parse keeps). Undefined when the path is not there; with `nearest`, the position of
 * the deepest part of the path that is there instead (the root at worst, if the text starts with a value).
 */
export function locateJsonPath(text: string, path: string | readonly JsonPathSegment[], options: { nearest?: boolean } = {}): JsonLocation | undefined {
  const segments = typeof path === 'string' ? parseJsonPath(path) : path;
  if (!segments) return undefined;
  const scanner = new Scanner(text);
  scanner.skipSpace();
  if (scanner.at >= text.length) return undefined;
  let found: { offset: number; length: number } | undefined;
  const rootStart = scanner.at;
  const rootEnd = scanner.valueEnd(rootStart);
  found = rootEnd === undefined ? { offset: rootStart, length: 1 } : { offset: rootStart, length: rootEnd - rootStart };
  let valueAt = rootStart;
  for (const segment of segments) {
    const next = typeof segment === 'number' ? scanner.findElement(valueAt, segment) : scanner.findMember(valueAt, segment);
    if (!next) {
      if (!options.nearest) return undefined;
      break;
    }
    found = next.token;
    valueAt = next.valueAt;
  }
  return toLocation(text, found.offset, found.length);
}

/** Line and column (from 1) of an offset. */
export function offsetToLineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function toLocation(text: string, offset: number, length: number): JsonLocation {
  return { ...offsetToLineColumn(text, offset), offset, length };
}

interface Found {
  /** The key token, or the element's whole value. */
  token: { offset: number; length: number };
  /** Where the value starts. */
  valueAt: number;
}

class Scanner {
  at = 0;

  constructor(private readonly text: string) {}

  skipSpace(): void {
    while (this.at < this.text.length && ' \t\r\n'.includes(this.text[this.at])) this.at++;
  }

  /** End offset (exclusive) of the string starting at `start` (a `"`), or undefined if unterminated. */
  stringEnd(start: number): number | undefined {
    for (let k = start + 1; k < this.text.length; k++) {
      const c = this.text[k];
      if (c === '\\') k++;
      else if (c === '"') return k + 1;
      else if (c === '\n') return undefined;
    }
    return undefined;
  }

  /** End offset (exclusive) of the value starting at `start`, or undefined when it is malformed or cut off. */
  valueEnd(start: number): number | undefined {
    const c = this.text[start];
    if (c === '"') return this.stringEnd(start);
    if (c === '{' || c === '[') {
      let depth = 0;
      for (let k = start; k < this.text.length; k++) {
        const d = this.text[k];
        if (d === '"') {
          const end = this.stringEnd(k);
          if (end === undefined) return undefined;
          k = end - 1;
        } else if (d === '{' || d === '[') {
          depth++;
        } else if (d === '}' || d === ']') {
          depth--;
          if (depth === 0) return k + 1;
        }
      }
      return undefined;
    }
    const literal = /-?[0-9][0-9.eE+-]*|true|false|null/y;
    literal.lastIndex = start;
    return literal.test(this.text) ? literal.lastIndex : undefined;
  }

  /** The last member named `key` of the object starting at `objectAt`. */
  findMember(objectAt: number, key: string): Found | undefined {
    if (this.text[objectAt] !== '{') return undefined;
    this.at = objectAt + 1;
    let found: Found | undefined;
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') return found;
      const keyStart = this.at;
      const keyEnd = this.stringEnd(keyStart);
      if (keyEnd === undefined) return found;
      let name: string;
      try {
        name = JSON.parse(this.text.slice(keyStart, keyEnd)) as string;
      } catch {
        return found;
      }
      this.at = keyEnd;
      this.skipSpace();
      if (this.text[this.at] !== ':') return found;
      this.at++;
      this.skipSpace();
      const valueAt = this.at;
      if (name === key) found = { token: { offset: keyStart, length: keyEnd - keyStart }, valueAt };
      const valueEnd = this.valueEnd(valueAt);
      if (valueEnd === undefined) return found;
      this.at = valueEnd;
      this.skipSpace();
      if (this.text[this.at] !== ',') return found;
      this.at++;
    }
  }

  /** Element `index` of the array starting at `arrayAt`. */
  findElement(arrayAt: number, index: number): Found | undefined {
    if (this.text[arrayAt] !== '[') return undefined;
    this.at = arrayAt + 1;
    for (let i = 0; ; i++) {
      this.skipSpace();
      const valueAt = this.at;
      const valueEnd = this.valueEnd(valueAt);
      if (valueEnd === undefined) return undefined;
      if (i === index) return { token: { offset: valueAt, length: valueEnd - valueAt }, valueAt };
      this.at = valueEnd;
      this.skipSpace();
      if (this.text[this.at] !== ',') return undefined;
      this.at++;
    }
  }
}
