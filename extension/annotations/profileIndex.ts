// Pure: a profile report indexed by source file, for annotations and hovers. No vscode here.
import type { FunctionCost, LineCost, ProfileReport } from '../../server/analysis/reportTypes';
import { formatMs } from '../../server/text/formatMs';

export { formatMs };

export interface HotLine extends LineCost {
  /** 1 (warm) … 3 (hottest), for the gutter mark. */
  heat: 1 | 2 | 3;
}

export interface FileCosts {
  lines: HotLine[];
  functions: FunctionCost[];
}

export interface IndexOptions {
  /** Lines under this share of the profile are not annotated. */
  minShare: number;
  /** At most this many lines are annotated, across all files. */
  maxLines: number;
}

/** Normalises a path for comparison (case-sensitive, forward slashes). */
export function pathKey(path: string): string {
  return path.replace(/\\/g, '/');
}

export class ProfileIndex {
  private readonly byFile = new Map<string, FileCosts>();

  constructor(
    readonly report: ProfileReport,
    options: IndexOptions,
  ) {
    const hot = report.lines.filter((l) => l.selfShare >= options.minShare).slice(0, options.maxLines);
    const top = hot[0]?.selfShare ?? 0;
    for (const line of hot) this.file(line.file).lines.push({ ...line, heat: heatOf(line.selfShare, top) });
    for (const fn of report.functions) if (fn.file) this.file(fn.file).functions.push(fn);
  }

  costsFor(file: string): FileCosts | undefined {
    return this.byFile.get(pathKey(file));
  }

  files(): string[] {
    return [...this.byFile.keys()];
  }

  /**
   * The function a hover on `word` at `line` (1-based) means: a function of that name in this file,
   * preferring one declared on that line, then the nearest declared above it.
   */
  functionAt(file: string, line: number, word: string): FunctionCost | undefined {
    const candidates = this.costsFor(file)?.functions.filter((f) => f.name === word) ?? [];
    if (candidates.length <= 1) return candidates[0];
    const above = candidates.filter((f) => f.line <= line).sort((a, b) => b.line - a.line);
    return above[0] ?? candidates[0];
  }

  /** Functions to mark at their declaration: those with a share of self time of at least minShare. */
  hotFunctions(file: string, minShare: number): FunctionCost[] {
    return (this.costsFor(file)?.functions ?? []).filter((f) => f.selfShare >= minShare);
  }

  private file(path: string): FileCosts {
    const key = pathKey(path);
    let costs = this.byFile.get(key);
    if (!costs) this.byFile.set(key, (costs = { lines: [], functions: [] }));
    return costs;
  }
}

function heatOf(share: number, top: number): 1 | 2 | 3 {
  const ratio = top > 0 ? share / top : 0;
  return ratio >= 0.5 ? 3 : ratio >= 0.15 ? 2 : 1;
}

export function formatShare(share: number): string {
  return `${(share * 100).toFixed(share >= 0.1 ? 0 : 1)} %`;
}

/** The note after a hot line: "● 4.41 s self · 72 % · 4017 samples". */
export function hotLineNote(line: LineCost): string {
  return `● ${formatMs(line.selfMs)} self · ${formatShare(line.selfShare)} · ${line.samples} samples`;
}

/** The note after a hot function's declaration. */
export function hotFunctionNote(fn: FunctionCost): string {
  return `⏱ ${fn.name}: ${formatMs(fn.selfMs)} self (${formatShare(fn.selfShare)}), ${formatMs(fn.totalMs)} total (${formatShare(fn.totalShare)})`;
}
