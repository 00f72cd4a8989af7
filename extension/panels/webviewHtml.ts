import { randomBytes } from 'node:crypto';

/** A fresh nonce for one webview document's Content-Security-Policy. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The CSP speedscope needs in a webview: scripts only with our nonce or from the extension's own
 * files, wasm compilation, and inline styles (speedscope sets them; without them the page is blank).
 */
export function speedscopeCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' ${cspSource} 'wasm-unsafe-eval'`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `connect-src ${cspSource}`,
  ].join('; ');
}
