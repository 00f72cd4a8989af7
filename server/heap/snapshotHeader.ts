// The header of a .heapsnapshot file, `{"snapshot":{…}`: found by a bounded, string-aware
// balanced-brace scan over its first bytes, JSON.parsed (it is small), and validated. The meta
// gives the field positions (node_fields.indexOf('type'), …): nothing about the layout is assumed
// beyond what V8's serializer always writes. Pure.
import { formatError, SnapshotFormatError } from './snapshotErrors';

/** A header over this many bytes is not a V8 snapshot's. */
export const HEADER_LIMIT_BYTES = 2 ** 20;

export interface SnapshotHeader {
  /** meta.node_fields, e.g. ['type','name','id','self_size','edge_count','detachedness'] (Node 24). */
  readonly nodeFields: readonly string[];
  /** meta.edge_fields: ['type','name_or_index','to_node']. */
  readonly edgeFields: readonly string[];
  /** meta.node_types[node_fields.indexOf('type')]. */
  readonly nodeTypeNames: readonly string[];
  /** meta.edge_types[edge_fields.indexOf('type')]. */
  readonly edgeTypeNames: readonly string[];
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** 0 unless allocations were tracked. */
  readonly traceFunctionCount: number;
  /** The root node's ordinal (snapshot.root_index / node_fields.length; 0 when absent). */
  readonly rootIndex: number;
  /** The file's size in bytes. */
  readonly fileSize: number;
}

/** Where the node and edge fields the reader stores are in a row. */
export interface FieldPositions {
  readonly nodeType: number;
  readonly nodeName: number;
  readonly nodeId: number;
  readonly nodeSelfSize: number;
  readonly nodeEdgeCount: number;
  readonly edgeType: number;
  readonly edgeName: number;
  readonly edgeTo: number;
}

const PREFIX = '{"snapshot":';

/**
 * The index just past the `}` that closes the snapshot object in bytes[0…length), or -1 when these
 * bytes end before it. Throws SnapshotFormatError when the file does not start like a snapshot.
 * `objectStart` receives the index of the object's `{`.
 */
export function findHeaderEnd(bytes: Uint8Array, length: number, objectStart: { at: number }): number {
  let i = skipSpace(bytes, length, 0);
  // `{"snapshot":` with optional whitespace around the tokens.
  for (const token of ['{', '"snapshot"', ':']) {
    for (let k = 0; k < token.length; k++, i++) {
      if (i >= length) return -1;
      if (bytes[i] !== token.charCodeAt(k)) throw formatError('snapshot', i, `the file to start with ${PREFIX}{ (a V8 .heapsnapshot)`, bytes[i]);
    }
    i = skipSpace(bytes, length, i);
  }
  if (i >= length) return -1;
  if (bytes[i] !== 0x7b) throw formatError('snapshot', i, "'{' starting the snapshot's header object", bytes[i]);
  objectStart.at = i;
  let depth = 0;
  let inString = false;
  for (; i < length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function skipSpace(bytes: Uint8Array, length: number, i: number): number {
  while (i < length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return i;
}

/** The header from the text of the snapshot object (`{"meta":…,"node_count":…}`), validated. */
export function parseSnapshotHeader(text: string, fileSize: number, at: number): { header: SnapshotHeader; fields: FieldPositions } {
  const fail = (what: string): SnapshotFormatError => formatError('snapshot', at, what);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail(`a JSON object (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw fail('an object');
  const meta = value['meta'];
  if (!isRecord(meta)) throw fail('snapshot.meta to be an object');
  const nodeFields = stringList(meta['node_fields'], 'snapshot.meta.node_fields', fail);
  const edgeFields = stringList(meta['edge_fields'], 'snapshot.meta.edge_fields', fail);
  const position = (fields: readonly string[], list: string, name: string): number => {
    const index = fields.indexOf(name);
    if (index < 0) throw fail(`snapshot.meta.${list} to include '${name}' (it has ${JSON.stringify(fields)})`);
    return index;
  };
  const fields: FieldPositions = {
    nodeType: position(nodeFields, 'node_fields', 'type'),
    nodeName: position(nodeFields, 'node_fields', 'name'),
    nodeId: position(nodeFields, 'node_fields', 'id'),
    nodeSelfSize: position(nodeFields, 'node_fields', 'self_size'),
    nodeEdgeCount: position(nodeFields, 'node_fields', 'edge_count'),
    edgeType: position(edgeFields, 'edge_fields', 'type'),
    edgeName: position(edgeFields, 'edge_fields', 'name_or_index'),
    edgeTo: position(edgeFields, 'edge_fields', 'to_node'),
  };
  const typeNames = (types: unknown, list: string, index: number): string[] => {
    if (!Array.isArray(types)) throw fail(`snapshot.meta.${list} to be an array`);
    const names = stringList(types[index], `snapshot.meta.${list}[${index}]`, fail);
    if (names.length === 0 || names.length > 256) throw fail(`snapshot.meta.${list}[${index}] to list 1 to 256 type names`);
    return names;
  };
  const nodeTypeNames = typeNames(meta['node_types'], 'node_types', fields.nodeType);
  const edgeTypeNames = typeNames(meta['edge_types'], 'edge_types', fields.edgeType);
  const nodeCount = countOf(value['node_count'], 'snapshot.node_count', fail, 0xfffffffe);
  if (nodeCount === 0) throw fail('snapshot.node_count to be at least 1 (every snapshot has its root node)');
  const edgeCount = countOf(value['edge_count'], 'snapshot.edge_count', fail, 0xffffffff);
  const traceFunctionCount = value['trace_function_count'] === undefined ? 0 : countOf(value['trace_function_count'], 'snapshot.trace_function_count', fail, Number.MAX_SAFE_INTEGER);
  let rootIndex = 0;
  if (value['root_index'] !== undefined) {
    const raw = countOf(value['root_index'], 'snapshot.root_index', fail, Number.MAX_SAFE_INTEGER);
    if (raw % nodeFields.length !== 0 || raw / nodeFields.length >= nodeCount) {
      throw fail(`snapshot.root_index to be a node's index (a multiple of ${nodeFields.length} below ${nodeCount * nodeFields.length}), not ${raw}`);
    }
    rootIndex = raw / nodeFields.length;
  }
  const header = { nodeFields, edgeFields, nodeTypeNames, edgeTypeNames, nodeCount, edgeCount, traceFunctionCount, rootIndex, fileSize };
  return { header, fields };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, what: string, fail: (what: string) => SnapshotFormatError): string[] {
  if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) throw fail(`${what} to be an array of strings`);
  return value as string[];
}

function countOf(value: unknown, what: string, fail: (what: string) => SnapshotFormatError, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw fail(`${what} to be an integer from 0 to ${max.toLocaleString('en-US')}`);
  return value;
}
