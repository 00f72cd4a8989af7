import type { Protocol } from 'devtools-protocol';

type CallFrame = Protocol.Runtime.CallFrame;

/** What a call frame is: V8's special nodes, or ordinary code. */
export const FrameKind = { code: 0, root: 1, program: 2, idle: 3, gc: 4 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export interface FunctionTable {
  /** Function of each node, an index into `functions`. */
  functionOf: Int32Array;
  /** One call frame per distinct function (the first node's). */
  functions: CallFrame[];
  /** FrameKind of each function. */
  kindOf: Uint8Array;
}

/**
 * Line and column (both ≥ 0) as one Map key, a small integer (Smi) in the common cases so the Map
 * hashes it fast: short columns, or the long columns of a minified bundle's first few lines.
 */
function positionKey(line: number, column: number): number {
  if (line < 0x4000 && column < 0x10000) return (line << 16) | column;
  if (line < 0x40 && column < 0x1000000) return -(column * 0x40 + line) - 1;
  return -(2 ** 31) - (line * 2 ** 30 + column);
}

/**
 * Groups nodes into functions by functionName + url + lineNumber + columnNumber. scriptId is left
 * out on purpose: it changes from one session to the next while the url stays.
 */
export function buildFunctionTable(callFrames: readonly CallFrame[]): FunctionTable {
  const count = callFrames.length;
  const functionOf = new Int32Array(count);
  const functions: CallFrame[] = [];
  // Looked up by scriptId first (short strings hash fast), checking that the url matches: after
  // merging sessions one scriptId can name two scripts, which then go through the url table.
  const byScript = new Map<string, Script>();
  const byUrl = new Map<string, Script>();
  let sameSpot: Map<string, number> | undefined; // two names at one position: rare
  for (let i = 0; i < count; i++) {
    const frame = callFrames[i];
    let script = byScript.get(frame.scriptId);
    if (script === undefined || script.url !== frame.url) {
      script = byUrl.get(frame.url);
      if (script === undefined) byUrl.set(frame.url, (script = { url: frame.url, byPosition: new Map() }));
      if (!byScript.has(frame.scriptId)) byScript.set(frame.scriptId, script);
    }
    const position = positionKey(frame.lineNumber + 1, frame.columnNumber + 1);
    let fn = script.byPosition.get(position);
    if (fn === undefined) {
      fn = functions.push(frame) - 1;
      script.byPosition.set(position, fn);
    } else if (functions[fn].functionName !== frame.functionName) {
      const key = `${frame.functionName}\u0000${frame.url}\u0000${position}`;
      sameSpot ??= new Map();
      fn = sameSpot.get(key);
      if (fn === undefined) {
        fn = functions.push(frame) - 1;
        sameSpot.set(key, fn);
      }
    }
    functionOf[i] = fn;
  }
  const kindOf = new Uint8Array(functions.length);
  for (let f = 0; f < functions.length; f++) kindOf[f] = frameKind(functions[f]);
  return { functionOf, functions, kindOf };
}

interface Script {
  url: string;
  byPosition: Map<number, number>;
}

export function frameKind(frame: CallFrame): FrameKind {
  if (frame.url !== '') return FrameKind.code;
  switch (frame.functionName) {
    case '(root)':
      return FrameKind.root;
    case '(program)':
      return FrameKind.program;
    case '(idle)':
      return FrameKind.idle;
    case '(garbage collector)':
      return FrameKind.gc;
    default:
      return FrameKind.code;
  }
}

/** The name to show: V8 leaves anonymous functions' names empty. */
export function displayName(frame: CallFrame): string {
  return frame.functionName || '(anonymous)';
}
