import http from 'node:http';
import https from 'node:https';

/**
 * Polls a URL until it answers with any HTTP status. Rejects after `timeoutMs`, or as soon as `abort`
 * fires (the target exited), with a message naming the URL and the time waited.
 */
export async function waitForUrl(url: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  const started = Date.now();
  let lastError = 'no answer yet';
  while (Date.now() - started < options.timeoutMs) {
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error(String(options.signal.reason));
    try {
      await probe(url, Math.min(2000, options.timeoutMs));
      return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await delay(100, options.signal);
  }
  throw new Error(`${url} did not answer within ${(options.timeoutMs / 1000).toFixed(1)} s (last attempt: ${lastError}). Is the service listening on that address? Raise the wait with --wait-timeout.`);
}

function probe(url: string, timeoutMs: number): Promise<number> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code ?? err.message)));
  });
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
