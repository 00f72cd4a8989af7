// A lock file for the set-up scripts, so parallel test processes do not install the same thing
// twice at once. Node's built-ins only: it runs before anything is installed.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Runs `fn` holding `lockPath` (created with the holder's PID). A lock left by a process that died is
 * taken over; a live holder is waited for, up to `timeoutMs`. `log` says once that it waits.
 */
export function withLock(lockPath, fn, { timeoutMs = 30 * 60_000, what = 'set-up', log = (m) => console.error(`perflens: ${m}`) } = {}) {
  mkdirSync(dirname(lockPath), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSafe(lockPath), 10);
      if (!Number.isInteger(owner) || !alive(owner)) {
        rmSync(lockPath, { force: true }); // left by a process that died
        continue;
      }
      if (Date.now() > deadline) throw new Error(`perflens: gave up waiting for ${lockPath} (held by pid ${owner})`, { cause: error });
      if (!announced) log(`waiting for another ${what} (pid ${owner}) to finish…`);
      announced = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // already gone
    }
  }
}

/** A file's text, or '' when it cannot be read. */
export function readFileSafe(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
