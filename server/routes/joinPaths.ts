// Joining mount prefixes and route paths the way the frameworks do. A route written '/' under a
// prefix keeps its slash for Express and Fastify ('/users/'), which answer both '/users' and
// '/users/' (non-strict routing; Fastify's prefixTrailingSlash 'both'); Koa (@koa/router) and Hono
// register it as '/users' itself, and Hono's default strict routing would answer '/users/' with 404.
import type { Framework } from './receivers';

function trimEnd(path: string): string {
  return path.replace(/\/+$/, '');
}

function leading(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

/** Two mount prefixes: ('', '/api') → '/api'; ('/api', 'v1') → '/api/v1'; ('/api', '/') → '/api'. */
export function joinMount(prefix: string, segment: string): string {
  const tail = trimEnd(segment);
  if (tail === '') return prefix;
  return trimEnd(prefix) + leading(tail);
}

/** A route's path under the prefixes its app/router is mounted at. */
export function joinRoute(prefix: string, path: string, framework: Framework): string {
  const base = trimEnd(prefix);
  if (base === '') return path;
  if (path === '' || path === '/') return framework === 'express' || framework === 'fastify' ? `${base}/` : base;
  return base + leading(path);
}
