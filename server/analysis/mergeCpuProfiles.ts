import type { Protocol } from 'devtools-protocol';

type Profile = Protocol.Profiler.Profile;
type ProfileNode = Protocol.Profiler.ProfileNode;

/**
 * Joins consecutive CPU profiles of one process (taken back to back, as a long run is taken in
 * chunks so that a target dying mid-run loses at most the chunk in progress) into one profile.
 * Call trees are merged by call frame along the path from the root; hit counts and line ticks add
 * up; samples keep their absolute times, so the gaps between chunks stay where they were.
 */
export function mergeCpuProfiles(profiles: Profile[]): Profile {
  if (profiles.length === 0) throw new Error('mergeCpuProfiles: no profiles to merge');
  if (profiles.length === 1) return profiles[0];

  const nodes: ProfileNode[] = [];
  const childByKey = new Map<string, ProfileNode>();
  const ticksByNode = new Map<number, Map<number, number>>();
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let lastTime = profiles[0].startTime;

  const mergedNode = (parent: ProfileNode | undefined, source: ProfileNode): ProfileNode => {
    const key = `${parent?.id ?? 0}|${frameKey(source.callFrame)}`;
    let node = childByKey.get(key);
    if (!node) {
      node = { id: nodes.length + 1, callFrame: source.callFrame, hitCount: 0, children: [] };
      nodes.push(node);
      childByKey.set(key, node);
      parent?.children!.push(node.id);
    }
    node.hitCount! += source.hitCount ?? 0;
    if (source.positionTicks?.length) {
      let ticks = ticksByNode.get(node.id);
      if (!ticks) ticksByNode.set(node.id, (ticks = new Map()));
      for (const { line, ticks: n } of source.positionTicks) ticks.set(line, (ticks.get(line) ?? 0) + n);
    }
    return node;
  };

  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const root = findRoot(profile);
    const mapped = new Map<number, number>();
    const stack: Array<[ProfileNode, ProfileNode | undefined]> = [[root, undefined]];
    while (stack.length) {
      const [source, parent] = stack.pop()!;
      const node = mergedNode(parent, source);
      mapped.set(source.id, node.id);
      for (const childId of source.children ?? []) {
        const child = byId.get(childId);
        if (child) stack.push([child, node]);
      }
    }
    let time = profile.startTime;
    const count = Math.min(profile.samples?.length ?? 0, profile.timeDeltas?.length ?? 0);
    for (let i = 0; i < count; i++) {
      time += profile.timeDeltas![i];
      const id = mapped.get(profile.samples![i]);
      if (id === undefined) continue;
      samples.push(id);
      timeDeltas.push(time - lastTime);
      lastTime = time;
    }
  }
  for (const [id, ticks] of ticksByNode) {
    nodes[id - 1].positionTicks = [...ticks].map(([line, n]) => ({ line, ticks: n }));
  }
  return { nodes, startTime: profiles[0].startTime, endTime: profiles[profiles.length - 1].endTime, samples, timeDeltas };
}

function frameKey(frame: Protocol.Runtime.CallFrame): string {
  return `${frame.functionName}|${frame.scriptId}|${frame.url}|${frame.lineNumber}|${frame.columnNumber}`;
}

/** The root is the node no other node names as a child (V8 puts it first, but don't rely on it). */
function findRoot(profile: Profile): ProfileNode {
  const children = new Set<number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) children.add(c);
  const root = profile.nodes.find((n) => !children.has(n.id));
  if (!root) throw new Error('mergeCpuProfiles: a profile has no root node');
  return root;
}
