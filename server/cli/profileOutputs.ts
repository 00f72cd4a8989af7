import { relative } from 'node:path';

// The analysis and the files of a run live in server/session/ (shared with the RPC server).
export { analyseProfile, runBaseName, writeCpuProfile, writeJsonReport, writeSpeedscope, type AnalyseOptions } from '../session/profileFiles';

export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}
