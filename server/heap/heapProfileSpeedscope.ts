// A sampling heap profile as a speedscope file: "allocations by function", one stack per allocating
// call path weighted by the live bytes it allocated, frames at their source-mapped locations (the
// CPU export's frames). Pure.
import type { Protocol } from 'devtools-protocol';
import { speedscopeFrame, type SpeedscopeFile, type SpeedscopeFrame } from '../analysis/speedscopeExport';
import type { SourceMapResolver } from '../analysis/sourceMapResolver';
import type { HandlerNamer } from '../analysis/routeHandlerNames';
import { mapHeapFrame } from './allocationSites';

/**
 * The profile in speedscope's format, unit bytes: a stack per profile node that allocated live
 * bytes itself, from the outermost frame (V8's `(root)` left out) to that node, weighted by them.
 */
export function heapProfileToSpeedscope(profile: Protocol.HeapProfiler.SamplingHeapProfile, resolver: SourceMapResolver | undefined, name: string, handlerName?: HandlerNamer): SpeedscopeFile {
  const frames: SpeedscopeFrame[] = [];
  const frameIndex = new Map<string, number>();
  const indexOf = (frame: Protocol.Runtime.CallFrame): number => {
    const key = `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}`;
    let index = frameIndex.get(key);
    if (index === undefined) {
      const label = mapHeapFrame(frame, resolver, handlerName)?.functionName ?? (frame.functionName || '(anonymous)');
      frameIndex.set(key, (index = frames.push(speedscopeFrame(frame, resolver, label)) - 1));
    }
    return index;
  };

  const samples: number[][] = [];
  const weights: number[] = [];
  let total = 0;
  const pending: Array<{ node: Protocol.HeapProfiler.SamplingHeapProfileNode; stack: number[] }> = profile.head.children.map((node) => ({ node, stack: [] }));
  for (let item = pending.pop(); item; item = pending.pop()) {
    const stack = [...item.stack, indexOf(item.node.callFrame)];
    if (item.node.selfSize > 0) {
      samples.push(stack);
      weights.push(item.node.selfSize);
      total += item.node.selfSize;
    }
    for (const child of item.node.children) pending.push({ node: child, stack });
  }

  return {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames },
    profiles: [{ type: 'sampled', name: `${name}: allocations by function (live bytes)`, unit: 'bytes', startValue: 0, endValue: total, samples, weights }],
    name,
    activeProfileIndex: 0,
    exporter: 'perflens',
  };
}
