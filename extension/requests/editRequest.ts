import { dirname, join } from 'node:path';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { addRequest, newLoadTest } from '../../server/loadtest/addRequest';
import { pathParams } from '../../server/routes/samplePath';
import { checkParamValue, checkQuery, requestPath, type RequestStore, type SavedRequest } from './savedRequest';

/** Asks for one path parameter's value; undefined when the user backs out. Empty values are refused. */
export async function askParam(request: SavedRequest, name: string): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: `PerfLens: ${request.method} ${request.route}`,
    prompt: `A value for :${name} (remembered for this route; change it with "PerfLens: Edit Request…")`,
    value: request.params[name] ?? '',
    ignoreFocusOut: true,
    validateInput: (v) => checkParamValue(name, v),
  });
  return value?.trim();
}

/** Asks for the query string, explaining why (the service's words, the route's schema). */
export async function askQuery(request: SavedRequest, why: string, example?: string): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: `PerfLens: ${request.method} ${request.route}`,
    prompt: `${why} The query string to send (without "?"), remembered for this route.`,
    value: request.query || example || '',
    placeHolder: example ?? 'name=value&other=value',
    ignoreFocusOut: true,
    validateInput: checkQuery,
  });
  return value?.replace(/^\?/, '').trim();
}

/** Asks for the body (JSON or text). */
export async function askBody(request: SavedRequest, why: string, example?: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: `PerfLens: ${request.method} ${request.route}`,
    prompt: `${why} The request body to send (JSON is sent with content-type application/json), remembered for this route.`,
    value: request.body ?? example ?? '',
    ignoreFocusOut: true,
  });
}

interface Field extends vscode.QuickPickItem {
  edit: () => Promise<boolean>;
}

/**
 * "Edit Request…": every part of the remembered request, each editable, until the user is done.
 * Returns the request as it stands (saved), or undefined when it was forgotten.
 */
export async function editRequest(store: RequestStore, request: SavedRequest, baseUrl: string): Promise<SavedRequest | undefined> {
  for (;;) {
    let forgotten = false;
    const fields: Field[] = [
      ...pathParams(request.route).map((name) => ({
        label: `:${name}`,
        description: request.params[name] || '(no value yet)',
        detail: 'Path parameter',
        edit: async () => {
          const value = await askParam(request, name);
          if (value === undefined) return false;
          request.params[name] = value;
          return true;
        },
      })),
      {
        label: 'Query string',
        description: request.query ? `?${request.query}` : '(none)',
        edit: async () => {
          const value = await askQuery(request, 'What the route reads from its query string.');
          if (value === undefined) return false;
          request.query = value;
          return true;
        },
      },
      {
        label: 'Headers',
        description: Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`).join(', ') || '(none)',
        detail: 'One per line as "Name: value"; an empty text removes them all',
        edit: async () => {
          const value = await vscode.window.showInputBox({ title: `PerfLens: headers of ${request.method} ${request.route}`, prompt: 'Headers as "Name: value", separated by ";"', value: Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`).join('; '), validateInput: (v) => (parseHeaders(v) ? undefined : 'each header is "Name: value"') });
          if (value === undefined) return false;
          request.headers = parseHeaders(value)!;
          return true;
        },
      },
      ...(request.method === 'GET' || request.method === 'HEAD'
        ? []
        : [{
            label: 'Body',
            description: request.body ? truncate(request.body) : '(none)',
            edit: async () => {
              const value = await askBody(request, 'What the route reads from its body.');
              if (value === undefined) return false;
              request.body = value;
              return true;
            },
          }]),
      ...(request.pathOverride
        ? [{
            label: 'Path',
            description: request.pathOverride,
            detail: 'Typed in place of the route\'s own path; clear it to use the route\'s',
            edit: async () => {
              const value = await vscode.window.showInputBox({ title: 'PerfLens: the path to send', value: request.pathOverride, validateInput: (v) => (v === '' || v.startsWith('/') ? undefined : 'a path starts with "/"') });
              if (value === undefined) return false;
              request.pathOverride = value || undefined;
              return true;
            },
          }]
        : []),
      {
        label: '$(save) Save to a load-test file…',
        detail: 'Adds this request to a *.load.json, so the team and CI use it too',
        edit: async () => {
          await saveToLoadTest(request, baseUrl);
          return false;
        },
      },
      {
        label: '$(trash) Forget this request',
        edit: async () => {
          await store.forget(request.method, request.route);
          forgotten = true;
          return false;
        },
      },
    ];
    const pick = await vscode.window.showQuickPick(fields, { title: `PerfLens: ${request.method} ${requestPath(request)}`, placeHolder: 'Pick a part of the request to change (Escape when done)' });
    if (!pick) return request;
    const changed = await pick.edit();
    if (forgotten) return undefined;
    if (changed) await store.save(request);
  }
}

/** Picks a remembered request (palette: Edit Request… without a route). */
export async function pickSavedRequest(store: RequestStore): Promise<SavedRequest | undefined> {
  const all = store.all();
  if (!all.length) {
    void vscode.window.showInformationMessage('PerfLens: no request remembered yet. Click "Profile this endpoint" above a route handler first.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(all.map((r) => ({ label: `${r.method} ${r.route}`, description: requestPath(r), request: r })), { title: 'PerfLens: edit which request?' });
  return pick?.request;
}

async function saveToLoadTest(request: SavedRequest, baseUrl: string): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const files = await vscode.workspace.findFiles('**/*.load.json', '**/node_modules/**');
  const items = [{ label: '$(new-file) New load-test file…', uri: undefined as vscode.Uri | undefined }, ...files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }))];
  const pick = await vscode.window.showQuickPick(items, { title: `PerfLens: save ${request.method} ${requestPath(request)} to…` });
  if (!pick) return;
  const entry = { name: `${request.method} ${request.route}`, method: request.method === 'ALL' ? 'GET' : request.method, path: requestPath(request), headers: request.headers, ...(request.body ? { body: request.body } : {}) };
  let uri = pick.uri;
  if (!uri) {
    const slug = request.route.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'root';
    const suggested = folder ? vscode.Uri.file(join(folder.uri.fsPath, 'perf', `${slug}.load.json`)) : undefined;
    const chosen = await vscode.window.showSaveDialog({ defaultUri: suggested, filters: { 'Load tests (*.load.json)': ['json'] }, title: 'PerfLens: new load-test file' });
    if (!chosen) return;
    // Only *.load.json files get the schema, the lenses and `perflens load`'s conventions.
    uri = chosen.path.endsWith('.load.json') ? chosen : chosen.with({ path: chosen.path.replace(/(\.json)?$/, '.load.json') });
  }
  let existing: string | undefined;
  try {
    existing = await readFile(uri.fsPath, 'utf8');
  } catch {
    existing = undefined;
  }
  try {
    const text = existing === undefined ? newLoadTest(baseUrl, entry) : addRequest(existing, entry);
    await mkdir(dirname(uri.fsPath), { recursive: true });
    await writeFile(uri.fsPath, text);
  } catch (err) {
    void vscode.window.showErrorMessage(`PerfLens: ${vscode.workspace.asRelativePath(uri)} was left as it was: ${(err as Error).message}`);
    return;
  }
  await vscode.window.showTextDocument(uri, { preview: false });
}

function parseHeaders(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const part of text.split(/[;\n]/).map((p) => p.trim()).filter(Boolean)) {
    const at = part.indexOf(':');
    if (at <= 0) return undefined;
    out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
