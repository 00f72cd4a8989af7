// The streaming .heapsnapshot reader: bytes in, typed arrays out, in bounded memory. The file is
// read with fs.read into one reused buffer and scanned byte by byte (never a JavaScript string of
// a section): the header is JSON.parsed alone, `nodes` and `edges` go straight into HeapGraph's
// columns sized from the header's counts, `strings` are kept as file offsets and decoded on demand
// from the still-open file. A snapshot too large for the memory available is refused from its
// header, before any column is allocated.
import fs from 'node:fs';
import type { HeapGraph } from './heapGraph';
import { availableMemoryBytes, estimateAnalysisBytes, estimateIdBytes } from './memoryBudget';
import { NumberArrayScanner, type SectionScanner } from './numberScanner';
import { SnapshotBody } from './snapshotBody';
import { CountingSink, EdgeColumns, IdColumn, NodeColumns } from './snapshotColumns';
import { abortError, count, formatError, SnapshotTooLargeError, truncatedError } from './snapshotErrors';
import { findHeaderEnd, HEADER_LIMIT_BYTES, parseSnapshotHeader, type FieldPositions, type SnapshotHeader } from './snapshotHeader';
import { FileStrings } from './fileStrings';
import { StringArrayScanner } from './stringScanner';

export { SnapshotFormatError, SnapshotTooLargeError } from './snapshotErrors';
export type { SnapshotHeader } from './snapshotHeader';
export { estimateAnalysisBytes } from './memoryBudget';

export type ReadProgressMessage = 'reading nodes' | 'reading edges' | 'reading strings';

export interface ReadOptions {
  /** Called at most every 4 MB read: the fraction of the file's bytes read so far. */
  onProgress?(fraction: number, message: ReadProgressMessage): void;
  /** Cancels the read between chunks (rejects with an Error named 'AbortError'). */
  signal?: AbortSignal;
  /** Refuse (SnapshotTooLargeError) when the estimate passes this; default: availableMemoryBytes(). */
  memoryLimitBytes?: number;
  /** The read buffer's size (default 1 MiB); tests use tiny ones to cross every chunk boundary. */
  chunkBytes?: number;
}

export interface LoadedSnapshot {
  readonly graph: HeapGraph;
  readonly header: SnapshotHeader;
  /** Closes the file: graph.strings can no longer decode strings it has not cached. */
  close(): void;
}

const CHUNK_BYTES = 2 ** 20;
const FIRST_HEADER_READ = 64 * 1024;
const PROGRESS_BYTES = 4 * 2 ** 20;

/** The snapshot's header (meta, counts), reading only the file's first bytes. */
export async function readSnapshotHeader(file: string): Promise<SnapshotHeader> {
  const fd = await openFile(file);
  try {
    return (await readHeader(fd)).header;
  } finally {
    fs.closeSync(fd);
  }
}

/** The whole snapshot as a HeapGraph; its strings stay in the file until close(). */
export async function readSnapshot(file: string, options: ReadOptions = {}): Promise<LoadedSnapshot> {
  if (options.signal?.aborted) throw abortError();
  const fd = await openFile(file);
  let handedOver = false;
  try {
    const { header, fields, bodyStart } = await readHeader(fd);
    await checkCountsFit(fd, header, bodyStart, true, options);
    refuseWhenTooLarge(header, estimateAnalysisBytes(header), options);
    const nodes = new NodeColumns(header, fields);
    const edges = new EdgeColumns(header, fields);
    const strings = new StringArrayScanner();
    const nodeScanner = new NumberArrayScanner(header.nodeFields.length, nodes);
    const edgeScanner = new NumberArrayScanner(header.edgeFields.length, edges);
    const body = new SnapshotBody({
      sections: new Map<string, SectionScanner>([
        ['nodes', nodeScanner],
        ['edges', edgeScanner],
        ['strings', strings],
      ]),
      closed: (key) => {
        if (key === 'nodes') return partialRow(nodeScanner, 'node') ?? nodes.problem();
        if (key === 'edges') return partialRow(edgeScanner, 'edge') ?? edges.problem();
        return undefined;
      },
      fileSize: header.fileSize,
    });
    await pump(fd, body, bodyStart, header.fileSize, options);
    checkNames(header, nodes, edges, strings.count, body.starts);
    strings.fit();
    const table = new FileStrings(fd, strings);
    const graph: HeapGraph = {
      nodeCount: header.nodeCount,
      edgeCount: header.edgeCount,
      nodeTypeNames: header.nodeTypeNames,
      edgeTypeNames: header.edgeTypeNames,
      nodeType: nodes.nodeType,
      nodeName: nodes.nodeName,
      nodeId: nodes.nodeId,
      nodeSelfSize: nodes.nodeSelfSize,
      selfSizeOverflow: nodes.selfSizeOverflow,
      firstEdge: nodes.firstEdge,
      edgeType: edges.edgeType,
      edgeName: edges.edgeName,
      edgeTo: edges.edgeTo,
      strings: table,
      rootIndex: header.rootIndex,
    };
    handedOver = true;
    // Bound, not an arrow: an arrow here would share this scope's closure context, which holds the
    // reader's column objects, and keep the edge columns alive after analyseHeap gave them back.
    return { graph, header, close: table.close.bind(table) };
  } finally {
    if (!handedOver) fs.closeSync(fd);
  }
}

