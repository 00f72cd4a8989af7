// Which files of a workspace folder the route analysis reads: scripts (.ts/.js and their variants,
// not .d.ts), not tests, not dependencies or build output. Bounded: a huge folder is cut short, and
// the caller is told. Pure: reads only through the SourceHost.
import type { SourceHost } from './sourceHost';

const SCRIPT = /\.(?:[cm]?[jt]s|[jt]sx)$/i;
const DECLARATION = /\.d\.[cm]?ts$/i;
const TEST = /[.-](?:test|spec)\.[^.]+$/i;

/** Folders never read: dependencies, caches, tests (their apps are not the service's). */
const SKIPPED = new Set(['node_modules', 'bower_components', 'jspm_packages', 'coverage', 'test', 'tests', '__tests__', '__mocks__', 'e2e', 'fixtures']);
/** Build output, skipped when the same folder has a `src` (the sources it was built from). */
const BUILD_OUTPUT = new Set(['dist', 'out', 'build', 'lib']);

export interface FileListLimits {
  /** At most this many files (default 4000). */
  maxFiles?: number;
  /** At most this many folders deep (default 12). */
  maxDepth?: number;
}

export interface FileList {
  files: string[];
  /** True when a limit cut the walk short. */
  truncated: boolean;
}

/** A TypeScript/JavaScript source file (not a declaration file). */
export function isScriptFile(name: string): boolean {
  return SCRIPT.test(name) && !DECLARATION.test(name);
}

/** The workspace's source files, '/'-separated absolute paths, in a stable (sorted, depth-first) order. */
export function listSourceFiles(host: SourceHost, folder: string, limits: FileListLimits = {}): FileList {
  const maxFiles = limits.maxFiles ?? 4000;
  const maxDepth = limits.maxDepth ?? 12;
  const files: string[] = [];
  let truncated = false;
  const walk = (dir: string, depth: number): void => {
    if (truncated) return;
    if (depth > maxDepth) {
      truncated = true;
      return;
    }
    const entries = host.readDirectory(dir);
    const hasSrc = entries.some((e) => e.isDirectory && e.name === 'src');
    for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (truncated) return;
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) {
        if (entry.name.startsWith('.') || SKIPPED.has(entry.name) || (hasSrc && BUILD_OUTPUT.has(entry.name))) continue;
        walk(path, depth + 1);
      } else if (isScriptFile(entry.name) && !TEST.test(entry.name)) {
        if (files.length >= maxFiles) {
          truncated = true;
          return;
        }
        files.push(path);
      }
    }
  };
  walk(trimSlash(folder), 0);
  return { files, truncated };
}

/** Whether listSourceFiles would list `file` (limits aside): a new file the walk would find. */
export function wouldList(host: SourceHost, folder: string, file: string): boolean {
  const base = trimSlash(folder);
  if (!file.startsWith(`${base}/`)) return false;
  const segments = file.slice(base.length + 1).split('/');
  const name = segments.pop()!;
  if (!isScriptFile(name) || TEST.test(name)) return false;
  let dir = base;
  for (const segment of segments) {
    if (segment.startsWith('.') || SKIPPED.has(segment)) return false;
    if (BUILD_OUTPUT.has(segment) && host.readDirectory(dir).some((e) => e.isDirectory && e.name === 'src')) return false;
    dir = `${dir}/${segment}`;
  }
  return true;
}

export function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}
