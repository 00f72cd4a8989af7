// The pure byte-level scanners of the .heapsnapshot reader, split at every byte, and the memory
// estimate's arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateAnalysisBytes } from '../../server/heap/memoryBudget';
import { FAILED, NEED_MORE, NumberArrayScanner } from '../../server/heap/numberScanner';
import { StringArrayScanner } from '../../server/heap/stringScanner';

/** Feeds `text` (after its '[') in two chunks split at `split`; returns the rows, or the error. */
function scanNumbers(text: string, split: number, fieldCount: number): number[][] | string {
  const rows: number[][] = [];
  const scanner = new NumberArrayScanner(fieldCount, { row: (values) => void rows.push([...values]) });
  const bytes = Buffer.from(text);
  const first = scanner.scan(bytes.subarray(0, split), 0, split);
  if (first === FAILED) return `${scanner.error} at ${scanner.errorAt}`;
  if (first !== NEED_MORE) return scanner.partialRow === 0 ? rows : `partial row of ${scanner.partialRow}`;
  const rest = bytes.subarray(split);
  const second = scanner.scan(rest, 0, rest.length);
  if (second === FAILED) return `${scanner.error} at ${split + scanner.errorAt}`;
  if (second === NEED_MORE) return 'unterminated';
  return scanner.partialRow === 0 ? rows : `partial row of ${scanner.partialRow}`;
}

test('numbers scan into rows identically wherever the chunk splits', () => {
  const text = ' 0,12 ,\n345,6789012345,\r\n\t7, 999999999999999 ]';
  for (let split = 0; split <= text.length; split++) {
    assert.deepEqual(scanNumbers(text, split, 3), [
      [0, 12, 345],
      [6789012345, 7, 999999999999999],
    ]);
  }
  assert.deepEqual(scanNumbers(']', 0, 3), []);
});

test('bad number arrays fail at the offending byte wherever the chunk splits', () => {
  const cases: [string, string][] = [
    ['1,,2]', 'a number at 2'],
    ['1 2]', "',' or ']' after a number at 2"],
    ['1,2,]', 'a number after the comma at 4'],
    [',1]', 'a number at 0'],
    ['1,2.5]', "',' or ']' at 3"],
    ['1,1234567890123456]', 'a number of at most 15 digits at 2'],
  ];
  for (const [text, expected] of cases) {
    for (let split = 0; split <= text.length; split++) assert.equal(scanNumbers(text, split, 1), expected, `${text} split at ${split}`);
  }
  assert.equal(scanNumbers('1,2,3]', 6, 2), 'partial row of 1');
});

test('strings are located (offset of the opening quote, length with quotes) wherever the chunk splits', () => {
  const text = ' "a", "say \\"hi\\"" ,"\\u00e9\\n","",\n"日本"]';
  const expected = ['"a"', '"say \\"hi\\""', '"\\u00e9\\n"', '""', '"日本"'];
  const bytes = Buffer.from(text);
  for (let split = 0; split <= bytes.length; split++) {
    const scanner = new StringArrayScanner();
    const first = scanner.scan(bytes.subarray(0, split), 0, split, 0);
    if (first === NEED_MORE) assert.equal(scanner.scan(bytes.subarray(split), 0, bytes.length - split, split), bytes.length - split);
    else assert.equal(first, bytes.length);
    const found = Array.from({ length: scanner.count }, (_, i) => bytes.toString('utf8', scanner.offsets[i], scanner.offsets[i]! + scanner.lengths[i]!));
    assert.deepEqual(found, expected, `split at ${split}`);
  }
});

test('the memory estimate counts the reader’s columns, the string allowance and the analysis', () => {
  const mib = 2 ** 20;
  assert.equal(estimateAnalysisBytes({ nodeCount: 0, edgeCount: 0 }), 2 * mib);
  assert.equal(estimateAnalysisBytes({ nodeCount: 1_000_000, edgeCount: 0 }) - 2 * mib, 1_000_000 * (17 + 12 + 18));
  assert.equal(estimateAnalysisBytes({ nodeCount: 0, edgeCount: 1_000_000 }) - 2 * mib, 1_000_000 * (9 + 0.25));
});
