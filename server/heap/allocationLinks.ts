// Which source lines allocated each leak suspect group, from a sampling heap profile's sites
// (already mapped to the original source, largest liveBytes first). Pure: the source text
// comes through a callback.
import type { AllocationSite, LeakSuspectGroup } from './heapTypes';

/** Sites kept for a group that no site constructs. */
const LOAD_SITES = 3;
/** Sites kept for a group that some do (largest first). */
const CLASS_SITES = 5;

/**
 * Fills each group's `allocatedAt` (and `allocationMatch`). A site belongs to a group when its
 * source line constructs the group's class (`new AuditEntry(` or `new AuditEntry<…>(`, read
 * through `sourceLine(file, line)`), or when its function is the class's constructor (V8 names
 * that frame after the class); the 5 largest are kept (allocationMatch 'class'). A group no site matches gets the top sites of the user's own
 * code (`origin === 'own'`, at most 3) as "allocated during the load" (allocationMatch 'load'):
 * object literals and arrays have no constructor call to find. Groups stay untouched when there
 * are no sites.
 */
export function linkAllocations(groups: LeakSuspectGroup[], sites: AllocationSite[], sourceLine?: (file: string, line: number) => string | undefined): void {
  if (sites.length === 0) return;
  const own = sites.filter((s) => s.origin === 'own').slice(0, LOAD_SITES);
  const lines = new Map<string, string | undefined>();
  const lineOf = (site: AllocationSite): string | undefined => {
    if (!sourceLine) return undefined;
    const key = `${site.file}:${site.line}`;
    if (!lines.has(key)) lines.set(key, sourceLine(site.file, site.line));
    return lines.get(key);
  };
  for (const group of groups) {
    const constructs = constructorCall(group.name);
    const matches = sites.filter((site) => site.functionName === group.name || (constructs !== undefined && constructs.test(lineOf(site) ?? '')));
    if (matches.length > 0) {
      group.allocatedAt = matches.slice(0, CLASS_SITES);
      group.allocationMatch = 'class';
    } else if (own.length > 0) {
      group.allocatedAt = own;
      group.allocationMatch = 'load';
    }
  }
}

/** `new Name(` (type arguments allowed) for a class name that is an identifier; undefined for `(system)`, `Object`'s literals … */
function constructorCall(name: string): RegExp | undefined {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return undefined;
  return new RegExp(`\\bnew\\s+${name.replace(/\$/g, '\\$')}\\s*(<[^>]*>\\s*)?\\(`);
}
