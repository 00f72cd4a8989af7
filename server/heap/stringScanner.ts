// A byte-level state machine over V8's `strings` section (a JSON array of strings), across chunk
// boundaries: it validates each string's JSON syntax (escapes, \uXXXX, no raw control bytes) and
// records where it is in the file (byte offset of its opening quote, byte length with both
// quotes) in growable typed arrays, so the text can be decoded later, on demand. Pure.
import { FAILED, NEED_MORE, type SectionScanner } from './numberScanner';

const AFTER_OPEN = 0;
const AFTER_COMMA = 1;
const IN_STRING = 2;
const ESCAPE = 3;
const AFTER_STRING = 4;
/** States 5…8: inside \uXXXX with 4…1 hex digits still to come. */
const UNICODE_4 = 5;
const UNICODE_1 = 8;

/** The bytes allowed after a backslash: " \ / b f n r t (u is handled apart). */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Where each string of the section is, as the scanner found them. */
export interface StringLocations {
  readonly count: number;
  /** Byte offset of string i's opening quote (Float64: files may pass 4 GiB). */
  readonly offsets: Float64Array;
  /** Byte length of string i, both quotes included. */
  readonly lengths: Uint32Array;
}

export class StringArrayScanner implements SectionScanner, StringLocations {
  private state = AFTER_OPEN;
  private start = 0;
  count = 0;
  offsets = new Float64Array(1024);
  lengths = new Uint32Array(1024);
  error = '';
  errorAt = 0;
  readonly errorIsByte = true;
  /** Shrinks the location arrays to the strings found (they grow by doubling while scanning). */
  fit(): void {
    this.offsets = this.offsets.slice(0, this.count);
    this.lengths = this.lengths.slice(0, this.count);
  }

  scan(buf: Uint8Array, start: number, end: number, base: number): number {
    let state = this.state;
    let i = start;
    while (i < end) {
      const c = buf[i]!;
      if (state === IN_STRING) {
        if (c === 0x22) {
          const length = base + i + 1 - this.start;
          if (length > 0xffffffff) return this.fail(i, 'a string shorter than 4 GiB');
          this.push(length);
          state = AFTER_STRING;
        } else if (c === 0x5c) state = ESCAPE;
        else if (c < 0x20) return this.fail(i, 'a string character (a control byte must be escaped)');
        i++;
      } else if (state === ESCAPE) {
        if (c === 0x75) state = UNICODE_4;
        else if (SIMPLE_ESCAPE[c] === 1) state = IN_STRING;
        else return this.fail(i, 'an escape (one of " \\ / b f n r t u) after the backslash');
        i++;
      } else if (state >= UNICODE_4) {
        if (!isHex(c)) return this.fail(i, 'a hex digit of a \\u escape');
        state = state === UNICODE_1 ? IN_STRING : state + 1;
        i++;
      } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        i++;
      } else if (c === 0x22) {
        if (state === AFTER_STRING) return this.fail(i, "',' or ']' after a string");
        this.start = base + i;
        state = IN_STRING;
        i++;
      } else if (c === 0x2c) {
        if (state !== AFTER_STRING) return this.fail(i, 'a string');
        state = AFTER_COMMA;
        i++;
      } else if (c === 0x5d) {
        if (state === AFTER_COMMA) return this.fail(i, 'a string after the comma');
        this.state = state;
        return i + 1;
      } else {
        return this.fail(i, state === AFTER_STRING ? "',' or ']'" : 'a string');
      }
    }
    this.state = state;
    return NEED_MORE;
  }

  private push(length: number): void {
    if (this.count === this.offsets.length) {
      const offsets = new Float64Array(Math.max(1024, this.count * 2));
      offsets.set(this.offsets);
      this.offsets = offsets;
      const lengths = new Uint32Array(Math.max(1024, this.count * 2));
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    this.offsets[this.count] = this.start;
    this.lengths[this.count] = length;
    this.count++;
  }

  private fail(at: number, expected: string): number {
    this.error = expected;
    this.errorAt = at;
    return FAILED;
  }
}