/** The snapshot's node ids only, sorted ascending and unique; reads the file only up to the end of `nodes`. */
export async function readSnapshotIds(file: string, options: ReadOptions = {}): Promise<{ ids: Uint32Array; header: SnapshotHeader }> {
  if (options.signal?.aborted) throw abortError();
  const fd = await openFile(file);
  try {
    const { header, fields, bodyStart } = await readHeader(fd);
    await checkCountsFit(fd, header, bodyStart, false, options);
    refuseWhenTooLarge(header, estimateIdBytes(header), options);
    const ids = new IdColumn(header, fields.nodeId);
    const scanner = new NumberArrayScanner(header.nodeFields.length, ids);
    const body = new SnapshotBody({
      sections: new Map([['nodes', scanner]]),
      closed: () => partialRow(scanner, 'node') ?? ids.problem(),
      stopAfter: 'nodes',
      fileSize: header.fileSize,
    });
    await pump(fd, body, bodyStart, header.fileSize, options);
    return { ids: ids.sortedUnique(), header };
  } finally {
    fs.closeSync(fd);
  }
}

function openFile(file: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(file, 'r', (error, fd) => (error ? reject(error) : resolve(fd))));
}

function readAt(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buf, 0, length, position, (error, n) => (error ? reject(error) : resolve(n))));
}

async function readHeader(fd: number): Promise<{ header: SnapshotHeader; fields: FieldPositions; bodyStart: number }> {
  const size = fs.fstatSync(fd).size;
  let want = Math.min(size, FIRST_HEADER_READ);
  for (;;) {
    const buf = Buffer.allocUnsafe(want);
    let n = 0;
    while (n < want) {
      const got = await readAt(fd, buf.subarray(n), want - n, n);
      if (got === 0) break;
      n += got;
    }
    const object = { at: 0 };
    const end = findHeaderEnd(buf, n, object);
    if (end >= 0) {
      const { header, fields } = parseSnapshotHeader(buf.toString('utf8', object.at, end), size, object.at);
      return { header, fields, bodyStart: end };
    }
    if (n >= size) throw truncatedError('snapshot', n, size);
    if (want >= HEADER_LIMIT_BYTES) throw formatError('snapshot', 0, `a header (the "snapshot" object) of at most ${count(HEADER_LIMIT_BYTES)} bytes`);
    want = Math.min(size, HEADER_LIMIT_BYTES);
  }
}

/**
 * Counts the file cannot hold (each number takes at least a digit and a comma) are refused before
 * anything is allocated for them: the file is scanned storing nothing, which finds where it is
 * truncated or malformed; a well-formed file with counts too large is an error about the counts.
 */
