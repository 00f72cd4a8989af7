import type { LoadSummary } from '../load/loadTypes';
import { scriptPath } from './fileUrl';
import { functionCosts } from './functionCosts';
import { originOf } from './codeOrigin';
import { displayName, FrameKind } from './functionTable';
import { summarizeProfile } from './headline';
import type { HandlerNamer } from './routeHandlerNames';
import { lineCosts } from './lineCosts';
import type { ProfileModel } from './profileModel';
import { REPORT_VERSION, type CpuBusy, type FunctionCost, type LineCost, type ProfileReport } from './reportTypes';
import type { SourceMapResolver } from './sourceMapResolver';

export interface BuildReportOptions {
  model: ProfileModel;
  /** Maps JavaScript locations to the original sources; without it the report shows JavaScript. */
  resolver?: SourceMapResolver;
  target: string;
  load?: LoadSummary;
  /** The target's CPU time over the load, when it was measured. */
  cpu?: CpuBusy;
  /** Rows kept in `functions` and `lines` (default 50). */
  top?: number;
  /** Names anonymous functions that are route handlers after their route. */
  handlerName?: HandlerNamer;
}

/**
 * The report of a profile: top functions and lines by self time, in the user's own sources where
 * source maps resolve them. Several JavaScript lines that map to one source line are merged.
 */
