// A large, realistic .cpuprofile for the analysis benchmark: a deep, branching call tree whose
// frames are real positions in real files (the demo's compiled output with its source maps, and
// express / router / pg / pg-protocol under node_modules, pg-protocol with maps of its own), plus
// node: internals and V8's special nodes; skewed samples with positionTicks on real lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Protocol } from 'devtools-protocol';

type CallFrame = Protocol.Runtime.CallFrame;
type ProfileNode = Protocol.Profiler.ProfileNode;

interface Frame {
  callFrame: CallFrame;
  /** Lines in the script (for positionTicks), 1-based upper bound. */
  lineCount: number;
}

export interface SyntheticOptions {
  nodes: number;
  samples: number;
  /** Deterministic output for a seed. */
  seed?: number;
}

/** mulberry32: small, fast, seedable. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function jsFiles(dir: string, filter: (name: string) => boolean = () => true): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const parent = entry.parentPath ?? dir;
    if (entry.isFile() && entry.name.endsWith('.js') && filter(entry.name)) out.push(join(parent, entry.name));
  }
  return out.sort();
}

const FUNCTION_LIKE = /\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)?\s*\(|\b([A-Za-z_$][\w$]*)\s*\([^()]*\)\s*\{|\(([^()]*)\)\s*=>/g;
const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'function', 'with']);

/** Function-like positions of a script, as V8 would report its functions (0-based line and column). */
function framesOf(path: string, scriptId: string, max: number): Frame[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const url = pathToFileURL(path).href;
  const frames: Frame[] = [];
  lines.forEach((text, lineNumber) => {
    for (const match of text.matchAll(FUNCTION_LIKE)) {
      const name = match[1] ?? match[2] ?? '';
      if (KEYWORDS.has(name)) continue;
      frames.push({ callFrame: { functionName: name, scriptId, url, lineNumber, columnNumber: match.index ?? 0 }, lineCount: lines.length });
    }
  });
  if (frames.length === 0) {
    lines.forEach((text, lineNumber) => {
      if (text.trim() && frames.length < 5) frames.push({ callFrame: { functionName: '', scriptId, url, lineNumber, columnNumber: text.length - text.trimStart().length }, lineCount: lines.length });
    });
  }
  // Spread evenly over the file when there are more than `max`.
  if (frames.length <= max) return frames;
  const step = frames.length / max;
  return Array.from({ length: max }, (_, i) => frames[Math.floor(i * step)]);
}

const NODE_INTERNALS: Array<[string, string, number]> = [
  ['processTicksAndRejections', 'node:internal/process/task_queues', 95],
  ['listOnTimeout', 'node:internal/timers', 581],
  ['processTimers', 'node:internal/timers', 519],
  ['emit', 'node:events', 519],
  ['onStreamRead', 'node:internal/stream_base_commons', 191],
  ['addChunk', 'node:internal/streams/readable', 550],
  ['readableAddChunk', 'node:internal/streams/readable', 463],
  ['Readable.push', 'node:internal/streams/readable', 390],
  ['parserOnHeadersComplete', 'node:_http_common', 71],
  ['parserOnIncoming', 'node:_http_server', 1045],
  ['writeHead', 'node:_http_server', 360],
  ['_writeRaw', 'node:_http_outgoing', 390],
  ['Socket._writeGeneric', 'node:net', 931],
  ['writeOrBuffer', 'node:internal/streams/writable', 546],
  ['end', 'node:_http_outgoing', 1007],
];

/**
 * Builds the profile. Node ids are in creation order (a parent before its children), as V8's are.
 * Roughly 240 bytes of JSON per node.
 */
