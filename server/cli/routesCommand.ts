import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { WorkspaceRouteIndex, type WorkspaceRoute } from '../routes/workspaceRoutes';
import { fsSourceHost } from '../workspace/fsSourceHost';
import { ExitCode, UsageError } from './cliError';
import { parseCommandLine } from './commandLine';

export const routesHelp = `Usage:
  perflens routes [FOLDER] [--json] [--tsconfig FILE]

Lists the route handlers of the service in FOLDER (default: the current directory) with their full
paths: the prefixes other files add are followed through imports, require() and exports (Express and
Koa use(), Fastify register() and @fastify/autoload, Hono route(), NestJS global prefix, URI
versioning and RouterModule). A path marked '?' has a prefix computed at run time or a router
mounted where the analysis cannot follow: it shows what is known. node_modules, test folders, build
output next to src, .d.ts and *.test/*.spec files are not read.

Options:
  --json            print {"version":1,"folder":…,"routes":[{method,path,file,line,column,framework,handlerName}]}
                    (file relative to FOLDER, line and column 1-based; "prefixUnknown":true for '?')
  --tsconfig FILE   tsconfig.json whose paths/baseUrl resolve imports (default FOLDER/tsconfig.json)
`;

const options = {
  json: { type: 'boolean' },
  tsconfig: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface RouteListing {
  version: 1;
  folder: string;
  routes: Array<{ method: string; path: string; file: string; line: number; column: number; framework: string; handlerName?: string; prefixUnknown?: true }>;
  /** The folder had more files than are read. */
  truncated?: true;
}

export async function routesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, options, 'routes');
  if (values.help) {
    process.stdout.write(routesHelp);
    return ExitCode.ok;
  }
  if (positionals.length > 1) throw new UsageError('routes: give at most one folder, e.g. `perflens routes src`');
  const given = positionals[0] ?? '.';
  const folder = resolve(given);
  const info = await stat(folder).catch(() => undefined);
  if (!info) throw new UsageError(`routes: ${given} does not exist`);
  if (!info.isDirectory()) throw new UsageError(`routes: ${given} is not a folder`);
  const index = new WorkspaceRouteIndex(fsSourceHost(), toSlashes(folder), { tsconfig: values.tsconfig ? toSlashes(resolve(values.tsconfig)) : undefined });
  const listing = listRoutes(folder, index.all(), index.truncated);
  process.stdout.write(values.json ? `${JSON.stringify(listing, null, 2)}\n` : formatListing(listing, given));
  return ExitCode.ok;
}

export function listRoutes(folder: string, routes: WorkspaceRoute[], truncated: boolean): RouteListing {
  return {
    version: 1,
    folder,
    routes: routes.map((r) => ({
      method: r.method,
      path: r.path,
      file: toSlashes(relative(folder, r.file)),
      line: r.line + 1,
      column: r.character + 1,
      framework: r.framework,
      ...(r.handlerName ? { handlerName: r.handlerName } : {}),
      ...(r.prefixUnknown ? { prefixUnknown: true as const } : {}),
    })),
    ...(truncated ? { truncated: true as const } : {}),
  };
}

function formatListing(listing: RouteListing, given: string): string {
  if (listing.routes.length === 0) return `No route handlers found in ${given}.\n`;
  const rows = [['METHOD', 'PATH', 'FILE', 'FRAMEWORK', 'HANDLER'], ...listing.routes.map((r) => [r.method, r.prefixUnknown ? `${r.path} ?` : r.path, `${r.file}:${r.line}`, r.framework, r.handlerName ?? ''])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  let text = rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
  text += `\n\n${listing.routes.length} route${listing.routes.length === 1 ? '' : 's'}`;
  if (listing.routes.some((r) => r.prefixUnknown)) text += "; '?': part of the prefix is computed at run time or mounted where the analysis cannot follow, the path shows what is known";
  if (listing.truncated) text += '; the folder has more files than are read, some routes may be missing';
  return `${text}.\n`;
}

function toSlashes(path: string): string {
  return sep === '\\' ? path.split('\\').join('/') : path;
}
