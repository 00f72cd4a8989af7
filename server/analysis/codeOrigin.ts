// Whose code a function is: the user's own, a dependency (which package), Node.js itself, or the
// engine's own work (the (program) and (garbage collector) entries). Pure.

export type CodeOrigin = 'own' | 'dependency' | 'node' | 'runtime';

export interface Origin {
  origin: CodeOrigin;
  /** The npm package of a dependency: 'express', '@fastify/autoload'. */
  package?: string;
}

/** A package name from a path through node_modules (the last node_modules wins: nested installs). */
export function packageOf(path: string): string | undefined {
  const parts = path.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  const first = parts[at + 1];
  if (first.startsWith('@') && at + 2 < parts.length) return `${first}/${parts[at + 2]}`;
  return first;
}

/**
 * `url` is the script's URL as V8 reports it ('' for natives and V8's own entries), `file` the
 * location shown (the original source when a source map resolved it). Either one under
 * node_modules makes it a dependency.
 */
export function originOf(url: string, file: string, name: string): Origin {
  if (url === '') return name.startsWith('(') && name.endsWith(')') && name !== '(anonymous)' ? { origin: 'runtime' } : { origin: 'node' };
  if (url.startsWith('node:') || /^(internal|v8)\//.test(url)) return { origin: 'node' };
  const pkg = packageOf(url) ?? packageOf(file);
  if (pkg) return { origin: 'dependency', package: pkg };
  if (!/^(file:|\/|[A-Za-z]:[\\/])/.test(url)) return { origin: 'node' }; // evalmachine.<anonymous>, wasm://…, extensions:
  return { origin: 'own' };
}

/** How a group is named to the user. */
export function originLabel(o: Origin): string {
  switch (o.origin) {
    case 'own':
      return 'your code';
    case 'dependency':
      return o.package ?? 'dependencies';
    case 'node':
      return 'Node.js internals';
    case 'runtime':
      return 'V8 (GC and native work)';
  }
}
