import type { Protocol } from 'devtools-protocol';
import { scriptPath } from './fileUrl';
import { displayName, FrameKind } from './functionTable';
import type { ProfileModel } from './profileModel';
import type { SourceMapResolver } from './sourceMapResolver';

export interface SpeedscopeFrame {
  name: string;
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  col?: number;
}

export interface SpeedscopeSampledProfile {
  type: 'sampled';
  name: string;
  /** 'milliseconds' for CPU profiles, 'bytes' for allocations. */
  unit: 'milliseconds' | 'bytes';
  startValue: number;
  endValue: number;
  /** Frame indices from the root to the leaf. */
  samples: number[][];
  weights: number[];
}

export interface SpeedscopeFile {
  $schema: 'https://www.speedscope.app/file-format-schema.json';
  shared: { frames: SpeedscopeFrame[] };
  profiles: SpeedscopeSampledProfile[];
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

/**
 * The profile in speedscope's file format: one sampled profile in milliseconds, frames at their
 * source-mapped locations, stacks from the root to the leaf without (root). Consecutive samples
 * with the same stack are merged (their weights add up), which keeps the timeline intact.
 */
export function toSpeedscope(model: ProfileModel, resolver: SourceMapResolver | undefined, name: string, nameOf: (fn: number) => string = (fn) => displayName(model.functions[fn])): SpeedscopeFile {
  const frames: SpeedscopeFrame[] = [];
  const frameOfFunction = new Int32Array(model.functions.length).fill(-1);
  const frameIndex = (fn: number): number => {
    if (frameOfFunction[fn] < 0) frameOfFunction[fn] = frames.push(speedscopeFrame(model.functions[fn], resolver, nameOf(fn))) - 1;
    return frameOfFunction[fn];
  };

  const stackOf: (number[] | undefined)[] = new Array(model.nodeCount);
  const stack = (leaf: number): number[] => {
    const cached = stackOf[leaf];
    if (cached) return cached;
    const frameIds: number[] = [];
    for (let node = leaf; node >= 0; node = model.parent[node]) {
      if (model.kind[node] !== FrameKind.root) frameIds.push(frameIndex(model.functionOf[node]));
    }
    frameIds.reverse();
    stackOf[leaf] = frameIds;
    return frameIds;
  };

  const samples: number[][] = [];
  const weights: number[] = [];
  let previous = -1;
  for (let i = 0; i < model.sampleCount; i++) {
    const leaf = model.sampleNode[i];
    if (leaf === previous) {
      weights[weights.length - 1] += model.sampleWeightMs[i];
      continue;
    }
    samples.push(stack(leaf));
    weights.push(model.sampleWeightMs[i]);
    previous = leaf;
  }

  return {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames },
    profiles: [{ type: 'sampled', name, unit: 'milliseconds', startValue: 0, endValue: model.durationMs, samples, weights }],
    name,
    activeProfileIndex: 0,
    exporter: 'perflens',
  };
}

/** A call frame as a speedscope frame, at its source-mapped location (its script's without a map). */
export function speedscopeFrame(frame: Pick<Protocol.Runtime.CallFrame, 'url' | 'lineNumber' | 'columnNumber'>, resolver: SourceMapResolver | undefined, name: string): SpeedscopeFrame {
  if (frame.url === '' || frame.lineNumber < 0) return { name };
  const original = resolver?.resolveFrame(frame);
  if (original) return { name, file: original.file, line: original.line, col: original.column + 1 };
  return { name, file: scriptPath(frame.url), line: frame.lineNumber + 1, col: frame.columnNumber + 1 };
}
