// The mount graph: which instance is mounted on which, with what prefix. The prefixes of an instance
// are every chain of mounts from a root (an instance mounted nowhere) down to it. Bounded: cycles
// (a router mounted by itself, apps mounting each other) end the chain with an unknown prefix, and
// long or many chains are cut.
import { joinMount } from './joinPaths';
import type { MountEdge } from './mountEdges';

export interface PrefixChain {
  prefix: string;
  /** Some mount on the way has a prefix that is not a constant, or a cycle was cut. */
  unknown: boolean;
}

const MAX_DEPTH = 16;
const MAX_CHAINS = 16;

export class MountGraph {
  private readonly parents = new Map<string, MountEdge[]>();
  private readonly memo = new Map<string, PrefixChain[]>();

  constructor(edges: Iterable<MountEdge>) {
    const seen = new Set<string>();
    for (const edge of edges) {
      const id = `${edge.child}\0${edge.parent}\0${edge.prefix ?? '\0'}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const list = this.parents.get(edge.child);
      if (list) list.push(edge);
      else this.parents.set(edge.child, [edge]);
    }
  }

  /** Whether anything is known to mount the instance. */
  isMounted(key: string): boolean {
    return (this.parents.get(key)?.length ?? 0) > 0;
  }

  /** The prefixes an instance's routes get, one per way it is mounted ([{ prefix: '' }] for a root). */
  prefixes(key: string): PrefixChain[] {
    const known = this.memo.get(key);
    if (known) return known;
    let chains = this.walk(key, new Set(), 0);
    // Mounted only inside a cycle (a router mounted by itself): what lies above is not known.
    if (chains.length === 0) chains = [{ prefix: '', unknown: true }];
    this.memo.set(key, chains);
    return chains;
  }

  private walk(key: string, path: Set<string>, depth: number): PrefixChain[] {
    const edges = this.parents.get(key);
    if (!edges?.length) return [{ prefix: '', unknown: false }];
    if (depth >= MAX_DEPTH) return [{ prefix: '', unknown: true }];
    path.add(key);
    const chains: PrefixChain[] = [];
    const add = (chain: PrefixChain) => {
      if (chains.length < MAX_CHAINS && !chains.some((c) => c.prefix === chain.prefix && c.unknown === chain.unknown)) chains.push(chain);
    };
    for (const edge of edges) {
      // A mount that leads back into the chain adds no way in from a root.
      if (path.has(edge.parent)) continue;
      for (const above of this.walk(edge.parent, path, depth + 1)) add({ prefix: joinMount(above.prefix, edge.prefix ?? ''), unknown: above.unknown || edge.prefix === undefined });
    }
    path.delete(key);
    return chains;
  }
}
