// Route path templates → parameter names and sample URLs (server/routes/samplePath.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillPathParams, pathParams } from '../../server/routes/samplePath';

/** [path, its parameters, values, filled path]. */
const cases: Array<[string, string[], Record<string, string>, string]> = [
  ['/health', [], {}, '/health'],
  ['/users/:id', ['id'], { id: '42' }, '/users/42'],
  ['/users/{id}', ['id'], { id: '42' }, '/users/42'],
  ['/users/:userId/posts/:postId', ['userId', 'postId'], { userId: '1', postId: '2' }, '/users/1/posts/2'],
  ['/a/:id/b/:id', ['id'], { id: 'x' }, '/a/x/b/x'],
  ['/users/:id(\\d+)', ['id'], { id: '7' }, '/users/7'],
  ['/users/:id((?:\\d+|me))/x', ['id'], { id: 'me' }, '/users/me/x'],
  ['/posts/:id{[0-9]+}', ['id'], { id: '9' }, '/posts/9'],
  ['/wild/*', ['*'], { '*': 'a/b c' }, '/wild/a/b%20c'],
  ['*', ['*'], { '*': 'anything' }, 'anything'],
  ['/files/*splat', ['splat'], { splat: 'docs/readme.md' }, '/files/docs/readme.md'],
  ['/files/{*splat}', ['splat'], { splat: 'x' }, '/files/x'],
  ['/ab*cd', ['*'], { '*': 'XY' }, '/abXYcd'],
  ['/items/:name?', ['name'], { name: 'pen' }, '/items/pen'],
  ['/items/:name?', ['name'], {}, '/items'],
  ['/items/:name?', ['name'], { name: '' }, '/items'],
  ['/:id?', ['id'], {}, '/'],
  ['/users{/:id}', ['id'], { id: '3' }, '/users/3'],
  ['/users{/:id}', ['id'], {}, '/users'],
  ['/file{.:ext}', ['ext'], { ext: 'json' }, '/file.json'],
  ['/:file.:ext', ['file', 'ext'], { file: 'a', ext: 'txt' }, '/a.txt'],
  ['/geo/:lat-:lng', ['lat', 'lng'], { lat: '1.5', lng: '-2' }, '/geo/1.5--2'],
  ['/:"quoted name"', ['quoted name'], { 'quoted name': 'q' }, '/q'],
  ['/name::verb', [], {}, '/name:verb'],
  ['/literal\\:colon/:id', ['id'], { id: '1' }, '/literal:colon/1'],
  ['/search/:term', ['term'], { term: 'a/b?c#d' }, '/search/a%2Fb%3Fc%23d'],
  ['/search/:term', ['term'], { term: 'caf%C3%A9 bar' }, '/search/caf%C3%A9%20bar'],
  ['/path/:segments+', ['segments'], { segments: 'a/b' }, '/path/a/b'],
  ['/path/:segments*', ['segments'], {}, '/path'],
  ['/users/:id', ['id'], {}, '/users/:id'],
  ['/users/:id(\\d+)/:tab', ['id', 'tab'], { tab: 'x' }, '/users/:id(\\d+)/x'],
  ['/mail/user@host:', [], {}, '/mail/user@host:'],
  ['/unclosed{/:id', ['id'], { id: '1' }, '/unclosed{/1'],
  ['', [], {}, ''],
];

for (const [path, params, values, filled] of cases) {
  test(`${JSON.stringify(path)} with ${JSON.stringify(values)}`, () => {
    assert.deepEqual(pathParams(path), params);
    assert.equal(fillPathParams(path, values), filled);
  });
}

test('values for names the path does not have are ignored; inherited object keys are not values', () => {
  assert.equal(fillPathParams('/x/:constructor', { other: '1' }), '/x/:constructor');
  assert.equal(fillPathParams('/x/:id', { id: '1', other: '2' }), '/x/1');
});
