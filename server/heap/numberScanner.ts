// A byte-level state machine that scans a JSON array of unsigned decimal integers (V8's `nodes`
// and `edges` sections) across chunk boundaries, handing each complete row of `fieldCount`
// numbers to a sink. No strings and no allocation per number: the hot loop reads bytes and
// accumulates digits into a double. Pure: the caller does the I/O.

/** scan() results besides a position: the array has not ended in this chunk / the bytes are invalid. */
export const NEED_MORE = -1;
export const FAILED = -2;

/** Receives the numbers row by row; returns an error text (what was expected) to stop the scan. */
export interface RowSink {
  row(values: Float64Array): string | undefined;
}

/** A section scanner: scan(buf, start, end, base) → the index just past the array's `]`, NEED_MORE or FAILED; `base` is the file offset of buf[0]. */
export interface SectionScanner {
  scan(buf: Uint8Array, start: number, end: number, base: number): number;
  /** After FAILED: what was expected, and the index in the last chunk where the problem is. */
  readonly error: string;
  readonly errorAt: number;
  /** After FAILED: false when the problem is a value (not the byte at errorAt) so no "found" byte is shown. */
  readonly errorIsByte: boolean;
}

/** At most 15 digits: every such value is exact in a double. */
const MAX_DIGITS = 15;

const AFTER_OPEN = 0;
const AFTER_COMMA = 1;
const IN_NUMBER = 2;
const AFTER_NUMBER = 3;

/** Scans the numbers after an array's `[` (the caller consumes the `[`). */
export class NumberArrayScanner implements SectionScanner {
  private state = AFTER_OPEN;
  private value = 0;
  private digits = 0;
  private column = 0;
  private readonly values: Float64Array;
  error = '';
  errorAt = 0;
  errorIsByte = true;

  constructor(
    readonly fieldCount: number,
    private readonly sink: RowSink,
  ) {
    this.values = new Float64Array(fieldCount);
  }

  /** The numbers of the last, unfinished row (0 when the array held whole rows). */
  get partialRow(): number {
    return this.column;
  }

  scan(buf: Uint8Array, start: number, end: number): number {
    const values = this.values;
    const fieldCount = this.fieldCount;
    let state = this.state;
    let value = this.value;
    let digits = this.digits;
    let column = this.column;
    let i = start;
    while (i < end) {
      if (state !== IN_NUMBER) {
        const c = buf[i]!;
        if (c - 48 >>> 0 <= 9) {
          if (state === AFTER_NUMBER) return this.fail(i, "',' or ']' after a number");
          state = IN_NUMBER;
          value = 0;
          digits = 0;
        } else if (c === 0x2c) {
          if (state !== AFTER_NUMBER) return this.fail(i, 'a number');
          state = AFTER_COMMA;
          i++;
          continue;
        } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
          i++;
          continue;
        } else if (c === 0x5d) {
          if (state === AFTER_COMMA) return this.fail(i, 'a number after the comma');
          this.state = state;
          this.column = column;
          return i + 1;
        } else {
          return this.fail(i, state === AFTER_NUMBER ? "',' or ']'" : 'an unsigned integer');
        }
      }
      // In a number: the tight loop.
      while (i < end) {
        const d = buf[i]! - 48;
        if (d >>> 0 > 9) break;
        value = value * 10 + d;
        digits++;
        i++;
      }
      if (digits > MAX_DIGITS) return this.fail(i - digits, `a number of at most ${MAX_DIGITS} digits`);
      if (i === end) break; // the number may go on in the next chunk
      values[column++] = value;
      state = AFTER_NUMBER;
      if (column === fieldCount) {
        column = 0;
        const problem = this.sink.row(values);
        if (problem !== undefined) {
          this.errorIsByte = false;
          return this.fail(i - digits, problem);
        }
      }
    }
    this.state = state;
    this.value = value;
    this.digits = digits;
    this.column = column;
    return NEED_MORE;
  }

  private fail(at: number, expected: string): number {
    this.error = expected;
    this.errorAt = at;
    return FAILED;
  }
}
