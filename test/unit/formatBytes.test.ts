import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatMegabytes } from '../../server/text/formatBytes';

test('sizes in binary units, two significant digits below 100', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(2048), '2 KB');
  assert.equal(formatBytes(45 * 2 ** 20), '45 MB');
  assert.equal(formatBytes(1.25 * 2 ** 20), '1.3 MB');
  assert.equal(formatBytes(150 * 2 ** 20), '150 MB');
  assert.equal(formatBytes(1.5 * 2 ** 30), '1.5 GB');
  assert.equal(formatBytes(-3 * 2 ** 20), '-3 MB');
  assert.equal(formatBytes(0), '0 B');
});

test('megabytes without a unit: whole above 10, one decimal below', () => {
  assert.equal(formatMegabytes(45.4 * 2 ** 20), '45');
  assert.equal(formatMegabytes(2.26 * 2 ** 20), '2.3');
  assert.equal(formatMegabytes(0), '0');
});
