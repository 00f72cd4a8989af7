import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { createSourceMapResolver, type LoadedSourceMap } from '../../server/analysis/sourceMapResolver';
import { workloadsDir } from './profileFixtures';

const jsPath = join(workloadsDir, 'ts-dist', 'hotPath.js');
const mapPath = `${jsPath}.map`;
const tsPath = join(workloadsDir, 'ts-src', 'hotPath.ts');
const jsUrl = pathToFileURL(jsPath).href;
const mapUrl = pathToFileURL(mapPath).href;
const js = readFileSync(jsPath, 'utf8').split('\n');
const ts = readFileSync(tsPath, 'utf8').split('\n');
/** 1-based line of the first line containing `needle`. */
const lineOf = (lines: string[], needle: string) => {
  const index = lines.findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `${needle} not found`);
  return index + 1;
};
const loaded = (): LoadedSourceMap => ({ map: readFileSync(mapPath, 'utf8'), mapUrl });

test('a CDP call frame (0-based line and column) maps to the function in the .ts source', () => {
  const resolver = createSourceMapResolver(() => loaded());
  const jsLine = lineOf(js, 'function computeDiscount(');
  // V8 puts a function's position at its parameter list: 0-based line and column.
  const frame = { url: jsUrl, lineNumber: jsLine - 1, columnNumber: js[jsLine - 1].indexOf('(') };
  const original = resolver.resolveFrame(frame);
  assert.deepEqual(original && { file: original.file, line: original.line }, { file: tsPath, line: lineOf(ts, 'function computeDiscount(') });
  assert.notEqual(lineOf(ts, 'function computeDiscount('), jsLine, 'the fixture has moved lines: the test means something');
  // The pitfall: forgetting +1 on CDP's 0-based line lands on the line before.
  assert.notEqual(resolver.resolve(jsUrl, frame.lineNumber, frame.columnNumber)?.line, original!.line);
});

test('a positionTicks line (1-based, no column) maps to the hot .ts line', () => {
  const resolver = createSourceMapResolver(() => loaded());
  const original = resolver.resolveLine(jsUrl, lineOf(js, 'discount += Math.sin'));
  assert.equal(original?.file, tsPath);
  assert.equal(original?.line, lineOf(ts, '// HOT LINE'));
});

test('a line whose first mapping sits after its indentation still maps (LEAST_UPPER_BOUND)', () => {
  // As tsc writes them: generated line 2 is `    hot();`, mapped from column 4 only, to a.ts line 6.
  const map = { version: 3 as const, sources: ['a.ts'], names: [], mappings: [[[0, 0, 0, 0]], [[4, 0, 5, 4]]] as [number, number, number, number][][] };
  const mapUrl = 'file:///app/dist/a.js.map';
  assert.equal(originalPositionFor(new TraceMap(map, mapUrl), { line: 2, column: 0 }).source, null, 'column 0 with the default bias misses');
  const resolver = createSourceMapResolver(() => ({ map, mapUrl }));
  assert.deepEqual(resolver.resolveLine('file:///app/dist/a.js', 2), { file: '/app/dist/a.ts', line: 6, column: 4 });
});

test('a column past the last mapping falls back to the mapping before it', () => {
  const resolver = createSourceMapResolver(() => loaded());
  const jsLine = lineOf(js, 'discount += Math.sin');
  assert.equal(resolver.resolve(jsUrl, jsLine, 10_000)?.line, lineOf(ts, '// HOT LINE'));
  assert.equal(resolver.resolve(jsUrl, 0, 0), undefined, 'line 0 does not exist in 1-based lines');
  assert.equal(resolver.resolve(jsUrl, 10_000, 0), undefined, 'past the end');
});

test('maps are loaded once per script, including scripts without one', () => {
  const calls: string[] = [];
  const resolver = createSourceMapResolver((url) => {
    calls.push(url);
    return url === jsUrl ? loaded() : undefined;
  });
  for (let i = 0; i < 3; i++) {
    resolver.resolveLine(jsUrl, 5);
    resolver.resolveLine('file:///plain.js', 5);
    resolver.resolveFrame({ url: 'node:internal/x', lineNumber: 1, columnNumber: 1 });
  }
  resolver.resolveFrame({ url: '', lineNumber: 1, columnNumber: 1 });
  assert.deepEqual(calls, [jsUrl, 'file:///plain.js', 'node:internal/x']);
  assert.equal(resolver.hasMap(jsUrl), true);
  assert.equal(resolver.hasMap('file:///plain.js'), false);
  assert.deepEqual(resolver.warnings(), []);
});

test('a broken map gives one warning for its script and no positions', () => {
  const resolver = createSourceMapResolver(() => ({ map: '{"version": 3, "mappings": ', mapUrl: 'file:///app/dist/x.js.map' }), { displayPath: (p) => p.replace('/app/', '') });
  for (let i = 0; i < 3; i++) assert.equal(resolver.resolveLine('file:///app/dist/x.js', 1), undefined);
  assert.equal(resolver.warnings().length, 1);
  assert.match(resolver.warnings()[0], /^source map for dist\/x\.js is not valid \(dist\/x\.js\.map: .+\): showing JavaScript locations$/);
});

test('warnings from the loader are kept, once per script', () => {
  const resolver = createSourceMapResolver((url, warn) => {
    warn(`no map for ${url}`);
    return undefined;
  });
  resolver.resolveLine('file:///a.js', 1);
  resolver.resolveLine('file:///a.js', 2);
  resolver.resolveLine('file:///b.js', 1);
  assert.deepEqual(resolver.warnings(), ['no map for file:///a.js', 'no map for file:///b.js']);
});

test('sources that are not file: URLs stay URLs; names come through', () => {
  // One mapping: generated 1:0 → source 0, line 3 (0-based 2), column 4, name 0.
  const map = { version: 3, sources: ['src/app.ts'], sourceRoot: 'webpack:///', names: ['handler'], mappings: 'AAEIA' };
  const resolver = createSourceMapResolver(() => ({ map, mapUrl: 'file:///srv/dist/app.js.map' }));
  assert.deepEqual(resolver.resolve('file:///srv/dist/app.js', 1, 0), { file: 'webpack:///src/app.ts', line: 3, column: 4, name: 'handler' });
});

test('a source path with spaces and escapes becomes a plain absolute path', () => {
  const map = { version: 3, sources: ['../src/my%20app.ts'], names: [], mappings: 'AAAA' };
  const resolver = createSourceMapResolver(() => ({ map, mapUrl: 'file:///srv/my%20dir/dist/app.js.map' }));
  assert.equal(resolver.resolve('file:///srv/my%20dir/dist/app.js', 1, 0)?.file, '/srv/my dir/src/my app.ts');
});
