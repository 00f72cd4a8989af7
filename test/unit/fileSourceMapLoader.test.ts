import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createFileSourceMapResolver, lastSourceMappingUrl, loadSourceMapFromFile } from '../../server/sourcemaps/fileSourceMapLoader';
import { workloadsDir } from './profileFixtures';

const fixtureJs = join(workloadsDir, 'ts-dist', 'hotPath.js');
const jsText = readFileSync(fixtureJs, 'utf8');
const mapText = readFileSync(`${fixtureJs}.map`, 'utf8');
const withoutComment = jsText.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
const tsLines = readFileSync(join(workloadsDir, 'ts-src', 'hotPath.ts'), 'utf8').split('\n');
const hotTsLine = tsLines.findIndex((l) => l.includes('// HOT LINE')) + 1;
const hotJsLine = jsText.split('\n').findIndex((l) => l.includes('discount += Math.sin')) + 1;

/** A scratch folder laid out as `dist/` beside the real `ts-src/`, so sources resolve the same. */
function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'perflens-maps-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'dist'));
  return dir;
}

function collect(): { warn: (m: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { warn: (m) => messages.push(m), messages };
}

test('the committed TS fixture: map found from its comment, sources resolve to absolute .ts paths', () => {
  const { warn, messages } = collect();
  const loaded = loadSourceMapFromFile(pathToFileURL(fixtureJs).href, warn);
  assert.equal(loaded?.mapUrl, pathToFileURL(`${fixtureJs}.map`).href);
  assert.deepEqual(messages, []);
  const { resolver, warnings } = createFileSourceMapResolver();
  assert.deepEqual(resolver.resolveLine(pathToFileURL(fixtureJs).href, hotJsLine), { file: join(workloadsDir, 'ts-src', 'hotPath.ts'), line: hotTsLine, column: 4 });
  assert.deepEqual(warnings(), []);
});

test('a plain absolute path works like a file: URL', () => {
  assert.ok(loadSourceMapFromFile(fixtureJs, () => assert.fail('no warning')));
});

test('node: and internal scripts, and empty URLs, are skipped silently', () => {
  const { warn, messages } = collect();
  for (const url of ['', 'node:internal/main/run_main_module', 'node:fs', 'evalmachine.<anonymous>', '[eval]', 'internal/modules/cjs/loader']) {
    assert.equal(loadSourceMapFromFile(url, warn), undefined, url);
  }
  assert.deepEqual(messages, []);
});

test('inline data: maps, base64 and percent-encoded', (t) => {
  const dir = scratch(t);
  const base64 = join(dir, 'dist', 'inline64.js');
  writeFileSync(base64, `${withoutComment}//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(mapText).toString('base64')}\n`);
  const plain = join(dir, 'dist', 'inline.js');
  writeFileSync(plain, `${withoutComment}//# sourceMappingURL=data:application/json,${encodeURIComponent(mapText)}\n`);
  const { resolver, warnings } = createFileSourceMapResolver({ cwd: dir });
  for (const file of [base64, plain]) {
    const original = resolver.resolveLine(pathToFileURL(file).href, hotJsLine);
    assert.equal(original?.line, hotTsLine, file);
    assert.equal(original?.file, join(dir, 'ts-src', 'hotPath.ts'), 'sources resolve against the script');
  }
  assert.deepEqual(warnings(), []);
});

test('no comment: the map beside the script is used', (t) => {
  const dir = scratch(t);
  const script = join(dir, 'dist', 'x.js');
  writeFileSync(script, withoutComment);
  writeFileSync(`${script}.map`, mapText);
  const loaded = loadSourceMapFromFile(pathToFileURL(script).href, () => assert.fail('no warning'));
  assert.equal(loaded?.mapUrl, pathToFileURL(`${script}.map`).href);
});

test('the last sourceMappingURL comment wins; `//@` is accepted; strings are not comments', () => {
  assert.equal(lastSourceMappingUrl('//# sourceMappingURL=a.js.map\ncode();\n//# sourceMappingURL=b.js.map\n'), 'b.js.map');
  assert.equal(lastSourceMappingUrl('x();\n//@ sourceMappingURL=old.map'), 'old.map');
  assert.equal(lastSourceMappingUrl('//# sourceMappingURL=real.map\nconst s = "//# sourceMappingURL=fake.map";\n'), 'real.map');
  assert.equal(lastSourceMappingUrl('no comment here'), undefined);
});

test('a missing map falls back to JavaScript locations with exactly one warning per script', (t) => {
  const dir = scratch(t);
  const a = join(dir, 'dist', 'a.js');
  const b = join(dir, 'dist', 'b.js');
  writeFileSync(a, `${withoutComment}//# sourceMappingURL=a.js.map\n`);
  writeFileSync(b, withoutComment); // compiled code, no comment, no map beside it
  const { resolver, warnings } = createFileSourceMapResolver({ cwd: dir });
  for (let i = 0; i < 3; i++) {
    assert.equal(resolver.resolveLine(pathToFileURL(a).href, hotJsLine), undefined);
    assert.equal(resolver.resolveFrame({ url: pathToFileURL(b).href, lineNumber: 5, columnNumber: 0 }), undefined);
  }
  assert.deepEqual(warnings(), [
    'source map for dist/a.js not found (looked for dist/a.js.map): showing JavaScript locations',
    'source map for dist/b.js not found (looked for dist/b.js.map): showing JavaScript locations',
  ]);
});

test('a broken map falls back with one warning; hand-written and node_modules scripts without maps are quiet', (t) => {
  const dir = scratch(t);
  const broken = join(dir, 'dist', 'broken.js');
  writeFileSync(broken, `${withoutComment}//# sourceMappingURL=broken.js.map\n`);
  writeFileSync(`${broken}.map`, '{"version": 3, "mappings": "AAAA"');
  const nomap = join(dir, 'dist', 'nomap.js');
  writeFileSync(nomap, `${withoutComment}//# sourceMappingURL=nomap.js.map\n`);
  writeFileSync(`${nomap}.map`, '{"version": 3}');
  const handWritten = join(dir, 'app.js');
  writeFileSync(handWritten, 'function handler() {}\nmodule.exports = handler;\n');
  mkdirSync(join(dir, 'node_modules', 'lib', 'dist'), { recursive: true });
  const dependency = join(dir, 'node_modules', 'lib', 'dist', 'index.js');
  writeFileSync(dependency, withoutComment);
  const { resolver, warnings } = createFileSourceMapResolver({ cwd: dir });
  for (let i = 0; i < 2; i++) {
    for (const file of [broken, nomap, handWritten, dependency]) assert.equal(resolver.resolveLine(pathToFileURL(file).href, 3), undefined, file);
  }
  const messages = warnings();
  assert.equal(messages.length, 2, messages.join('\n'));
  assert.match(messages[0], /^source map for dist\/broken\.js is not valid JSON \(dist\/broken\.js\.map: .+\): showing JavaScript locations$/);
  assert.match(messages[1], /^source map for dist\/nomap\.js is not valid \(dist\/nomap\.js\.map has no `mappings`\): showing JavaScript locations$/);
});

test('a script that is gone gives one warning; paths outside cwd stay absolute', (t) => {
  const dir = scratch(t);
  const { resolver, warnings } = createFileSourceMapResolver({ cwd: join(dir, 'elsewhere') });
  const gone = pathToFileURL(join(dir, 'dist', 'gone.js')).href;
  resolver.resolveLine(gone, 1);
  resolver.resolveLine(gone, 2);
  assert.deepEqual(warnings(), [`script ${join(dir, 'dist', 'gone.js')} not found: showing its locations as recorded`]);
});

test('a sourceMapURL reported by the target wins over the disk: TypeScript compiled in memory', (t) => {
  const dir = scratch(t);
  // As under tsx: V8 runs compiled code under the .ts file's own URL; the map exists only in memory.
  const tsFile = join(dir, 'ts-src', 'hotPath.ts');
  mkdirSync(join(dir, 'ts-src'));
  writeFileSync(tsFile, readFileSync(join(workloadsDir, 'ts-src', 'hotPath.ts')));
  const url = pathToFileURL(tsFile).href;
  const inline = `data:application/json;base64,${Buffer.from(mapText).toString('base64')}`;
  const { resolver, warnings } = createFileSourceMapResolver({ cwd: dir, sourceMapUrls: new Map([[url, inline]]) });
  assert.equal(resolver.resolveLine(url, hotJsLine)?.line, hotTsLine);
  assert.deepEqual(warnings(), []);

  const without = createFileSourceMapResolver({ cwd: dir });
  assert.equal(without.resolver.resolveLine(url, hotJsLine), undefined);
  assert.deepEqual(without.warnings(), ['ts-src/hotPath.ts is TypeScript compiled in memory (tsx, ts-node) and its source map is not on disk: its lines are those of the compiled code']);
});
