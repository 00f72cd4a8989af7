// Pure: the HTML of the heap pages (the snapshot summary editor, the leak report panel), one bundle
// each from dist/webview/, under the nonce CSP the other panels use, with no external resources.
// No vscode here.
import { chartPageCsp } from '../panels/webviewHtml';

/** `asset(name)`: the URL of dist/webview/<name> as the webview may load it; `script`: the page's bundle. */
export function heapPageHtml(options: { cspSource: string; nonce: string; asset: (name: string) => string; script: 'heapSummary.js' | 'leakReport.js'; title: string; waiting: string }): string {
  const { cspSource, nonce, asset, script } = options;
  const text = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${chartPageCsp(cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('heap.css')}">
<title>${text(options.title)}</title>
</head>
<body>
<div id="heap-root" data-state="waiting"><div class="muted">${text(options.waiting)}</div></div>
<script nonce="${nonce}" src="${asset(script)}"></script>
</body>
</html>`;
}
