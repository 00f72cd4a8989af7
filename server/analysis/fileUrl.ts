/**
 * file: URLs ⇄ paths without node:url, so the analysis also runs in a webview.
 * `file:///C:/x/y.js` gives `C:/x/y.js` (forward slashes); percent-escapes are decoded.
 */
export function fileUrlToPath(url: string): string | undefined {
  if (!url.startsWith('file://')) return undefined;
  let rest = url.slice('file://'.length);
  // file://host/path is a UNC path on Windows; localhost is the same as no host.
  if (rest.startsWith('localhost/')) rest = rest.slice('localhost'.length);
  if (!rest.startsWith('/')) return `//${safeDecode(rest)}`;
  const end = rest.search(/[?#]/);
  if (end >= 0) rest = rest.slice(0, end);
  const path = safeDecode(rest);
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

/** The script's path when its URL is a file: URL, else the URL itself (e.g. `node:internal/...`). */
export function scriptPath(url: string): string {
  return fileUrlToPath(url) ?? url;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
