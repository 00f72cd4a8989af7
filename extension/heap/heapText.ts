// Pure: what the heap features say in the editor: the note after an allocating line and its hover,
// a retainer path written out step by step, the snapshot warning and notifications, progress, and
// what to do about each heap error. Sizes through formatBytes. No vscode here: the webviews use it too.
import type { HeapProgress } from '../../server/protocol/protocol';
import type { AllocationSite, LeakSuspectGroup, RetainerStep } from '../../server/heap/heapTypes';
import { formatBytes } from '../../server/text/formatBytes';

/** 12000 → "12,000". */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "12,000 Session objects", "1 Session object". */
export function objectsText(count: number, name: string): string {
  return `${formatCount(count)} ${name} ${count === 1 ? 'object' : 'objects'}`;
}

/** "+38 KB per request", or undefined when there was no load to divide by. */
export function growthText(bytesPerRequest: number | undefined): string | undefined {
  if (bytesPerRequest === undefined || !Number.isFinite(bytesPerRequest)) return undefined;
  return `${bytesPerRequest >= 0 ? '+' : ''}${formatBytes(bytesPerRequest)} per request`;
}

/** The note after an allocating line: "● 4.1 MB retained · 12,000 Session objects · +38 KB per request" (`others`: more groups allocated there). */
export function leakNote(group: LeakSuspectGroup, others = 0): string {
  const parts = [`● ${formatBytes(group.retainedSize)} retained`, objectsText(group.count, group.name)];
  const growth = growthText(group.growthPerRequest);
  if (growth) parts.push(growth);
  if (others > 0) parts.push(`+${others} more ${others === 1 ? 'group' : 'groups'}`);
  return parts.join(' · ');
}

/** One step of a retainer path: "(GC roots)" for the root, else "auditLog → Array @1234". */
export function stepText(step: RetainerStep): string {
  const node = step.id ? `${step.node} @${step.id}` : step.node;
  return step.edge ? `${step.edge} → ${node}` : node;
}

/** The path written out, one step a line: the root, then "↳ auditLog → Array @1234" for each step after it. */
export function retainerLines(path: readonly RetainerStep[]): string[] {
  return path.map((step, i) => (i === 0 ? stepText(step) : `↳ ${stepText(step)}`));
}

/** Escapes what Markdown would read as markup inside a sentence (emphasis, links, code, HTML tags). */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|~]/g, '\\$&');
}

/**
 * The hover on an allocating line, as Markdown: what was sampled at the line (`site`), the largest
 * group allocated there with its figures and its retainer path from a GC root (a code block), the
 * other groups in a line each, and a link to the leak report (`reportCommand`: a command: URI).
 */
export function leakHoverMarkdown(groups: readonly LeakSuspectGroup[], site: AllocationSite | undefined, reportCommand: string): string {
  const [first, ...others] = groups;
  const parts: string[] = [];
  if (first) {
    const growth = growthText(first.growthPerRequest);
    parts.push(`**PerfLens leak suspect:** ${escapeMarkdown(`${objectsText(first.count, first.name)} allocated during the load and still alive after it, ${formatBytes(first.retainedSize)} retained${growth ? `, ${growth}` : ''}.`)}`);
  }
  if (site) parts.push(escapeMarkdown(`Allocated here: ${formatBytes(site.liveBytes)} sampled live (${Math.round(site.share * 100)} % of what the load's allocations left alive) in ${site.functionName || '(anonymous)'}.`));
  if (first) parts.push(`Held from a GC root by:\n\n\`\`\`text\n${retainerLines(first.path).join('\n').replace(/```/g, "'''")}\n\`\`\``);
  if (others.length) parts.push(`Also allocated here:\n\n${others.map((g) => `- ${escapeMarkdown(`${objectsText(g.count, g.name)}, ${formatBytes(g.retainedSize)} retained`)}`).join('\n')}`);
  parts.push(`[Open the leak report](${reportCommand})`);
  return parts.join('\n\n');
}

/** The modal warning before a snapshot: the service pauses, and may need twice its heap (Node's docs). */
export function snapshotWarning(service: string, heapUsed?: number): { message: string; detail: string } {
  return {
    message: `Taking a heap snapshot pauses ${service} while V8 writes it (seconds for a large heap) and may need about twice its heap in memory`,
    detail: `${heapUsed ? `Its JavaScript heap holds ${formatBytes(heapUsed)} now. ` : ''}The snapshot is written to .perflens/heap/ in the workspace; it opens in PerfLens's summary and in Chrome DevTools (Memory tab → Load).`,
  };
}

/** "Heap snapshot saved: .perflens/heap/x.heapsnapshot (45 MB)". */
export function snapshotSavedText(file: string, bytes: number, durationMs?: number): string {
  return `Heap snapshot saved: ${file} (${formatBytes(bytes)}${durationMs !== undefined ? `, ${(durationMs / 1000).toFixed(1)} s` : ''})`;
}

/** A heapProgress event as a progress line: "reading nodes · 42 %". */
export function progressText(progress: HeapProgress): string {
  return progress.fraction === undefined ? progress.message : `${progress.message} · ${Math.round(Math.min(1, Math.max(0, progress.fraction)) * 100)} %`;
}

/** What to do about a heap error, by the server's code (undefined: the message says enough). */
export function heapErrorAdvice(code: string): string | undefined {
  switch (code) {
    case 'INVALID_SNAPSHOT':
      return 'The file is not a complete V8 heap snapshot: it may have been cut short (a process that died while writing it, a copy that stopped) or come from another tool. Take the snapshot again; a file ending in .partial was never finished.';
    case 'SNAPSHOT_TOO_LARGE':
      return 'Reading this snapshot needs more memory than this machine has free. Close other programs, or analyse it on a machine with more memory: `perflens heap summary FILE` in a terminal there.';
    case 'SNAPSHOT_FAILED':
      return 'The snapshot could not be written: check the free space on the disk that holds .perflens/heap/, then take it again.';
    case 'NO_TARGET':
      return 'Attach to the service or launch it first (PerfLens: Attach to Process… or Launch Service).';
    case 'TARGET_LOST':
      return 'The service went away while the snapshot was taken; its partial file was removed. Start it again and take another.';
    case 'BUSY':
      return 'Another PerfLens run (a profile, a load test, a snapshot) is using the service: wait for it to end, or cancel it.';
    default:
      return undefined;
  }
}

/** Why Compare Heap Snapshots cannot compare `count` files, or undefined when it can (two or three). */
export function compareSelectionProblem(count: number): string | undefined {
  if (count === 2 || count === 3) return undefined;
  return `Compare Heap Snapshots takes two or three snapshots of one process (before, after some work, and after the same work again), not ${count}. Select them together in the Explorer, or in the dialog.`;
}
