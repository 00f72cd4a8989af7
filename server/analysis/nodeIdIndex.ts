/**
 * Maps CDP node ids to positions in `nodes`. V8 numbers nodes 1..N, so a typed array indexed by id
 * is the common case; sparse or huge ids fall back to a Map.
 */
export class NodeIdIndex {
  /** The first id seen twice, if any. */
  readonly duplicateId: number | undefined;
  private readonly table: Int32Array | undefined;
  private readonly map: Map<number, number> | undefined;

  constructor(ids: ArrayLike<number>) {
    const count = ids.length;
    let maxId = -1;
    let dense = true;
    for (let i = 0; i < count; i++) {
      const id = ids[i];
      if (!(id >= 0) || (id | 0) !== id) dense = false;
      else if (id > maxId) maxId = id;
    }
    let duplicateId: number | undefined;
    if (dense && maxId <= count * 4 + 1024) {
      const table = new Int32Array(maxId + 1).fill(-1);
      for (let i = 0; i < count; i++) {
        const id = ids[i];
        if (table[id] !== -1) duplicateId ??= id;
        else table[id] = i;
      }
      this.table = table;
    } else {
      const map = new Map<number, number>();
      for (let i = 0; i < count; i++) {
        const id = ids[i];
        if (map.has(id)) duplicateId ??= id;
        else map.set(id, i);
      }
      this.map = map;
    }
    this.duplicateId = duplicateId;
  }

  /** Position of the node with this id, or -1. */
  indexOf(id: number): number {
    if (this.table) {
      return id >= 0 && id < this.table.length && (id | 0) === id ? this.table[id] : -1;
    }
    return this.map!.get(id) ?? -1;
  }
}
