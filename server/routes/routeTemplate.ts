// Route templates ('/customers/:customerId/orders', '/orders/{id}', '/files/*') against concrete
// paths, segment by segment. Pure; "did you mean" and the queries' endpoint names share it.

/** A template segment that stands for a value: `:id`, `{id}`, `*` or `*rest`. */
export const isParamSegment = (segment: string): boolean => segment.startsWith(':') || segment.startsWith('*') || /^\{.+\}$/.test(segment);

/** A path's segments, its query string left out: '/a/b?x=1' → ['a', 'b']. */
export const pathSegments = (path: string): string[] => path.split(/[?#]/)[0]!.split('/').filter((s) => s !== '');

/** Does template segment `t` accept the concrete segment `r`? */
export function acceptsSegment(t: string, r: string): boolean {
  return isParamSegment(t) || t === r;
}

/** Does the whole template match the path? A last segment `*` (or `*rest`) takes what is left. */
export function matchesTemplate(template: readonly string[], path: readonly string[]): boolean {
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    if (t.startsWith('*') && i === template.length - 1) return path.length >= i;
    const p = path[i];
    if (p === undefined || !acceptsSegment(t, safeDecode(p))) return false;
  }
  return template.length === path.length;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
