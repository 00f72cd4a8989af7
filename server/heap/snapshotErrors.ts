// The errors the .heapsnapshot reader throws: a file that is not a snapshot as V8 writes it (naming
// the section, the byte offset and what was expected), a snapshot too large for the memory
// available (said from the header's counts, before anything is allocated), and cancellation.
import { formatBytes } from '../text/formatBytes';

/** The file is not a well-formed .heapsnapshot; the message names the section, the byte offset and what to do. */
export class SnapshotFormatError extends Error {
  override readonly name = 'SnapshotFormatError';
  constructor(
    message: string,
    /** Where in the file (bytes from its start) the problem was found. */
    readonly offset: number,
    /** The section it was found in: 'snapshot' (the header), 'nodes', 'edges', 'strings', … */
    readonly section: string,
  ) {
    super(message);
  }
}

/** The snapshot needs more memory to analyse than is available. */
export class SnapshotTooLargeError extends Error {
  override readonly name = 'SnapshotTooLargeError';
  constructor(
    readonly nodeCount: number,
    readonly edgeCount: number,
    readonly needBytes: number,
    readonly availableBytes: number,
  ) {
    super(
      `this snapshot has ${count(nodeCount)} nodes and ${count(edgeCount)} edges: analysing it needs about ${formatBytes(needBytes)} of memory and ${formatBytes(availableBytes)} is available; free memory or analyse it on a machine with more`,
    );
  }
}

/** 1234567 → "1,234,567". */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** How a byte is shown in an error: 'x' when printable ASCII, else its code. */
export function describeByte(byte: number | undefined): string {
  if (byte === undefined) return 'the end of the file';
  if (byte >= 0x21 && byte <= 0x7e) return `'${String.fromCharCode(byte)}'`;
  return `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

const REDO = 'the file is not a heap snapshot as V8 writes it (corrupted, or another format); take the snapshot again';

/** "`edges` at byte 1,234: expected a digit, ',' or ']' but found 'x'; the file is not …". */
export function formatError(section: string, offset: number, expected: string, found?: number): SnapshotFormatError {
  const but = found === undefined ? '' : ` but found ${describeByte(found)}`;
  return new SnapshotFormatError(`invalid heap snapshot: in \`${section}\` at byte ${count(offset)}: expected ${expected}${but}; ${REDO}`, offset, section);
}

/** End of file inside a section. */
export function truncatedError(section: string, offset: number, fileSize: number): SnapshotFormatError {
  return new SnapshotFormatError(
    `invalid heap snapshot: the file is truncated at byte ${count(offset)} of ${count(fileSize)} (inside \`${section}\`): it was probably still being written, or the copy was cut; take the snapshot again`,
    offset,
    section,
  );
}

/** The rejection of a read cancelled through its AbortSignal. */
export function abortError(): Error {
  const error = new Error('reading the heap snapshot was cancelled');
  error.name = 'AbortError';
  return error;
}
