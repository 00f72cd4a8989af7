// The one sentence a leak hunt leads with, and the structure a suspect group is held by. Pure.
import { relativeTo } from '../analysis/formatReport';
import { formatBytes } from '../text/formatBytes';
import type { HeapDiff, LeakSuspectGroup, RetainerStep } from './heapTypes';

/** Edges that name what holds an object in the user's terms (not `[12]` or V8's internals). */
const NAMING_EDGES = new Set(['property', 'context', 'shortcut']);

/**
 * What holds the group's objects, from its retainer path: the last named edge before the object,
 * with the class of the node it leads to, e.g. `auditLog (Array)`. Undefined when the path has none.
 */
export function heldBy(path: readonly RetainerStep[]): string | undefined {
  for (let i = path.length - 2; i >= 1; i--) {
    const step = path[i];
    if (NAMING_EDGES.has(step.edgeType) && step.edge) return `${step.edge} (${step.node})`;
  }
  return undefined;
}

export interface LeakHeadlineInput {
  method: string;
  /** The URL's path, e.g. /leak. */
  path: string;
  suspects: readonly LeakSuspectGroup[];
  /** Groups that grew over the first load only (HeapDiff.settled). */
  settled?: readonly LeakSuspectGroup[];
  /** Bytes per request over all groups. */
  growthPerRequest: number;
  /** Requests of the first load. */
  requests: number;
  /** Objects allocated during the first load that were still alive at the last snapshot. */
  survivingCount: number;
  cwd: string;
}

/**
 * "GET /leak leaks about 20 KB per request: 1,200 AuditEntry objects (24 MB) held by auditLog (Array),
 * allocated at demo/src/routes/leak.ts:24", or "no growth found: …".
 */
export function leakHeadline(input: LeakHeadlineInput): string {
  const endpoint = `${input.method} ${input.path}`;
  const top = input.suspects[0];
  if (!top || input.growthPerRequest <= 0) {
    const settled = input.settled ?? [];
    if (settled.length === 0) return `no growth found: nothing that ${endpoint} allocated during the first load (${count(input.requests)} requests) was still alive after the second load`;
    const kept = settled.slice(0, 2).map((g) => `${count(g.count)} ${g.name}`).join(', ');
    const size = formatBytes(settled.reduce((sum, g) => sum + g.retainedSize, 0));
    return `no growth found: what ${endpoint} kept from the first load (${count(input.requests)} requests; ${kept}${settled.length > 2 ? ', …' : ''}: ${size}) did not grow over the second load: a pool or cache that filled up, not a leak`;
  }
  const holder = heldBy(top.path);
  const site = top.allocatedAt?.find((s) => s.origin === 'own') ?? top.allocatedAt?.[0];
  const where = site ? `, allocated at ${relativeTo(site.file, input.cwd)}:${site.line}` : '';
  const more = input.suspects.length > 1 ? ` (and ${count(input.suspects.length - 1)} more group${input.suspects.length > 2 ? 's' : ''})` : '';
  return `${endpoint} leaks about ${formatBytes(input.growthPerRequest)} per request: ${count(top.count)} ${top.name} objects (${formatBytes(top.retainedSize)})${holder ? ` held by ${holder}` : ''}${where}${more}`;
}

/**
 * A diff of snapshot files (no load, so no growth per request): "3,000 AuditEntry objects (890 KB)
 * new in the second snapshot are still alive in the third, held by auditLog (Array)", or "no
 * growth found: …".
 */
export function diffHeadline(diff: Pick<HeapDiff, 'snapshots' | 'suspects' | 'settled'>): string {
  const three = diff.snapshots.length === 3;
  const since = three ? 'new in the second snapshot' : 'new since the first snapshot';
  const last = three ? 'the third' : 'the second';
  const top = diff.suspects[0];
  if (!top) {
    const settled = diff.settled ?? [];
    if (settled.length === 0) return `no growth found: nothing ${since} was still alive in ${last} (noise left out)`;
    const kept = settled.slice(0, 2).map((g) => `${count(g.count)} ${g.name}`).join(', ');
    return `no growth found: what was ${since} (${kept}${settled.length > 2 ? ', …' : ''}) did not grow again by the third: a pool or cache that filled up, not a leak`;
  }
  const holder = heldBy(top.path);
  const more = diff.suspects.length > 1 ? ` (and ${count(diff.suspects.length - 1)} more group${diff.suspects.length > 2 ? 's' : ''})` : '';
  return `${count(top.count)} ${top.name} ${top.count === 1 ? 'object' : 'objects'} (${formatBytes(top.retainedSize)}) ${since} ${top.count === 1 ? 'is' : 'are'} still alive in ${last}${holder ? `, held by ${holder}` : ''}${more}`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
