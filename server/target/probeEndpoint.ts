import http from 'node:http';
import https from 'node:https';
import type { LoadOptions } from '../load/loadTypes';

/** What one request to the endpoint answered, before any load is put on it. */
export interface EndpointAnswer {
  status: number;
  /** The start of the answer's body (at most BODY_LIMIT characters), for messages. */
  body: string;
  /** The Allow header of a 405. */
  allow?: string;
  /** The Location header of a redirect. */
  location?: string;
}

const BODY_LIMIT = 400;

/**
 * Sends the load's request once (same method, headers and body) and reports the answer. Rejects
 * when there is no answer within `timeoutMs`, naming the URL.
 */
export function probeEndpoint(load: Pick<LoadOptions, 'url' | 'method' | 'headers' | 'body'>, timeoutMs: number): Promise<EndpointAnswer> {
  const client = load.url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(load.url, { method: load.method, headers: load.headers, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < BODY_LIMIT) body += chunk;
      });
      res.on('end', () => {
        const header = (name: string) => {
          const value = res.headers[name];
          return typeof value === 'string' ? value : undefined;
        };
        const allow = header('allow');
        const location = header('location');
        resolve({ status: res.statusCode ?? 0, body: body.slice(0, BODY_LIMIT), ...(allow ? { allow } : {}), ...(location ? { location } : {}) });
      });
      res.on('error', (err) => reject(new Error(`${load.method} ${load.url}: the answer broke off (${err.message})`)));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${(timeoutMs / 1000).toFixed(1)} s`)));
    req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(`${load.method} ${load.url}: ${err.code ?? err.message}`)));
    req.end(load.body);
  });
}
