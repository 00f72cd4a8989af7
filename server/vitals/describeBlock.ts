// A block's place and a group of blocks in words, the same in the diagnosis, the headline, the
// terminal and the live line. Pure.
import { relativeTo } from '../analysis/formatReport';
import { formatMsShort } from '../text/formatMs';
import type { BlockGroup, LiveBlock } from './vitalsTypes';

type Place = Pick<LiveBlock, 'function' | 'file' | 'line' | 'located' | 'endpoint' | 'inside'>;

/** The name V8 gives GC time; a block located there reads "garbage collection". */
const GC_NAME = '(garbage collector)';

/**
 * `busyWait (src/routes/block.ts:12)`; `pbkdf2Sync, called from hashPassword (src/auth.ts:9)`
 * when the thread was inside Node's code; `garbage collection`; `an unknown place` when not
 * located. Paths inside `cwd` are shown relative to it.
 */
export function describePlace(place: Place, cwd: string): string {
  if (!place.located) return 'an unknown place';
  if (place.function === GC_NAME && !place.file) return 'garbage collection';
  return withInside(place, `${nameOf(place.function)}${where(place, cwd)}`);
}

/** V8's `(anonymous)` reads as words. */
function nameOf(fn: string): string {
  return fn === '(anonymous)' || fn === '' ? 'an anonymous function' : fn;
}

/**
 * One sentence for a group: `GET /block blocked the event loop for 212 ms in busyWait
 * (src/routes/block.ts:12), 14 times.`; without an endpoint `The event loop was blocked for 212 ms
 * in …`. The length is the group's median, with its max when that is a quarter longer or more.
 */
export function describeBlockGroup(group: BlockGroup, cwd: string): string {
  let length = formatMsShort(group.ms);
  if (group.count > 1 && group.maxMs >= group.ms * 1.25) length += ` (up to ${formatMsShort(group.maxMs)})`;
  const times = group.count === 1 ? 'once' : group.count === 2 ? 'twice' : `${group.count} times`;
  if (group.endpoint && group.located) {
    // An anonymous handler is named by its route: say "its handler" rather than the route twice.
    const place = group.function === group.endpoint ? withInside(group, `its handler${where(group, cwd)}`) : describePlace(group, cwd);
    return `${group.endpoint} blocked the event loop for ${length} in ${place}, ${times}.`;
  }
  return `The event loop was blocked for ${length} in ${describePlace(group, cwd)}, ${times}.`;
}

function where(place: Place, cwd: string): string {
  return place.file ? ` (${relativeTo(place.file, cwd)}:${place.line})` : '';
}

function withInside(place: Place, text: string): string {
  if (!place.inside) return text;
  return place.inside === '(anonymous)' ? `Node.js's own code, called from ${text}` : `${place.inside}, called from ${text}`;
}
