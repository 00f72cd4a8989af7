// Where the live memory of a sampling heap profile was allocated: its call frames mapped to the
// original source the way the CPU report maps them (source maps, whose code it is), added up per
// line, largest first. Pure: the resolver brings the source maps.
import type { Protocol } from 'devtools-protocol';
import { originOf } from '../analysis/codeOrigin';
import { scriptPath } from '../analysis/fileUrl';
import { displayName } from '../analysis/functionTable';
import type { HandlerNamer } from '../analysis/routeHandlerNames';
import type { SourceMapResolver } from '../analysis/sourceMapResolver';
import type { AllocationSite } from './heapTypes';

export interface AllocationSiteOptions {
  /** Names anonymous route handlers after their route (as the CPU report does). */
  handlerName?: HandlerNamer;
}

/** A call frame at its original location (or its script's, without a map), with whose code it is. */
export interface MappedFrame {
  functionName: string;
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  mapped: boolean;
}

/**
 * A sampling heap profile's frame where the user reads it. V8 keys its allocation nodes by function,
 * so the line is the function's own (its declaration), mapped through the source map when there is one.
 * Undefined for frames without a script ((root), (V8 API), (GC)…).
 */
export function mapHeapFrame(frame: Protocol.Runtime.CallFrame, resolver: SourceMapResolver | undefined, handlerName?: HandlerNamer): MappedFrame | undefined {
  if (frame.url === '' || frame.lineNumber < 0) return undefined;
  const original = resolver?.resolveFrame(frame);
  const file = original ? original.file : scriptPath(frame.url);
  const line = original ? original.line : frame.lineNumber + 1;
  const column = original ? original.column + 1 : frame.columnNumber + 1;
  const functionName = (!frame.functionName && handlerName?.(file, line)) || displayName(frame);
  return { functionName, file, line, column, mapped: !!original };
}

/**
 * The profile's live bytes per allocating line (each node's own bytes, not its callees'), largest
 * first. `share` is of all the profile's live bytes, those without a script included.
 */
export function allocationSites(profile: Protocol.HeapProfiler.SamplingHeapProfile, resolver: SourceMapResolver | undefined, options: AllocationSiteOptions = {}): AllocationSite[] {
  const sites = new Map<string, AllocationSite & { ownerBytes: number }>();
  let total = 0;
  const pending = [profile.head];
  for (let node = pending.pop(); node; node = pending.pop()) {
    total += node.selfSize;
    const frame = node.selfSize > 0 ? mapHeapFrame(node.callFrame, resolver, options.handlerName) : undefined;
    if (frame) {
      const key = `${frame.mapped ? 'm' : 'j'}\u0000${frame.file}\u0000${frame.line}`;
      const site = sites.get(key);
      if (!site) {
        sites.set(key, { ...frame, liveBytes: node.selfSize, share: 0, ownerBytes: node.selfSize, ...originOf(node.callFrame.url, frame.file, frame.functionName) });
      } else {
        site.liveBytes += node.selfSize;
        if (node.selfSize > site.ownerBytes) Object.assign(site, { functionName: frame.functionName, column: frame.column, ownerBytes: node.selfSize });
      }
    }
    pending.push(...node.children);
  }
  return [...sites.values()]
    .map(({ ownerBytes: _ownerBytes, ...site }) => ({ ...site, share: total > 0 ? site.liveBytes / total : 0 }))
    .sort((a, b) => b.liveBytes - a.liveBytes || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}
