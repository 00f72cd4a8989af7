import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSize } from '../../server/text/parseSize';

test('sizes with a unit, binary multiples, case-insensitive', () => {
  const table: Array<[string, number]> = [['512B', 512], ['1KB', 1024], ['1kb', 1024], ['1.5MB', 1_572_864], ['2GB', 2 * 2 ** 30], ['0B', 0], ['10 MB', 10 * 2 ** 20]];
  for (const [text, bytes] of table) assert.equal(parseSize(text), bytes, text);
});

test('anything else is refused, quoting the text', () => {
  for (const text of ['abc', '1', '1K', 'KB', '-1KB', '1KB extra', '1..5MB', '1e3KB', '', '1 KB B']) {
    assert.throws(() => parseSize(text), (err: Error) => err.message.startsWith(JSON.stringify(text)) && /e\.g\. 512B, 1KB/.test(err.message), text);
  }
});
