// A full garbage collection on demand, for the analysis of a large snapshot: typed arrays it no
// longer needs (hundreds of MB) are given back to the system only when V8 collects them, and
// it would not soon, since they are outside its heap. Uses `gc` when Node runs with
// --expose-gc, else turns the flag on at run time and takes `gc` from a new context (the flag
// only puts the function on contexts made afterwards).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/** Runs a full, synchronous garbage collection. */
export function collectGarbage(): void {
  if (!gc) {
    const own = (globalThis as { gc?: () => void }).gc;
    if (own) gc = own;
    else {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
  }
  gc();
  gc();
}