async function checkCountsFit(fd: number, header: SnapshotHeader, bodyStart: number, withEdges: boolean, options: ReadOptions): Promise<void> {
  const nodeBytes = header.nodeCount * header.nodeFields.length * 2;
  const edgeBytes = withEdges ? header.edgeCount * header.edgeFields.length * 2 : 0;
  const room = header.fileSize - bodyStart;
  if (nodeBytes + edgeBytes - 2 <= room) return;
  const nodes = new CountingSink(header.nodeCount, 'node');
  const edges = new CountingSink(header.edgeCount, 'edge');
  const nodeScanner = new NumberArrayScanner(header.nodeFields.length, nodes);
  const edgeScanner = new NumberArrayScanner(header.edgeFields.length, edges);
  const body = new SnapshotBody({
    sections: new Map<string, SectionScanner>([['nodes', nodeScanner], ...(withEdges ? ([['edges', edgeScanner], ['strings', new StringArrayScanner()]] as const) : [])]),
    closed: (key) => (key === 'nodes' ? (partialRow(nodeScanner, 'node') ?? nodes.problem()) : key === 'edges' ? (partialRow(edgeScanner, 'edge') ?? edges.problem()) : undefined),
    stopAfter: withEdges ? undefined : 'nodes',
    fileSize: header.fileSize,
  });
  await pump(fd, body, bodyStart, header.fileSize, { signal: options.signal, chunkBytes: options.chunkBytes });
  throw formatError('snapshot', 0, `node_count and edge_count that fit the file: ${count(header.nodeCount)} nodes and ${count(header.edgeCount)} edges need at least ${count(nodeBytes + edgeBytes - 2)} bytes, and the file has ${count(room)} after its header`);
}

function refuseWhenTooLarge(header: SnapshotHeader, needBytes: number, options: ReadOptions): void {
  const available = options.memoryLimitBytes ?? availableMemoryBytes();
  if (needBytes > available) throw new SnapshotTooLargeError(header.nodeCount, header.edgeCount, needBytes, available);
}

function partialRow(scanner: NumberArrayScanner, what: string): string | undefined {
  return scanner.partialRow === 0 ? undefined : `${scanner.fieldCount} numbers per ${what}, but the last ${what} has only ${scanner.partialRow}`;
}

async function pump(fd: number, body: SnapshotBody, start: number, fileSize: number, options: ReadOptions): Promise<void> {
  const chunk = Buffer.allocUnsafe(Math.max(1, Math.floor(options.chunkBytes ?? CHUNK_BYTES)));
  let position = start;
  let nextProgress = start + PROGRESS_BYTES;
  let message: ReadProgressMessage = 'reading nodes';
  while (!body.done) {
    if (options.signal?.aborted) throw abortError();
    const n = await readAt(fd, chunk, chunk.length, position);
    if (n === 0) {
      body.finish(position);
      return;
    }
    body.feed(chunk, 0, n, position);
    position += n;
    if (options.onProgress !== undefined && position >= nextProgress) {
      const section = body.section;
      if (section === 'nodes' || section === 'edges' || section === 'strings') message = `reading ${section}`;
      options.onProgress(Math.min(1, position / fileSize), message);
      nextProgress = position + PROGRESS_BYTES;
    }
  }
}

/** Name indexes can only be checked once the strings are counted (they come last). */
function checkNames(header: SnapshotHeader, nodes: NodeColumns, edges: EdgeColumns, stringCount: number, starts: ReadonlyMap<string, number>): void {
  for (let i = 0; i < header.nodeCount; i++) {
    if (nodes.nodeName[i]! >= stringCount) {
      throw formatError('nodes', starts.get('nodes') ?? 0, `node names that index the ${count(stringCount)} strings, but node ${count(i)} has name ${nodes.nodeName[i]}`);
    }
  }
  const isIndex = new Uint8Array(header.edgeTypeNames.length);
  for (const name of ['element', 'hidden']) {
    const code = header.edgeTypeNames.indexOf(name);
    if (code >= 0) isIndex[code] = 1;
  }
  for (let j = 0; j < header.edgeCount; j++) {
    if (isIndex[edges.edgeType[j]!] === 0 && edges.edgeName[j]! >= stringCount) {
      throw formatError('edges', starts.get('edges') ?? 0, `edge names that index the ${count(stringCount)} strings, but edge ${count(j)} (${header.edgeTypeNames[edges.edgeType[j]!]}) has name ${edges.edgeName[j]}`);
    }
  }
}
