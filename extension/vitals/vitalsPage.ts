// Pure: the live vitals panel's HTML (also used by the page's own
// browser test, which serves the built bundle over HTTP). No vscode here.
import { chartPageCsp } from '../panels/webviewHtml';

/** `asset(name)`: the URL of dist/webview/<name> as the webview may load it. */
export function vitalsPageHtml(options: { cspSource: string; nonce: string; asset: (name: string) => string }): string {
  const { cspSource, nonce, asset } = options;
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${chartPageCsp(cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('uPlot.min.css')}">
<link rel="stylesheet" href="${asset('vitals.css')}">
<title>Live vitals</title>
</head>
<body>
<div id="vitals-root" data-samples="0" data-state="waiting"><div class="muted">Starting…</div></div>
<script nonce="${nonce}" src="${asset('vitals.js')}"></script>
</body>
</html>`;
}
