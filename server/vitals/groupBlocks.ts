// Blocks that happened at the same place, together: how often, how long, how it is known. Pure.
import type { CodeOrigin } from '../analysis/codeOrigin';
import { locateLocation, UNKNOWN_FUNCTION, type BlockPlace, type LocateContext } from './locateBlock';
import { maxOf, median, round3 } from './stats';
import type { BlockGroup, ObservedBlock } from './vitalsTypes';

/**
 * Groups blocks by the function, file and line their place names (see locateLocation); the blocks
 * not located make one group ('(unknown)', file '', line 0, located false). Per group: `ms` the
 * median length, `maxMs`, `totalMs`, `count`; `sources` 'pause' and 'profile' by how many of its
 * blocks each located, the most frequent first; `endpoint` the most frequent among its blocks;
 * `column`, `inside` and `stack` those of its most recent block; `atWallMs` the blocks' ends,
 * oldest first. The longest total first (then the most blocks, then the most recent).
 */
export function groupBlocks(blocks: readonly ObservedBlock[], ctx: LocateContext = {}): BlockGroup[] {
  const byKey = new Map<string, Array<{ block: ObservedBlock; place: BlockPlace }>>();
  for (const block of blocks) {
    const place = locateLocation(block.location, ctx);
    const key = place.located ? `${place.function}\u0000${place.file}\u0000${place.line}` : '';
    let members = byKey.get(key);
    if (!members) byKey.set(key, (members = []));
    members.push({ block, place });
  }

  const groups: Array<BlockGroup & { lastWallMs: number }> = [];
  for (const members of byKey.values()) {
    members.sort((a, b) => a.block.endWallMs - b.block.endWallMs);
    const latest = members[members.length - 1].place;
    const ms = members.map((m) => m.block.ms);
    const group: BlockGroup & { lastWallMs: number } = {
      ms: round3(median(ms)),
      maxMs: round3(maxOf(ms)),
      totalMs: round3(ms.reduce((a, b) => a + b, 0)),
      count: members.length,
      function: latest.located ? latest.function : UNKNOWN_FUNCTION,
      file: latest.located ? latest.file : '',
      line: latest.located ? latest.line : 0,
      column: latest.located ? latest.column : 0,
      located: latest.located,
      sources: mostFrequent(members.flatMap((m) => (m.place.located && m.block.location.source !== 'none' ? [m.block.location.source] : []))),
      stack: latest.stack,
      atWallMs: members.map((m) => m.block.endWallMs),
      lastWallMs: members[members.length - 1].block.endWallMs,
    };
    const endpoint = mostFrequent(members.flatMap((m) => (m.place.endpoint ? [m.place.endpoint] : [])))[0];
    if (endpoint) group.endpoint = endpoint;
    if (latest.inside) group.inside = latest.inside;
    groups.push(group);
  }
  groups.sort((a, b) => b.totalMs - a.totalMs || b.count - a.count || b.lastWallMs - a.lastWallMs);
  return groups.map(({ lastWallMs: _, ...group }) => group);
}

/** The distinct values, the most frequent first (ties: the one seen last first). */
function mostFrequent<T>(values: readonly T[]): T[] {
  const counts = new Map<T, { n: number; last: number }>();
  values.forEach((value, i) => {
    const known = counts.get(value);
    counts.set(value, { n: (known?.n ?? 0) + 1, last: i });
  });
  return [...counts].sort((a, b) => b[1].n - a[1].n || b[1].last - a[1].last).map(([value]) => value);
}

/**
 * Whose code a group's place is (from its stack: the frame at its file and line), undefined when
 * not located. Only 'own' and 'dependency' places are files a user can open.
 */
export function groupOrigin(group: BlockGroup): CodeOrigin | undefined {
  if (!group.located) return undefined;
  return group.stack.find((line) => line.file === group.file && line.line === group.line)?.origin;
}
