// How the pure route analysis reads a workspace: through a host it is handed, never through fs.
// The real one (server/workspace/fsSourceHost.ts) reads the disk; tests use memorySourceHost.

export interface DirectoryEntry {
  name: string;
  isDirectory: boolean;
}

export interface SourceHost {
  /** A file's text, or undefined when it does not exist or cannot be read. Paths are absolute, '/'-separated. */
  readFile(path: string): string | undefined;
  /** The entries of a directory ([] when it does not exist). */
  readDirectory(path: string): DirectoryEntry[];
}

/** A host over files held in memory: `{ '/app/src/app.ts': '…' }`. Directories are implied by the paths. */
export function memorySourceHost(files: Record<string, string>): SourceHost {
  const normalized = new Map(Object.entries(files).map(([path, text]) => [path.replace(/\/+$/, ''), text]));
  return {
    readFile: (path) => normalized.get(path),
    readDirectory: (dir) => {
      const base = dir.replace(/\/+$/, '');
      const entries = new Map<string, boolean>();
      for (const path of normalized.keys()) {
        if (!path.startsWith(`${base}/`)) continue;
        const [name, ...rest] = path.slice(base.length + 1).split('/');
        entries.set(name, (entries.get(name) ?? false) || rest.length > 0);
      }
      return [...entries].map(([name, isDirectory]) => ({ name, isDirectory })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}
