// Pure: the live panel's sentences (banners, the block list, the header). No DOM here.
import { formatMsShort } from '../../server/text/formatMs';
import type { LiveBlock, LiveStall, VitalsSample } from '../../server/vitals/vitalsTypes';
import type { WatchInfo } from './vitalsStore';

/** `file` relative to the first workspace folder that holds it ("src/x.ts"), else as it is. */
export function relativePath(file: string, roots: readonly string[]): string {
  const f = file.replace(/\\/g, '/');
  for (const root of roots) {
    const r = root.replace(/\\/g, '/').replace(/\/+$/, '');
    if (r && f.startsWith(`${r}/`)) return f.slice(r.length + 1);
  }
  return f;
}

/** "src/routes/block.ts:13", or undefined for a block that was not located. */
export function blockWhere(block: Pick<LiveBlock, 'file' | 'line' | 'located'>, roots: readonly string[]): string | undefined {
  return block.located && block.file && block.line > 0 ? `${relativePath(block.file, roots)}:${block.line}` : undefined;
}

/** 12,400 ms → "12 s"; 850 → "850 ms". */
export function formatStallMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms)} ms`;
}

/** "The service has not answered for 12 s — blocked in spin (src/x.ts:5)". */
export function stallText(stall: LiveStall, roots: readonly string[]): string {
  const head = `The service has not answered for ${formatStallMs(stall.ms)}`;
  const where = stall.where;
  if (!where) return `${head} — its event loop is blocked; where is not known yet.`;
  const at = blockWhere(where, roots);
  const inside = where.inside ? ` inside ${where.inside}` : '';
  if (!at) return `${head} — its event loop is blocked${inside}; the line is not known.`;
  return `${head} — blocked in ${where.function}${inside} (${at})`;
}

/** The list entry of a block: "212 ms · busyWait · src/routes/block.ts:13 · GET /block". */
export function blockText(block: LiveBlock, roots: readonly string[]): string {
  const at = blockWhere(block, roots);
  const parts = [formatMsShort(block.ms)];
  if (at) parts.push(`${block.function}${block.inside ? ` → ${block.inside}` : ''}`, at);
  else parts.push(block.source === 'none' ? 'not located (the loop turned again before the pause reached it)' : 'not located');
  if (block.endpoint) parts.push(block.endpoint);
  return parts.join(' · ');
}

/** 14:03:12, in the viewer's time zone. */
export function formatClock(wallMs: number): string {
  const d = new Date(wallMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** The banner once the watch is over; the charts stay. */
export function endedText(reason: string): string {
  return `${reason.replace(/[.\s]+$/, '')}. The charts keep what arrived until then; Export still saves it.`;
}

/** Under the title: Node's version, the block threshold and how blocks are named. */
export function statusLine(info: WatchInfo): string {
  const naming = info.status.pauseCapture
    ? 'blocks are named by pausing the thread through the inspector (about 1 ms per block)'
    : info.nameBlocks
      ? 'blocks are not named: pausing the thread is not available here'
      : 'blocks are not named (perflens.vitals.nameBlocks is off)';
  return `Node ${info.status.node} · blocks ≥ ${formatMsShort(info.blockThresholdMs)} · ${naming}`;
}

/** The latest figures: "loop p99 12 ms · ELU 34 % · CPU 41 % · heap 52 MB · RSS 120 MB". */
export function nowLine(sample: VitalsSample): string {
  const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;
  const parts = [`loop p99 ${formatMsShort(sample.delay.p99)}`];
  if (sample.elu !== undefined) parts.push(`ELU ${Math.round(sample.elu * 100)} %`);
  parts.push(`CPU ${Math.round(sample.cpu * 100)} %`, `heap ${mb(sample.memory.heapUsed)}`, `RSS ${mb(sample.memory.rss)}`);
  return parts.join(' · ');
}