export function buildReport(options: BuildReportOptions): ProfileReport {
  const { model, resolver } = options;
  const top = options.top ?? 50;
  const duration = model.durationMs;
  const share = (ms: number) => (duration > 0 ? ms / duration : 0);

  const nameOf = functionNamer(model, resolver, options.handlerName);
  const allFunctions: FunctionCost[] = functionCosts(model).map((cost) => {
    const frame = cost.callFrame;
    const name = nameOf(cost.functionIndex);
    const base = { name, selfMs: cost.selfMs, totalMs: cost.totalMs, selfShare: share(cost.selfMs), totalShare: share(cost.totalMs), samples: cost.samples };
    if (cost.kind !== FrameKind.code || frame.url === '') return { ...base, file: '', line: 0, column: 0, mapped: false, ...originOf('', '', cost.kind === FrameKind.code ? name : frame.functionName) };
    const original = resolver?.resolveFrame(frame);
    if (original) return { ...base, file: original.file, line: original.line, column: original.column + 1, mapped: true, ...originOf(frame.url, original.file, name) };
    const file = scriptPath(frame.url);
    return { ...base, file, line: frame.lineNumber + 1, column: frame.columnNumber + 1, mapped: false, ...originOf(frame.url, file, name) };
  });

  const merged = new Map<string, LineCost & { ownerMs: number }>();
  // Line ticks past the end of their script: V8 inlined a function from another script into one of
  // this script's and reported the callee's lines as the caller's (no inline frames). Not shown.
  const beyondEnd = new Map<string, { ms: number; functionName: string }>();
  for (const cost of lineCosts(model)) {
    const original = resolver?.resolveLine(cost.url, cost.line);
    const covered = !original && resolver ? resolver.generatedLineCount(cost.url) : undefined;
    if (covered !== undefined && cost.line > covered + 1) {
      const entry = beyondEnd.get(cost.url) ?? { ms: 0, functionName: nameOf(cost.functionIndex) };
      entry.ms += cost.selfMs;
      beyondEnd.set(cost.url, entry);
      continue;
    }
    const file = original ? original.file : scriptPath(cost.url);
    const line = original ? original.line : cost.line;
    const key = `${original ? 'm' : 'j'}\u0000${file}\u0000${line}`;
    const functionName = nameOf(cost.functionIndex);
    const entry = merged.get(key);
    if (!entry) {
      merged.set(key, { file, line, selfMs: cost.selfMs, selfShare: 0, samples: cost.samples, mapped: !!original, functionName, approximated: cost.approximated, ownerMs: cost.selfMs, ...originOf(cost.url, file, functionName) });
      continue;
    }
    entry.selfMs += cost.selfMs;
    entry.samples += cost.samples;
    entry.approximated ||= cost.approximated;
    if (cost.selfMs > entry.ownerMs) {
      entry.functionName = functionName;
      entry.ownerMs = cost.selfMs;
    }
  }
  const allLines: LineCost[] = [...merged.values()]
    .sort((a, b) => b.selfMs - a.selfMs || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line))
    .map(({ ownerMs: _ownerMs, approximated, ...line }) => ({ ...line, selfShare: share(line.selfMs), ...(approximated ? { approximated } : {}) }));

  const functions = allFunctions.slice(0, top);
  const lines = allLines.slice(0, top);
  const cpuBusyShare = options.cpu && options.cpu.wallMs > 0 ? options.cpu.cpuMs / options.cpu.wallMs : undefined;
  const summary = summarizeProfile({ functions: allFunctions, lines: allLines, durationMs: duration, load: options.load, idleShare: share(model.idleMs), cpu: options.cpu });
  // The hottest own function and line go with the report even when they are not in the top rows.
  if (summary.hottestOwnFunction && !functions.includes(summary.hottestOwnFunction)) functions.push(summary.hottestOwnFunction);
  if (summary.hottestOwnLine && !lines.includes(summary.hottestOwnLine)) lines.push(summary.hottestOwnLine);

  const warnings = resolver ? resolver.warnings() : [];
  const waited = options.cpu?.runQueueMs !== undefined && options.cpu.wallMs > 0 ? options.cpu.runQueueMs / options.cpu.wallMs : 0;
  if (waited >= CONTENDED_FROM) warnings.push(`the service waited for a CPU ${(waited * 100).toFixed(0)} % of the load (this machine was busy: the load generator, the database or other processes share its cores), so its latencies and req/s are worse than on a quiet machine`);
  for (const [url, { ms, functionName }] of beyondEnd) {
    warnings.push(`${ms.toFixed(1)} ms of line-level samples in ${scriptPath(url)} fall past the end of that script: V8 inlined a function from another script into ${functionName} and reported its lines as this script's. Those lines are left out; the function costs stand (the inlined function's time counts as ${functionName}'s).`);
  }
  if (!model.hasPositionTicks) {
    warnings.push('the profile has no line-level data (positionTicks): line costs show each function\'s declaration line');
  } else {
    const approximated = lines.filter((line) => line.approximated).length;
    if (approximated > 0) warnings.push(`${approximated} of the top ${lines.length} lines had no line-level data for part of their time and show their function's declaration line`);
  }

  return {
    version: REPORT_VERSION,
    target: options.target,
    ...(options.load ? { load: options.load } : {}),
    profile: {
      durationMs: duration,
      samples: model.sampleCount,
      samplingIntervalUs: meanIntervalUs(model),
      idleShare: share(model.idleMs),
      ...(cpuBusyShare !== undefined ? { cpuBusyShare } : {}),
    },
    summary,
    functions,
    lines,
    warnings,
  };
}

/** A main thread that waited on the run queue this share of the load was competing for the CPU. */
export const CONTENDED_FROM = 0.25;

/** A function's name to show: V8's, or for an anonymous route handler its route's. Memoized per function. */
export function functionNamer(model: ProfileModel, resolver: SourceMapResolver | undefined, handlerName: HandlerNamer | undefined): (fn: number) => string {
  const names: (string | undefined)[] = [];
  return (fn) => {
    let name = names[fn];
    if (name !== undefined) return name;
    const frame = model.functions[fn];
    if (frame.functionName === '' && frame.url !== '' && handlerName) {
      const original = resolver?.resolveFrame(frame);
      name = handlerName(original ? original.file : scriptPath(frame.url), original ? original.line : frame.lineNumber + 1);
    }
    return (names[fn] = name ?? displayName(frame));
  };
}

/** Mean time between consecutive samples, µs (the whole duration when there is one sample). */
function meanIntervalUs(model: ProfileModel): number {
  const n = model.sampleCount;
  if (n === 0) return 0;
  if (n === 1) return model.durationMs * 1000;
  return (model.sampleTimeUs[n - 1] - model.sampleTimeUs[0]) / (n - 1);
}
