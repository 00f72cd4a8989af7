// Class (constructor) names of heap nodes, by DevTools' calculateObjectNames rules: hidden →
// `(system)`, code → `(compiled code)`, closure → `Function`, regexp → `RegExp`, object and
// native → the node's own name, anything else `(type)` such as `(string)` or `(array)`. Pure.
import type { HeapGraph } from './heapGraph';

/** The class name DevTools shows for `node`. */
export function classNameOf(graph: HeapGraph, node: number): string {
  const type = graph.nodeTypeNames[graph.nodeType[node]!] ?? 'unknown';
  switch (type) {
    case 'hidden':
      return '(system)';
    case 'code':
      return '(compiled code)';
    case 'closure':
      return 'Function';
    case 'regexp':
      return 'RegExp';
    case 'object':
    case 'native':
      return graph.strings.get(graph.nodeName[node]!);
    default:
      return `(${type})`;
  }
}

/** Every node's class as a small integer, and the names: one Uint32Array, no per-node strings. */
export interface ClassIndex {
  /** Per node: an index into `names`. */
  classOf: Uint32Array;
  names: string[];
}

/** Classes for all nodes; names are decoded once per distinct object/native name. */
export function classIndex(graph: HeapGraph): ClassIndex {
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
    const fixed = byType[type] ?? intern(`(unknown)`);
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
