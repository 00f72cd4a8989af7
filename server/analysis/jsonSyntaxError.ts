/** Where and why a text is not valid JSON. `position === text.length` means it ends too early. */
export interface JsonSyntaxError {
  position: number;
  /** What the grammar wanted there, e.g. "a value" or "',' or '}'". */
  expected: string;
}

const enum State {
  Value,
  FirstKey,
  Key,
  FirstItem,
  AfterValue,
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

/**
 * Finds the first JSON syntax error in a text, or undefined when it is valid. V8's JSON.parse
 * messages give no position for some errors; this scanner (iterative, any nesting depth) does.
 * Only used after JSON.parse failed, to explain why.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const containers: number[] = []; // char codes of '{' and '['
  let state = State.Value;
  let i = 0;
  const skipSpace = () => {
    WHITESPACE.lastIndex = i;
    WHITESPACE.exec(text);
    i = WHITESPACE.lastIndex;
  };
  const error = (expected: string): JsonSyntaxError => ({ position: i, expected });

  for (;;) {
    skipSpace();
    const c = text[i];
    if (state === State.FirstItem) {
      if (c === ']') {
        containers.pop();
        i++;
        state = State.AfterValue;
        continue;
      }
      state = State.Value;
    } else if (state === State.FirstKey) {
      if (c === '}') {
        containers.pop();
        i++;
        state = State.AfterValue;
        continue;
      }
      state = State.Key;
    }
    switch (state) {
      case State.Value:
        if (c === '{') {
          containers.push(0x7b);
          i++;
          state = State.FirstKey;
        } else if (c === '[') {
          containers.push(0x5b);
          i++;
          state = State.FirstItem;
        } else if (c === '"') {
          if (!scanString()) return error('the end of the string');
          state = State.AfterValue;
        } else if (c === '-' || (c >= '0' && c <= '9')) {
          NUMBER.lastIndex = i;
          if (!NUMBER.test(text)) return error('a number');
          i = NUMBER.lastIndex;
          state = State.AfterValue;
        } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
          i += 4;
          state = State.AfterValue;
        } else if (text.startsWith('false', i)) {
          i += 5;
          state = State.AfterValue;
        } else {
          return error('a value');
        }
        continue;
      case State.Key:
        if (c !== '"') return error('a property name in double quotes');
        if (!scanString()) return error('the end of the string');
        skipSpace();
        if (text[i] !== ':') return error("':'");
        i++;
        state = State.Value;
        continue;
      case State.AfterValue: {
        const container = containers[containers.length - 1];
        if (container === undefined) return i >= text.length ? undefined : error('the end of the text');
        const close = container === 0x7b ? '}' : ']';
        if (c === ',') {
          i++;
          state = container === 0x7b ? State.Key : State.Value;
        } else if (c === close) {
          containers.pop();
          i++;
        } else {
          return error(`',' or '${close}'`);
        }
        continue;
      }
    }
  }

  /** Moves past a string starting at i; false if it is unterminated or holds a raw control character. */
  function scanString(): boolean {
    for (let k = i + 1; k < text.length; k++) {
      const code = text.charCodeAt(k);
      if (code === 0x22) {
        i = k + 1;
        return true;
      }
      if (code < 0x20) {
        i = k;
        return false;
      }
      if (code === 0x5c) {
        const next = text[k + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(k + 2, k + 6))) {
            i = k;
            return false;
          }
          k += 5;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          k++;
        } else {
          i = k;
          return false;
        }
      }
    }
    i = text.length;
    return false;
  }
}
