// Pure: the event-loop blocks of a report (its vitals section's groups) and those seen live while
// watching, by source file and line, with the note after the line and the diagnostic's message.
// No vscode here.
import { formatMsShort } from '../../server/text/formatMs';
import type { BlockGroup, LiveBlock } from '../../server/vitals/vitalsTypes';
import { pathKey } from '../annotations/profileIndex';
import { formatCount } from '../queries/queryFormat';
import { sitePath } from '../queries/queryIndex';

/** A live block and a report's block are the same block when their ends are this close (ms). */
const SAME_BLOCK_MS = 2;

/** Blocks at one line of the user's code. */
export interface BlockLine {
  /** A path (file: URLs turned into one). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  count: number;
  /** Typical (median) length, ms. */
  ms: number;
  maxMs: number;
  totalMs: number;
  /** The functions the thread was in (usually one). */
  functions: string[];
  /** Node's own or native function it was inside (`pbkdf2Sync`), when one. */
  inside?: string;
  /** The endpoints whose handler was on the stack. */
  endpoints: string[];
  /** How the blocks were located. */
  sources: Array<'pause' | 'profile'>;
  /** "● blocked the event loop 212 ms · 14× · GET /block". */
  note: string;
  /** The Problems panel's sentence. */
  message: string;
}

interface Acc {
  file: string;
  line: number;
  column: number;
  lengths: Array<{ ms: number; count: number }>;
  count: number;
  maxMs: number;
  totalMs: number;
  functions: Set<string>;
  inside?: string;
  endpoints: Set<string>;
  sources: Set<'pause' | 'profile'>;
  /** End times of the report's blocks here, to leave out the same blocks seen live. */
  reportEnds: number[];
}

const located = (b: { located: boolean; file: string; line: number }) => b.located && b.file !== '' && b.line > 0;

export class BlockIndex {
  private readonly byFile = new Map<string, Map<number, BlockLine>>();

  /** `groups`: the last report's (longest total first); `live`: blocks seen while watching, oldest first. */
  constructor(groups: readonly BlockGroup[], live: readonly LiveBlock[] = []) {
    const acc = new Map<string, Acc>();
    const at = (file: string, line: number, column: number): Acc => {
      const path = sitePath(file);
      const key = `${pathKey(path)}:${line}`;
      let a = acc.get(key);
      if (!a) acc.set(key, (a = { file: path, line, column, lengths: [], count: 0, maxMs: 0, totalMs: 0, functions: new Set(), endpoints: new Set(), sources: new Set(), reportEnds: [] }));
      return a;
    };
    for (const g of groups) {
      if (!located(g) || g.count <= 0) continue;
      const a = at(g.file, g.line, g.column);
      a.lengths.push({ ms: g.ms, count: g.count });
      a.count += g.count;
      a.maxMs = Math.max(a.maxMs, g.maxMs);
      a.totalMs += g.totalMs;
      a.functions.add(g.function);
      a.inside ??= g.inside;
      if (g.endpoint) a.endpoints.add(g.endpoint);
      for (const s of g.sources) a.sources.add(s);
      a.reportEnds.push(...g.atWallMs);
    }
    for (const b of live) {
      if (!located(b)) continue;
      const a = at(b.file, b.line, b.column);
      if (a.reportEnds.some((end) => Math.abs(end - b.endWallMs) <= SAME_BLOCK_MS)) continue;
      a.lengths.push({ ms: b.ms, count: 1 });
      a.count++;
      a.maxMs = Math.max(a.maxMs, b.ms);
      a.totalMs += b.ms;
      a.functions.add(b.function);
      a.inside ??= b.inside;
      if (b.endpoint) a.endpoints.add(b.endpoint);
      if (b.source !== 'none') a.sources.add(b.source);
    }
    for (const a of acc.values()) {
      const entry: BlockLine = {
        file: a.file,
        line: a.line,
        column: a.column,
        count: a.count,
        ms: weightedMedian(a.lengths),
        maxMs: a.maxMs,
        totalMs: a.totalMs,
        functions: [...a.functions],
        ...(a.inside ? { inside: a.inside } : {}),
        endpoints: [...a.endpoints],
        sources: [...a.sources],
        note: '',
        message: '',
      };
      entry.note = blockNote(entry);
      entry.message = blockMessage(entry);
      const key = pathKey(a.file);
      if (!this.byFile.has(key)) this.byFile.set(key, new Map());
      this.byFile.get(key)!.set(a.line, entry);
    }
  }

  /** The lines of a file with blocks, by line. */
  linesIn(file: string): BlockLine[] {
    return [...(this.byFile.get(pathKey(file))?.values() ?? [])].sort((a, b) => a.line - b.line);
  }

  /** Every line with blocks, file by file. */
  all(): BlockLine[] {
    return [...this.byFile.values()].flatMap((lines) => [...lines.values()]);
  }

  get size(): number {
    return this.all().length;
  }
}

/** The median of values each counted `count` times. */
export function weightedMedian(values: ReadonlyArray<{ ms: number; count: number }>): number {
  const sorted = [...values].sort((a, b) => a.ms - b.ms);
  const total = sorted.reduce((n, v) => n + v.count, 0);
  if (total === 0) return 0;
  let seen = 0;
  for (const v of sorted) {
    seen += v.count;
    if (seen * 2 >= total) return v.ms;
  }
  return sorted[sorted.length - 1].ms;
}

function endpointsText(endpoints: readonly string[]): string {
  return endpoints.length <= 2 ? endpoints.join(', ') : `${endpoints.slice(0, 2).join(', ')} +${endpoints.length - 2} more`;
}

/** "● blocked the event loop 212 ms · 14× · GET /block" (the typical length; "in pbkdf2Sync" when inside Node's own code). */
export function blockNote(b: Pick<BlockLine, 'ms' | 'count' | 'inside' | 'endpoints'>): string {
  const parts = [`● blocked the event loop ${formatMsShort(b.ms)}${b.inside ? ` in ${b.inside}` : ''}`];
  if (b.count > 1) parts.push(`${formatCount(b.count)}×`);
  if (b.endpoints.length) parts.push(endpointsText(b.endpoints));
  return parts.join(' · ');
}

/** "The event loop was blocked here 14 times (typically 212 ms, at most 480 ms, 2.97 s in all), in busyWait, during GET /block." */
export function blockMessage(b: Pick<BlockLine, 'ms' | 'maxMs' | 'totalMs' | 'count' | 'functions' | 'inside' | 'endpoints'>): string {
  const figures = b.count === 1 ? `for ${formatMsShort(b.ms)}` : `${formatCount(b.count)} times (typically ${formatMsShort(b.ms)}, at most ${formatMsShort(b.maxMs)}, ${formatMsShort(b.totalMs)} in all)`;
  const fn = b.functions.filter((f) => f && f !== '(unknown)');
  const where = b.inside ? `, inside ${b.inside}${fn.length ? ` called from ${fn.join(', ')}` : ''}` : fn.length ? `, in ${fn.join(', ')}` : '';
  const during = b.endpoints.length ? `, during ${endpointsText(b.endpoints)}` : '';
  return `The event loop was blocked here ${figures}${where}${during}: nothing else in the service ran meanwhile.`;
}
