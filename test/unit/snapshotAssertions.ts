// Assertions shared by the .heapsnapshot reader's tests: two HeapGraphs equal column by column.
import assert from 'node:assert/strict';
import type { HeapGraph } from '../../server/heap/heapGraph';

/** Column-by-column equality, strings included. */
export function assertSameGraph(actual: HeapGraph, expected: HeapGraph): void {
  assert.equal(actual.nodeCount, expected.nodeCount);
  assert.equal(actual.edgeCount, expected.edgeCount);
  assert.deepEqual([...actual.nodeTypeNames], [...expected.nodeTypeNames]);
  assert.deepEqual([...actual.edgeTypeNames], [...expected.edgeTypeNames]);
  for (const column of ['nodeType', 'nodeName', 'nodeId', 'nodeSelfSize', 'firstEdge', 'edgeType', 'edgeName', 'edgeTo'] as const) {
    assert.deepEqual([...actual[column]], [...expected[column]], column);
  }
  assert.deepEqual([...(actual.selfSizeOverflow ?? new Map())], [...(expected.selfSizeOverflow ?? new Map())]);
  assert.equal(actual.strings.count, expected.strings.count);
  for (let i = 0; i < expected.strings.count; i++) assert.equal(actual.strings.get(i), expected.strings.get(i), `string ${i}`);
  assert.equal(actual.rootIndex, expected.rootIndex);
}

