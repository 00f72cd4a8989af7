import { randomBytes } from 'node:crypto';

/** A fresh nonce for one webview document's Content-Security-Policy. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The CSP of a page that draws uPlot charts from one bundle (the load report, the live vitals):
 * scripts only with our nonce (no inline code); our style sheets, and inline styles, which uPlot
 * sets on its elements (and VS Code injects its theme as a <style>).
 */
export function chartPageCsp(cspSource: string, nonce: string): string {
  return ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src ${cspSource} 'unsafe-inline'`, `img-src ${cspSource} data:`, `font-src ${cspSource}`].join('; ');
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
