// The workspace analysis's view of the files: texts and directory listings read once through the
// SourceHost, unsaved editor texts laid over them, and each file parsed once until it changes.
import type ts from 'typescript';
import { parseSource } from './detectRoutes';
import type { DirectoryEntry, SourceHost } from './sourceHost';

/** Files larger than this are not parsed (bundles, generated code). */
const MAX_FILE_CHARS = 1_000_000;

export class SourceCache {
  private readonly texts = new Map<string, string | undefined>();
  private readonly directories = new Map<string, DirectoryEntry[]>();
  private readonly parsed = new Map<string, ts.SourceFile | undefined>();
  private readonly overlays = new Map<string, string>();

  constructor(private readonly host: SourceHost) {}

  readFile(path: string): string | undefined {
    const overlay = this.overlays.get(path);
    if (overlay !== undefined) return overlay;
    if (!this.texts.has(path)) this.texts.set(path, safe(() => this.host.readFile(path)));
    return this.texts.get(path);
  }

  fileExists(path: string): boolean {
    return this.readFile(path) !== undefined;
  }

  readDirectory(path: string): DirectoryEntry[] {
    let entries = this.directories.get(path);
    if (!entries) {
      entries = safe(() => this.host.readDirectory(path)) ?? [];
      this.directories.set(path, entries);
    }
    return entries;
  }

  directoryExists(path: string): boolean {
    return this.readDirectory(path).length > 0;
  }

  /** The file parsed (parent pointers set), or undefined when it cannot be read or is too large. */
  sourceFile(path: string): ts.SourceFile | undefined {
    if (!this.parsed.has(path)) {
      const text = this.readFile(path);
      this.parsed.set(path, text === undefined || text.length > MAX_FILE_CHARS ? undefined : safe(() => parseSource(path, text)));
    }
    return this.parsed.get(path);
  }

  /** Unsaved text for a file (undefined: back to the host's). Returns whether the text changed. */
  setOverlay(path: string, text: string | undefined): boolean {
    const before = this.readFile(path);
    if (text === undefined) this.overlays.delete(path);
    else this.overlays.set(path, text);
    const changed = this.readFile(path) !== before;
    if (changed) this.parsed.delete(path);
    return changed;
  }

  /** Forget what was read of a file (and its folder's listing: it may be new or deleted). Everything when no path. */
  invalidate(path?: string): void {
    if (path === undefined) {
      this.texts.clear();
      this.directories.clear();
      this.parsed.clear();
      return;
    }
    this.texts.delete(path);
    this.parsed.delete(path);
    const slash = path.lastIndexOf('/');
    if (slash > 0) this.directories.delete(path.slice(0, slash));
    this.directories.delete(path);
  }
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
