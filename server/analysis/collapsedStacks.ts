import { displayName, FrameKind } from './functionTable';
import type { ProfileModel } from './profileModel';

export interface CollapsedStacksOptions {
  /** Count samples (default); false: self time in whole microseconds. */
  useSamples?: boolean;
}

/**
 * The profile as collapsed stacks, one `a;b;c N` line per distinct stack, sorted, (root) left out:
 * compact golden text for tests. Frames read `name (file:line)`, file being the script's last path
 * segment and line 1-based, so the text does not depend on the machine.
 */
export function toCollapsedStacks(model: ProfileModel, options: CollapsedStacksOptions = {}): string {
  const useSamples = options.useSamples ?? true;
  const labels = model.functions.map((frame) => {
    const name = displayName(frame).replace(/;/g, ':');
    if (frame.url === '') return name;
    const file = frame.url.slice(frame.url.search(/[^/\\:]*$/));
    return `${name} (${file}:${frame.lineNumber + 1})`;
  });
  const totals = new Map<string, number>();
  const parts: string[] = [];
  for (let leaf = 0; leaf < model.nodeCount; leaf++) {
    const value = useSamples ? model.hitCount[leaf] : Math.round(model.selfMs[leaf] * 1000);
    if (value === 0) continue;
    parts.length = 0;
    for (let node = leaf; node >= 0; node = model.parent[node]) {
      if (model.kind[node] !== FrameKind.root) parts.push(labels[model.functionOf[node]]);
    }
    const key = parts.reverse().join(';');
    totals.set(key, (totals.get(key) ?? 0) + value);
  }
  const lines = [...totals].map(([stack, value]) => `${stack} ${value}`);
  lines.sort();
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
