// Pure: the lines of the user's own code that allocated a leak report's suspects (each group's
// `allocatedAt`, from the sampling heap profile), by file and line, largest retained first, with
// the note after each line. No vscode here.
import type { AllocationSite, LeakSuspectGroup } from '../../server/heap/heapTypes';
import { pathKey } from '../annotations/profileIndex';
import { sitePath } from '../queries/queryIndex';
import { leakNote } from './heapText';

/** One allocating line with the suspect groups allocated there. */
export interface LeakLine {
  /** A path (file: URLs turned into one). */
  file: string;
  /** 1-based. */
  line: number;
  /** Largest retained first. */
  groups: LeakSuspectGroup[];
  /** This line's site in each group (same order as `groups`; the same function and line, as the heap profile sampled it). */
  sites: AllocationSite[];
  /** "● 4.1 MB retained · 12,000 Session objects · +38 KB per request". */
  note: string;
}

export class LeakLines {
  private readonly byFile = new Map<string, LeakLine[]>();

  /** Only sites in the user's own code, mapped to a real line, are annotated (Node's and dependencies' are in the report). */
  constructor(groups: readonly LeakSuspectGroup[]) {
    const lines = new Map<string, LeakLine>();
    const sorted = [...groups].sort((a, b) => b.retainedSize - a.retainedSize);
    for (const group of sorted) {
      const seen = new Set<string>();
      for (const site of group.allocatedAt ?? []) {
        if (site.origin !== 'own' || site.line < 1 || !site.file) continue;
        const file = sitePath(site.file);
        const key = `${pathKey(file)}:${site.line}`;
        if (seen.has(key)) continue;
        seen.add(key);
        let entry = lines.get(key);
        if (!entry) lines.set(key, (entry = { file, line: site.line, groups: [], sites: [], note: '' }));
        entry.groups.push(group);
        entry.sites.push(site);
      }
    }
    for (const entry of lines.values()) {
      entry.note = leakNote(entry.groups[0]!, entry.groups.length - 1);
      const key = pathKey(entry.file);
      if (!this.byFile.has(key)) this.byFile.set(key, []);
      this.byFile.get(key)!.push(entry);
    }
    for (const list of this.byFile.values()) list.sort((a, b) => a.line - b.line);
  }

  /** The allocating lines of one file, by line. */
  linesIn(fsPath: string): readonly LeakLine[] {
    return this.byFile.get(pathKey(fsPath)) ?? [];
  }

  /** Every allocating line, by file then line. */
  all(): LeakLine[] {
    return [...this.byFile.values()].flat();
  }
}
