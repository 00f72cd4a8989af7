// A sampling heap profile made by hand: its live bytes per allocating line (allocationSites), mapped
// through a source map, and the same profile as a speedscope file (heapProfileToSpeedscope).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol } from 'devtools-protocol';
import { createSourceMapResolver } from '../../server/analysis/sourceMapResolver';
import { allocationSites } from '../../server/heap/allocationSites';
import { heapProfileToSpeedscope } from '../../server/heap/heapProfileSpeedscope';

type Node = Protocol.HeapProfiler.SamplingHeapProfileNode;
let nextId = 1;
function node(functionName: string, url: string, lineNumber: number, columnNumber: number, selfSize: number, children: Node[] = []): Node {
  return { callFrame: { functionName, scriptId: '1', url, lineNumber, columnNumber }, selfSize, id: nextId++, children };
}

const LEAK_JS = 'file:///app/dist/routes/leak.js';
// dist/routes/leak.js: generated line 24 column 26 (0-based: 23, 26) is src/routes/leak.ts line 24
// column 21 (0-based 23, 20); generated line 7 column 4 is leak.ts line 7 column 3.
const mappings: Array<Array<[number, number, number, number]>> = Array.from({ length: 24 }, () => []);
mappings[6] = [[4, 0, 6, 2]];
mappings[23] = [[26, 0, 23, 20]];
const map = { version: 3 as const, sources: ['../../src/routes/leak.ts'], names: [], mappings };
const resolver = createSourceMapResolver((url) => (url === LEAK_JS ? { map, mapUrl: `${LEAK_JS}.map` } : undefined));

/** (root) → main → the handler (32 KB) → AuditEntry (16 KB); main → the handler again by another path (16 KB); (V8 API) 8 KB; node:fs 4 KB. */
const profile: Protocol.HeapProfiler.SamplingHeapProfile = {
  head: node('(root)', '', -1, -1, 0, [
    node('main', 'file:///app/dist/server.js', 0, 0, 0, [
      node('', LEAK_JS, 23, 26, 32_768, [node('AuditEntry', LEAK_JS, 6, 4, 16_384)]),
      node('handle', 'file:///app/node_modules/express/lib/router/layer.js', 94, 10, 0, [node('', LEAK_JS, 23, 26, 16_384)]),
    ]),
    node('(V8 API)', '', 0, 0, 8_192),
    node('readFile', 'node:fs', 10, 2, 4_096),
  ]),
  samples: [],
};
const TOTAL = 32_768 + 16_384 + 16_384 + 8_192 + 4_096;

test('live bytes per allocating line, mapped to the TypeScript source, largest first; frames without a script are left out', () => {
  const sites = allocationSites(profile, resolver, { handlerName: (file, line) => (file === '/app/src/routes/leak.ts' && line === 24 ? 'GET /leak' : undefined) });
  assert.deepEqual(
    sites.map((s) => [s.functionName, s.file, s.line, s.column, s.mapped, s.origin, s.liveBytes]),
    [
      ['GET /leak', '/app/src/routes/leak.ts', 24, 21, true, 'own', 49_152],
      ['AuditEntry', '/app/src/routes/leak.ts', 7, 3, true, 'own', 16_384],
      ['readFile', 'node:fs', 11, 3, false, 'node', 4_096],
    ],
  );
  assert.equal(sites[0].share, 49_152 / TOTAL, 'the share is of every live byte, (V8 API) included');
  assert.equal(sites.find((s) => s.functionName === 'handle'), undefined, 'a frame that allocated nothing itself is no site');
});

test('without source maps: the script line (1-based), anonymous functions named so', () => {
  const sites = allocationSites(profile, undefined);
  assert.deepEqual(sites[0], { functionName: '(anonymous)', file: '/app/dist/routes/leak.js', line: 24, column: 27, mapped: false, origin: 'own', liveBytes: 49_152, share: 49_152 / TOTAL });
  assert.deepEqual(allocationSites({ head: node('(root)', '', -1, -1, 0), samples: [] }, resolver), []);
});

test('speedscope: allocations by function in bytes, a stack per allocating node from the outermost frame, weights its own bytes', () => {
  const file = heapProfileToSpeedscope(profile, resolver, 'leak');
  assert.equal(file.$schema, 'https://www.speedscope.app/file-format-schema.json');
  const [sampled] = file.profiles;
  assert.deepEqual([sampled.type, sampled.unit, sampled.startValue, sampled.endValue], ['sampled', 'bytes', 0, TOTAL]);
  assert.match(sampled.name, /allocations by function/);
  const names = (stack: number[]) => stack.map((i) => file.shared.frames[i].name).join(';');
  const stacks = sampled.samples.map((stack, i) => `${names(stack)} ${sampled.weights[i]}`).sort();
  assert.deepEqual(stacks, ['(V8 API) 8192', 'main;(anonymous) 32768', 'main;(anonymous);AuditEntry 16384', 'main;handle;(anonymous) 16384', 'readFile 4096']);
  assert.ok(!file.shared.frames.some((f) => f.name === '(root)'), '(root) is left out');
  assert.deepEqual(file.shared.frames.find((f) => f.name === 'AuditEntry'), { name: 'AuditEntry', file: '/app/src/routes/leak.ts', line: 7, col: 3 });
  assert.equal(file.shared.frames.filter((f) => f.name === '(anonymous)').length, 1, 'one frame per function, wherever it is called from');
  assert.deepEqual(JSON.parse(JSON.stringify(file)), file, 'plain JSON');
});
