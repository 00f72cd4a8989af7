import { readdirSync, readFileSync } from 'node:fs';
import type { SourceHost } from '../routes/sourceHost';

/** Folders never worth reading for a service's own routes. */
const SKIPPED = new Set(['node_modules', '.git', '.perflens', '.vscode-test', '.cache', 'coverage']);

/** The route analysis's host over the real disk (synchronous: the TypeScript parser is too). */
export function fsSourceHost(): SourceHost {
  return {
    readFile: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    readDirectory: (dir) => {
      try {
        return readdirSync(dir, { withFileTypes: true })
          .filter((e) => !(e.isDirectory() && SKIPPED.has(e.name)))
          .map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
      } catch {
        return [];
      }
    },
  };
}
