// Class (constructor) names of heap nodes, by DevTools' calculateObjectNames rules: hidden →
// `(system)`, code → `(compiled code)`, closure → `Function`, regexp → `RegExp`, object and
// native → the node's own name, anything else `(type)` such as `(string)` or `(array)`. Pure.
import type { HeapNodes } from './heapGraph';

/** The class name DevTools shows for `node`. */
export function classNameOf(graph: HeapNodes, node: number): string {
  const type = graph.nodeTypeNames[graph.nodeType[node]!] ?? 'unknown';
  return type === 'object' || type === 'native' ? graph.strings.get(graph.nodeName[node]!) : classOfType(type);
}

/**
 * The engine's own objects: `hidden` nodes (class `(system)`) and nodes named `system / …`
 * (contexts, maps, feedback cells written as objects). Decodes each distinct name once.
 */
export class SystemNodes {
  private readonly seen: Uint8Array;
  private readonly hidden: number;
  /** Per node type code: 1 for the string types, whose names are their values (never decoded here). */
  private readonly stringType: Uint8Array;

  constructor(private readonly graph: HeapNodes) {
    this.seen = new Uint8Array(graph.strings.count);
    this.hidden = graph.nodeTypeNames.indexOf('hidden');
    this.stringType = Uint8Array.from(graph.nodeTypeNames, (t) => (t === 'string' || t === 'concatenated string' || t === 'sliced string' ? 1 : 0));
  }

  /** True for a `(system)` node or one named `system / …` (a string whose value reads so is a string). */
  has(node: number): boolean {
    const g = this.graph;
    const type = g.nodeType[node]!;
    if (type === this.hidden) return true;
    if (this.stringType[type] === 1) return false;
    const name = g.nodeName[node]!;
    if (name >= this.seen.length) return false;
    let state = this.seen[name]!;
    if (state === 0) {
      state = g.strings.get(name).startsWith('system / ') ? 2 : 1;
      this.seen[name] = state;
    }
    return state === 2;
  }
}

/** Every node's class as a small integer, and the names: one Uint32Array, no per-node strings. */
export interface ClassIndex {
  /** Per node: an index into `names`. */
  classOf: Uint32Array;
  names: string[];
}

/** Classes for all nodes; names are decoded once per distinct object/native name. */
export function classIndex(graph: HeapNodes): ClassIndex {
  const names: string[] = [];
  const byName = new Map<string, number>();
  const intern = (name: string): number => {
    let id = byName.get(name);
    if (id === undefined) {
      id = names.length;
      names.push(name);
      byName.set(name, id);
    }
    return id;
  };
  const object = graph.nodeTypeNames.indexOf('object');
  const native = graph.nodeTypeNames.indexOf('native');
  const byType = graph.nodeTypeNames.map((type, code) => (code === object || code === native ? -1 : intern(classOfType(type))));
  const byNameIndex = new Map<number, number>();
  const classOf = new Uint32Array(graph.nodeCount);
  for (let i = 0; i < graph.nodeCount; i++) {
    const type = graph.nodeType[i]!;
    const fixed = byType[type] ?? intern('(unknown)');
    if (fixed >= 0) {
      classOf[i] = fixed;
      continue;
    }
    const nameIndex = graph.nodeName[i]!;
    let id = byNameIndex.get(nameIndex);
    if (id === undefined) {
      id = intern(graph.strings.get(nameIndex));
      byNameIndex.set(nameIndex, id);
    }
    classOf[i] = id;
  }
  return { classOf, names };
}

function classOfType(type: string): string {
  switch (type) {
    case 'hidden':
      return '(system)';
    case 'code':
      return '(compiled code)';
    case 'closure':
      return 'Function';
    case 'regexp':
      return 'RegExp';
    default:
      return `(${type})`;
  }
}
