// Shared by the fuzz tests: where inside a generated value a mutation can go.

/** A key of an object or an index of an array. */
export type PathSegment = string | number;

/** Every path inside a value except the root, depth first: [['a'], ['a', 0], ['b']]. */
export function pathsOf(value: unknown, prefix: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  if (!value || typeof value !== 'object') return out;
  const entries: [PathSegment, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  for (const [key, item] of entries) {
    out.push([...prefix, key]);
    pathsOf(item, [...prefix, key], out);
  }
  return out;
}
