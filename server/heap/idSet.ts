// Membership in a set of heap object ids kept as a sorted Uint32Array (what the reader's
// readSnapshotIds returns), by binary search: 4 bytes an id, and no JS Set, whose size limit
// (2^24 entries) real snapshots pass. Pure.

/** True when `id` is in `sorted` (ascending, unique). */
export function hasId(sorted: Uint32Array, id: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const value = sorted[mid]!;
    if (value === id) return true;
    if (value < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The ids of `a` that are not in `b` (both sorted ascending, unique), sorted: one merge pass. */
export function idsNotIn(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const id = a[i]!;
    while (j < b.length && b[j]! < id) j++;
    if (j < b.length && b[j] === id) continue;
    out[n++] = id;
  }
  return out.slice(0, n);
}
