// The structure of a .heapsnapshot after its header: `,"key":[…]` sections up to the closing `}`,
// fed chunk by chunk. Each section's array goes to the scanner registered for its key (`nodes`,
// `edges`, `strings`); the others (trace_function_infos, trace_tree, samples, locations, or keys a
// later V8 adds) are skipped without being stored. Sections may come in any order; each at most
// once. Pure: the reader does the I/O.
import { FAILED, NEED_MORE, type SectionScanner } from './numberScanner';
import { formatError, truncatedError, type SnapshotFormatError } from './snapshotErrors';

const AFTER_VALUE = 0; // after the header object or a section: ',' or '}'
const BEFORE_KEY = 1;
const IN_KEY = 2;
const AFTER_KEY = 3;
const BEFORE_VALUE = 4;
const IN_SECTION = 5;
const END = 6;

const MAX_KEY_BYTES = 64;

export interface BodyOptions {
  /** The scanners of the sections to read, by key; every one must be in the file. */
  readonly sections: ReadonlyMap<string, SectionScanner>;
  /** Called after a section's `]`: an error text (what was expected) or undefined. */
  readonly closed: (key: string) => string | undefined;
  /** Stop reading after this section (readSnapshotIds: `nodes`). */
  readonly stopAfter?: string;
  readonly fileSize: number;
}

export class SnapshotBody {
  private state = AFTER_VALUE;
  private key = '';
  private scanner: SectionScanner | undefined;
  private readonly seen = new Set<string>();
  /** The file offset of each section's '[', by key, as they are met. */
  readonly starts = new Map<string, number>();
  /** True once the stopAfter section has been read: the caller stops reading. */
  done = false;

  constructor(private readonly options: BodyOptions) {}

  /** The section being read, for progress messages ('' between sections). */
  get section(): string {
    return this.state === IN_SECTION ? this.key : '';
  }

  /** Parses buf[start, end), whose first byte is at file offset `base`. */
  feed(buf: Uint8Array, start: number, end: number, base: number): void {
    let i = start;
    while (i < end && !this.done) {
      if (this.state === IN_SECTION) {
        const next = this.scanner!.scan(buf, i, end, base);
        if (next === NEED_MORE) return;
        if (next === FAILED) {
          const s = this.scanner!;
          throw formatError(this.key, base + s.errorAt, s.error, s.errorIsByte ? buf[s.errorAt] : undefined);
        }
        const problem = this.options.closed(this.key);
        if (problem !== undefined) throw formatError(this.key, base + next - 1, problem);
        this.state = AFTER_VALUE;
        if (this.key === this.options.stopAfter) this.done = true;
        i = next;
        continue;
      }
      const c = buf[i]!;
      if (this.state === IN_KEY) {
        if (c === 0x22) {
          this.state = AFTER_KEY;
        } else if (this.key.length >= MAX_KEY_BYTES || c < 0x20 || c > 0x7e || c === 0x5c) {
          throw this.unexpected(base + i, `a section name (up to ${MAX_KEY_BYTES} plain characters)`, c);
        } else this.key += String.fromCharCode(c);
        i++;
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        i++;
        continue;
      }
      switch (this.state) {
        case AFTER_VALUE:
          if (c === 0x2c) this.state = BEFORE_KEY;
          else if (c === 0x7d) this.end(base + i);
          else throw this.unexpected(base + i, "',' and the next section, or the closing '}'", c);
          break;
        case BEFORE_KEY:
          if (c !== 0x22) throw this.unexpected(base + i, 'a section name in quotes', c);
          this.key = '';
          this.state = IN_KEY;
          break;
        case AFTER_KEY:
          if (c !== 0x3a) throw this.unexpected(base + i, `':' after "${this.key}"`, c);
          this.state = BEFORE_VALUE;
          break;
        case BEFORE_VALUE:
          if (c !== 0x5b) throw this.unexpected(base + i, `'[' opening the "${this.key}" array`, c);
          if (this.seen.has(this.key)) throw formatError(this.key, base + i, `each section once ("${this.key}" appears twice)`);
          this.seen.add(this.key);
          this.starts.set(this.key, base + i);
          this.scanner = this.options.sections.get(this.key) ?? new SkipScanner();
          this.state = IN_SECTION;
          break;
        default: // END
          throw formatError('end of file', base + i, "nothing after the snapshot's closing '}'", c);
      }
      i++;
    }
  }

  /** At the end of the file (offset = file size): throws unless the snapshot was complete. */
  finish(offset: number): void {
    if (this.done || this.state === END) return;
    if (this.state === IN_SECTION) throw truncatedError(this.key, offset, this.options.fileSize);
    throw truncatedError('between sections', offset, this.options.fileSize);
  }

  private end(offset: number): void {
    for (const key of this.options.sections.keys()) {
      if (!this.seen.has(key)) throw formatError(key, offset, `a "${key}" section before the closing '}'`);
    }
    this.state = END;
  }

  private unexpected(offset: number, expected: string, found: number): SnapshotFormatError {
    return formatError(this.state === IN_KEY ? 'section name' : 'between sections', offset, expected, found);
  }
}

/** Skips a section's array, nested arrays and objects and strings included, without storing it. */
class SkipScanner implements SectionScanner {
  private depth = 1;
  private inString = false;
  private escape = false;
  error = '';
  errorAt = 0;
  readonly errorIsByte = true;

  scan(buf: Uint8Array, start: number, end: number): number {
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 0x5c) this.escape = true;
        else if (c === 0x22) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x5b || c === 0x7b) this.depth++;
      else if (c === 0x5d || c === 0x7d) {
        if (--this.depth === 0) return i + 1;
      } else if (c < 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        this.error = 'a JSON value';
        this.errorAt = i;
        return FAILED;
      }
    }
    return NEED_MORE;
  }
}
