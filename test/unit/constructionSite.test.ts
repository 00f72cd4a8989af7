import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constructionPlace, parseSource } from '../../server/heap/constructionSite';

const demoLeak = join(__dirname, '..', '..', 'demo', 'src', 'routes', 'leak.ts');

test("constructionPlace finds `new AuditEntry(` in the demo's /leak handler, declared on its `router.get` line", () => {
  const text = readFileSync(demoLeak, 'utf8');
  const lines = text.split('\n');
  const handlerLine = lines.findIndex((l) => l.includes("router.get('/leak'")) + 1;
  const newLine = lines.findIndex((l) => l.includes('new AuditEntry(')) + 1;
  assert.ok(handlerLine > 0 && newLine > handlerLine);
  const column = lines[handlerLine - 1]!.indexOf('(req, res)') + 1;
  const place = constructionPlace(parseSource(text, demoLeak), handlerLine, column, 'AuditEntry');
  assert.deepEqual(place, { line: newLine, column: lines[newLine - 1]!.indexOf('new AuditEntry(') + 1 });
  assert.equal(constructionPlace(parseSource(text, demoLeak), handlerLine, column, 'Session'), undefined, 'no such class constructed there');
  assert.equal(constructionPlace(parseSource(text, demoLeak), 1, 1, 'AuditEntry'), undefined, 'no function declared on line 1');
});

test('constructionPlace: nested functions are their own frames; the nearest function on a line; `new ns.Name(`', () => {
  const source = [
    'export function outer(items: string[]) {', // 1
    '  items.forEach((x) => { new Inner(x); });', // 2
    '  return new models.Ticket(items.length);', // 3
    '}', // 4
    'const a = () => new A(), b = () => new B();', // 5
  ].join('\n');
  const file = parseSource(source, 'x.ts');
  assert.deepEqual(constructionPlace(file, 1, 8, 'Ticket'), { line: 3, column: 10 });
  assert.equal(constructionPlace(file, 1, 8, 'Inner'), undefined, 'the arrow function inside forEach allocated it, not outer');
  assert.deepEqual(constructionPlace(file, 2, 17, 'Inner'), { line: 2, column: 26 });
  assert.deepEqual(constructionPlace(file, 5, 30, 'B'), { line: 5, column: 36 });
  assert.equal(constructionPlace(file, 5, 11, 'B'), undefined, 'the first arrow function builds an A');
});
