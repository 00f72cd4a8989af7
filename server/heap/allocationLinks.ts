// Which source lines allocated each leak suspect group, from a sampling heap profile's sites
// (already mapped to the original source, largest liveBytes first). Pure: where a function
// constructs a class is asked through a callback (constructionSite.ts reads the source).
import type { AllocationSite, LeakSuspectGroup } from './heapTypes';
import type { SourcePlace } from './constructionSite';

/** Sites kept for a group that no site constructs. */
const LOAD_SITES = 3;
/** Sites kept for a group that some do (largest first). */
const CLASS_SITES = 5;
/** The share of all suspects' retained size a group needs before the load's top sites are named as its allocators. */
const DOMINANT_SHARE = 0.5;

/** Where `site`'s function constructs `className` (`new AuditEntry(`), if it does. */
export type FindConstruction = (site: AllocationSite, className: string) => SourcePlace | undefined;

/**
 * Fills each group's `allocatedAt` (and `allocationMatch`). A site belongs to a group when its
 * function is the class's constructor (V8 names that frame after the class), or when its function
 * constructs the class (`construction` finds the `new AuditEntry(` line in the function's body: the
 * site is moved to that line); the 5 largest are kept (allocationMatch 'class'). When no site
 * matches the largest group and it holds at least half of all groups' retained size, it gets the
 * top sites of the user's own code (`origin === 'own'`, at most 3) as "allocated during the load"
 * (allocationMatch 'load'): object literals and arrays have no constructor call to find, and the
 * load's own allocations most likely made what stayed alive. Other groups no site matches get no
 * sites: naming a line that did not allocate them would mislead.
 */
export function linkAllocations(groups: LeakSuspectGroup[], sites: AllocationSite[], construction?: FindConstruction): void {
  if (sites.length === 0) return;
  const total = groups.reduce((sum, g) => sum + g.retainedSize, 0);
  groups.forEach((group, index) => {
    const matches = sites.flatMap((site): AllocationSite[] => {
      if (site.functionName === group.name) return [site];
      const place = construction?.(site, group.name);
      return place ? [{ ...site, ...place }] : [];
    });
    if (matches.length > 0) {
      group.allocatedAt = matches.slice(0, CLASS_SITES);
      group.allocationMatch = 'class';
      return;
    }
    const own = sites.filter((s) => s.origin === 'own').slice(0, LOAD_SITES);
    if (index === 0 && own.length > 0 && group.retainedSize >= DOMINANT_SHARE * total) {
      group.allocatedAt = own;
      group.allocationMatch = 'load';
    }
  });
}
