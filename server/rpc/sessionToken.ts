import { createHash, timingSafeEqual } from 'node:crypto';
import { MIN_TOKEN_LENGTH } from '../protocol/protocol';

const MAX_LINE = 4096;

/**
 * Reads the session token from the first line of `input` (JSON `{"token": "..."}`), the only place
 * it may come from: a command line or an environment can be read by other users or inherited.
 * Leaves the stream flowing (once the token is read) so that its end can be watched. Rejects with a message that never
 * quotes the line.
 */
export function readToken(input: NodeJS.ReadableStream, timeoutMs = 30_000): Promise<string> {
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let buffered = '';
    const finish = (err: Error | undefined, token?: string) => {
      clearTimeout(timer);
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      if (err) {
        input.pause();
        reject(err);
      } else {
        input.resume(); // flowing, so that its end is seen
        resolve(token!);
      }
    };
    const onData = (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline === -1) {
        if (buffered.length > MAX_LINE) finish(new Error(`the first line on stdin is longer than ${MAX_LINE} characters; expected {"token": "..."}`));
        return;
      }
      try {
        finish(undefined, parseTokenLine(buffered.slice(0, newline)));
      } catch (err) {
        finish(err as Error);
      }
    };
    const onEnd = () => finish(new Error('stdin closed before the session token arrived: write {"token": "..."} and a newline on stdin, and keep stdin open while the server should run'));
    const onError = (err: Error) => finish(new Error(`could not read the session token from stdin: ${err.message}`));
    const timer = setTimeout(() => finish(new Error(`no session token on stdin within ${timeoutMs / 1000} s: write {"token": "..."} and a newline`)), timeoutMs);
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
  });
}

/** The token of a `{"token": "..."}` line; throws, without quoting the line, when it is not one. */
export function parseTokenLine(line: string): string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error('the first line on stdin is not JSON; expected {"token": "..."}');
  }
  const token = (value as { token?: unknown } | null)?.token;
  if (typeof token !== 'string') throw new Error('the first line on stdin has no "token" string; expected {"token": "..."}');
  if (token.length < MIN_TOKEN_LENGTH) throw new Error(`the session token is too short: use at least ${MIN_TOKEN_LENGTH} random characters`);
  return token;
}

/** Compares two tokens in time that does not depend on where they differ (nor on their lengths). */
export function tokensMatch(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
