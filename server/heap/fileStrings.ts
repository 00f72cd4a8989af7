// The snapshot's strings as a StringTable over the still-open file: the reader kept each string's
// byte offset and length; get(i) reads those bytes (through a small block cache, since names are
// looked up in file order more often than not) and decodes them with JSON's rules, keeping the
// most recently decoded strings in a bounded cache (two generations of at most 64K entries).
import fs from 'node:fs';
import type { StringTable } from './heapGraph';
import type { StringLocations } from './stringScanner';

const BLOCK_BYTES = 64 * 1024;
const CACHE_ENTRIES = 64 * 1024;

export class FileStrings implements StringTable {
  private fd: number | undefined;
  private readonly block = Buffer.allocUnsafe(BLOCK_BYTES);
  private blockStart = 0;
  private blockLength = 0;
  /** Two generations: when `young` is full it becomes `old` (Map deletes of the oldest key were 15 µs each at this size in V8). */
  private young = new Map<number, string>();
  private old = new Map<number, string>();

  constructor(
    fd: number,
    private readonly locations: StringLocations,
  ) {
    this.fd = fd;
  }

  get count(): number {
    return this.locations.count;
  }

  get(index: number): string {
    this.check(index);
    const cached = this.young.get(index);
    if (cached !== undefined) return cached;
    const text = this.old.get(index) ?? (JSON.parse(this.bytesOf(index)) as string);
    if (this.young.size >= CACHE_ENTRIES) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(index, text);
    return text;
  }

  includes(index: number, text: string): boolean {
    this.check(index);
    const cached = this.young.get(index) ?? this.old.get(index);
    if (cached !== undefined) return cached.includes(text);
    const length = this.locations.lengths[index]!;
    if (length < text.length) return false;
    const { bytes, at } = this.rawBytes(index);
    const found = bytes.indexOf(text, at, 'latin1');
    return found >= 0 && found + text.length <= at + length;
  }

  /** Closes the file; get() of a string not cached throws after this. */
  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.locations.count) throw new RangeError(`no string ${index} in this snapshot (it has ${this.locations.count})`);
  }

  private bytesOf(index: number): string {
    const { bytes, at } = this.rawBytes(index);
    return bytes.toString('utf8', at, at + this.locations.lengths[index]!);
  }

  /** The string's bytes as in the file (its JSON text, quotes included): in `bytes` from `at`. */
  private rawBytes(index: number): { bytes: Buffer; at: number } {
    if (this.fd === undefined) throw new Error("the heap snapshot's file is closed: its strings can no longer be read");
    const offset = this.locations.offsets[index]!;
    const length = this.locations.lengths[index]!;
    if (length > BLOCK_BYTES) {
      const bytes = Buffer.allocUnsafe(length);
      readFully(this.fd, bytes, length, offset);
      return { bytes, at: 0 };
    }
    if (offset < this.blockStart || offset + length > this.blockStart + this.blockLength) {
      this.blockStart = offset;
      this.blockLength = readFully(this.fd, this.block, BLOCK_BYTES, offset);
      if (this.blockLength < length) throw new Error('the heap snapshot file changed while it was open (a string is no longer where it was read)');
    }
    return { bytes: this.block, at: offset - this.blockStart };
  }
}

/** Reads up to `length` bytes at `position`, looping over short reads; returns how many were read. */
function readFully(fd: number, into: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, into, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
