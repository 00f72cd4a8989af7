// The files a profiling run writes and the analysis behind them; shared by the CLI and the RPC server.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { Protocol } from 'devtools-protocol';
import { buildProfileModel } from '../analysis/profileModel';
import { buildReport, functionNamer } from '../analysis/buildReport';
import { routeHandlerNamer, type HandlerNamer, type RouteHandlerSite } from '../analysis/routeHandlerNames';
import { formatReportTables } from '../analysis/formatReport';
import { toSpeedscope } from '../analysis/speedscopeExport';
import type { ProfileReport } from '../analysis/reportTypes';
import type { LoadSummary } from '../load/loadTypes';
import type { CpuBusy } from '../analysis/reportTypes';
import { createFileSourceMapResolver } from '../sourcemaps/fileSourceMapLoader';

export interface AnalyseOptions {
  target: string;
  load?: LoadSummary;
  /** The target's CPU time over the load. */
  cpu?: CpuBusy;
  cwd: string;
  /** Rows per printed table. */
  top: number;
  /** Rows kept in the report's `functions` and `lines` (default: buildReport's); Infinity keeps them all. */
  reportTop?: number;
  extraWarnings?: string[];
  /** The route handlers written in place, to name anonymous ones after their route (read on first need). */
  routeHandlers?: () => readonly RouteHandlerSite[];
}

/** Profile → report, with source maps read from beside the scripts. */
export function analyseProfile(profile: Protocol.Profiler.Profile, options: AnalyseOptions) {
  const model = buildProfileModel(profile);
  const { resolver, warnings } = createFileSourceMapResolver();
  let namer: HandlerNamer | undefined;
  const handlerName: HandlerNamer | undefined = options.routeHandlers && ((file, line) => (namer ??= routeHandlerNamer(options.routeHandlers!()))(file, line));
  const report: ProfileReport = buildReport({ model, resolver, target: options.target, load: options.load, cpu: options.cpu, top: options.reportTop, handlerName });
  report.warnings.push(...warnings(), ...(options.extraWarnings ?? []));
  report.warnings = [...new Set(report.warnings)];
  const nameOf = functionNamer(model, resolver, handlerName);
  return { model, resolver, nameOf, report, tables: formatReportTables(report, { cwd: options.cwd, top: options.top }) };
}

/** Writes the profile as it came from V8 (opens in Chrome DevTools and js-debug) and returns its path. */
export async function writeCpuProfile(profile: Protocol.Profiler.Profile, outDir: string, baseName: string): Promise<string> {
  const file = resolve(outDir, `${baseName}.cpuprofile`);
  await mkdir(outDir, { recursive: true });
  await writeFile(file, JSON.stringify(profile));
  return file;
}

export async function writeSpeedscope(analysis: ReturnType<typeof analyseProfile>, outDir: string, baseName: string): Promise<string> {
  const file = resolve(outDir, `${baseName}.speedscope.json`);
  await mkdir(outDir, { recursive: true });
  await writeFile(file, JSON.stringify(toSpeedscope(analysis.model, analysis.resolver, baseName, analysis.nameOf)));
  return file;
}

export async function writeJsonReport(report: ProfileReport, file: string): Promise<string> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

/** A file name for a run: the URL's path (or a given name) and the local time, e.g. `report-20261130-184501`. */
export function runBaseName(name: string): string {
  const slug = name.replace(/^\/+|\/+$/g, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'root';
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${slug}-${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** `path` relative to `cwd` when it lies inside it, for messages; else as it is. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}