export function syntheticCpuProfile(demoDist: string, nodeModules: string, options: SyntheticOptions): Protocol.Profiler.Profile {
  const rnd = random(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
  let nextScriptId = 100;
  const scriptIds = new Map<string, string>();
  const idOf = (key: string) => {
    let id = scriptIds.get(key);
    if (!id) scriptIds.set(key, (id = String(nextScriptId++)));
    return id;
  };

  const demo = jsFiles(demoDist).flatMap((file) => framesOf(file, idOf(file), 40));
  const libraryFiles = [
    ...jsFiles(join(nodeModules, 'express', 'lib')),
    ...jsFiles(join(nodeModules, 'router')),
    ...jsFiles(join(nodeModules, 'pg', 'lib'), (name) => !name.includes('native')),
    ...jsFiles(join(nodeModules, 'pg-protocol', 'dist'), (name) => !name.includes('.test.')),
  ];
  const libraries = libraryFiles.flatMap((file) => framesOf(file, idOf(file), 25));
  const internals: Frame[] = NODE_INTERNALS.map(([functionName, url, line]) => ({ callFrame: { functionName, scriptId: idOf(url), url, lineNumber: line - 1, columnNumber: 2 }, lineCount: line + 60 }));
  if (demo.length === 0) throw new Error(`no scripts found under ${demoDist}: build the demo first`);

  const special = (functionName: string): Frame => ({ callFrame: { functionName, scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, lineCount: 0 });
  const frames: Frame[] = [special('(root)'), special('(program)'), special('(idle)'), special('(garbage collector)')];
  const parent: number[] = [-1, 0, 0, 0];
  const children: number[][] = [[1, 2, 3], [], [], []];
  const frameByDepth = (depth: number): Frame => {
    if (depth < 3) return pick(internals);
    if (depth < 10) return rnd() < 0.8 ? pick(libraries) : pick(internals);
    const r = rnd();
    return r < 0.6 ? pick(demo) : r < 0.9 ? pick(libraries) : pick(internals);
  };
  const add = (under: number, depth: number): number => {
    const index = frames.length;
    frames.push(frameByDepth(depth));
    parent.push(under);
    children.push([]);
    children[under].push(index);
    return index;
  };

  // Random walks from the root: follow an existing child (more likely when there are many), else
  // branch off with a new one; walk lengths are skewed so that a few stacks are very deep.
  while (frames.length < options.nodes) {
    const length = 4 + Math.floor(rnd() ** 2 * 140);
    let at = 0;
    for (let depth = 0; depth < length && frames.length < options.nodes; depth++) {
      const kids = at === 0 ? children[0].slice(3) : children[at];
      if (kids.length > 0 && rnd() < 1 - 1 / (kids.length + 3)) {
        at = kids[Math.floor(rnd() ** 2 * kids.length)];
      } else {
        at = add(at, depth);
        // A new branch runs on for a few frames, then ends: many leaves, as in real profiles.
        if (rnd() < 0.12) break;
      }
    }
  }

  // Samples: idle, program and GC, a few hot nodes (Zipf), the rest spread over every code node.
  const count = frames.length;
  const hot = Array.from({ length: 300 }, () => 4 + Math.floor(rnd() * (count - 4)));
  const zipf = hot.map((_, i) => 1 / (i + 1));
  const zipfTotal = zipf.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  zipf.reduce((sum, w, i) => (cumulative[i] = sum + w / zipfTotal), 0);
  const samples = new Array<number>(options.samples);
  const timeDeltas = new Array<number>(options.samples);
  const hits = new Uint32Array(count);
  for (let i = 0; i < options.samples; i++) {
    const r = rnd();
    let node: number;
    if (r < 0.08) node = 2;
    else if (r < 0.11) node = 1;
    else if (r < 0.13) node = 3;
    else if (r < 0.55) {
      const u = rnd();
      let k = 0;
      while (k < cumulative.length - 1 && cumulative[k] < u) k++;
      node = hot[k];
    } else node = 4 + Math.floor(rnd() * (count - 4));
    hits[node]++;
    samples[i] = node + 1;
    timeDeltas[i] = rnd() < 0.002 ? 4000 + Math.floor(rnd() * 20000) : 800 + Math.floor(rnd() * 450);
  }

  const nodes: ProfileNode[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const frame = frames[i];
    const node: ProfileNode = { id: i + 1, callFrame: { ...frame.callFrame }, hitCount: hits[i] };
    if (children[i].length) node.children = children[i].map((c) => c + 1);
    if (hits[i] > 0 && frame.callFrame.url) {
      // Spread the node's hits over one to three lines of its function body.
      const first = frame.callFrame.lineNumber + 1;
      const ticks = new Map<number, number>();
      const lines = 1 + Math.floor(rnd() * 3);
      for (let h = 0; h < hits[i]; h++) {
        const line = Math.min(frame.lineCount, first + Math.floor(rnd() * lines * 4));
        ticks.set(line, (ticks.get(line) ?? 0) + 1);
      }
      node.positionTicks = [...ticks].map(([line, n]) => ({ line, ticks: n }));
    }
    nodes[i] = node;
  }
  void parent;
  const startTime = 1_000_000_000;
  const endTime = startTime + timeDeltas.reduce((a, b) => a + b, 0) + 500;
  return { nodes, startTime, endTime, samples, timeDeltas };
}
