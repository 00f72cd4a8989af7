// What every run against one endpoint shares (Profile Endpoint, Find Leak): the request to send
// (from a route's CodeLens, remembered per route, missing parts asked for; or typed), the target
// (the current one, else launch or attach), the load the perflens.load settings describe, and what
// to do when the service refuses the check request (the suggested path, the query string or body
// asked for, then run again).
import * as vscode from 'vscode';
import { parseDuration } from '../../server/load/parseDuration';
import type { LoadOptions } from '../../server/load/loadTypes';
import type { TargetInfo } from '../../server/protocol/protocol';
import type { EndpointRejection } from '../../server/routes/endpointRejection';
import type { ProfileEndpointArgs } from '../codelens/routeCodeLens';
import { askBody, askParam, askQuery, editRequest } from '../requests/editRequest';
import { askForNeeds, needsOfRoute } from '../requests/routeNeeds';
import { missingParams, requestPath, requestUrl, wireMethod, type RequestStore, type SavedRequest } from '../requests/savedRequest';
import { ServerError, type ServerClient } from '../server/serverClient';
import { pickTarget } from './targetPicker';

export interface EndpointRequestDeps {
  state: vscode.Memento;
  requests: RequestStore;
  log: vscode.LogOutputChannel;
}

/** The request to send: from a CodeLens (remembered per route, missing parts asked for), or typed. `verb`: "profile", "find a leak in". */
export async function endpointRequest(args: ProfileEndpointArgs | undefined, deps: EndpointRequestDeps, verb = 'profile'): Promise<SavedRequest | undefined> {
  if (!args) {
    const path = await vscode.window.showInputBox({ title: `PerfLens: ${verb} which endpoint?`, prompt: 'A path on perflens.baseUrl, with its query string', value: deps.state.get<string>('lastPath') ?? '/', validateInput: (v) => (v.startsWith('/') ? undefined : 'a path starts with "/", e.g. /report or /search?q=gift') });
    if (path === undefined) return undefined;
    await deps.state.update('lastPath', path);
    const [route, query = ''] = path.split(/\?(.*)/s, 2);
    return { method: 'GET', route, params: {}, query, headers: {} };
  }
  const request = deps.requests.get(args.route.method, args.route.path);
  for (const name of missingParams(request)) {
    const value = await askParam(request, name);
    if (value === undefined) return undefined;
    request.params[name] = value;
  }
  const needs = await needsOfRoute(args).catch((err: Error) => {
    deps.log.warn(`what ${args.route.method} ${args.route.path} needs in its request could not be read: ${err.message}`);
    return { query: [] };
  });
  const complete = await askForNeeds(request, needs);
  if (!complete) return undefined;
  await deps.requests.save(complete);
  return complete;
}

/** The workspace folder a run is about: the CodeLens's document's, else the first. */
export function endpointFolder(args: ProfileEndpointArgs | undefined): vscode.WorkspaceFolder | undefined {
  return args ? vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(args.uri)) : vscode.workspace.workspaceFolders?.[0];
}

/** The server's current target, else the one the user launches or attaches to now (undefined: they gave up). */
export async function ensureTarget(client: ServerClient, folder: vscode.WorkspaceFolder | undefined, onTargetChanged: () => void): Promise<TargetInfo | undefined> {
  const { target } = await client.request('getTarget', {});
  if (target) return target;
  const picked = await pickTarget(client, folder);
  if (picked) onTargetChanged();
  return picked;
}

/** The load the perflens.load settings describe, on `request`; `label` is what was loaded ('GET /customers/7/orders'). */
/** What a run against an endpoint starts from: its folder, request, server, target and settings. */
export interface EndpointRunStart {
  folder: vscode.WorkspaceFolder | undefined;
  request: SavedRequest;
  client: ServerClient;
  config: vscode.WorkspaceConfiguration;
  baseUrl: string;
}

/**
 * The common start of Profile Endpoint and Find Leak: the route's request (or a typed path), the
 * server, the current target (or one launched or attached now) and the folder's settings.
 * Undefined when the user gave up.
 */
export async function startEndpointRun(args: ProfileEndpointArgs | undefined, deps: EndpointRequestDeps & { client: () => Promise<ServerClient>; onTargetChanged: () => void }, verb = 'profile'): Promise<EndpointRunStart | undefined> {
  const folder = endpointFolder(args);
  const request = await endpointRequest(args, deps, verb);
  if (!request) return undefined;
  const client = await deps.client();
  const target = await ensureTarget(client, folder, deps.onTargetChanged);
  if (!target) return undefined;
  const config = vscode.workspace.getConfiguration('perflens', folder);
  return { folder, request, client, config, baseUrl: config.get<string>('baseUrl') ?? 'http://127.0.0.1:3000' };
}

export function endpointLoad(config: vscode.WorkspaceConfiguration, request: SavedRequest): { load: LoadOptions; label: string } {
  const url = requestUrl(config.get<string>('baseUrl') ?? 'http://127.0.0.1:3000', request);
  const method = wireMethod(request);
  const label = `${method} ${new URL(url).pathname}${new URL(url).search}`;
  const durationMs = parseDuration(config.get<string>('load.duration') ?? '10s');
  const rate = config.get<number | null>('load.rate') ?? undefined;
  const body = request.body === '' ? undefined : request.body;
  const load: LoadOptions = { url, method, headers: request.headers, ...(body !== undefined ? { body } : {}), connections: config.get<number>('load.connections') ?? 10, rate, durationMs, timeoutMs: 10_000 };
  return { load, label };
}

/**
 * Runs `attempt` with the request; when the service refuses the check request (ENDPOINT_REJECTED),
 * asks the user how to fix it and runs again (at most five times). Undefined: the user gave up.
 * `remembered`: the request came from a route, so fixes are saved for it. `anyway`: the choice that
 * loads the endpoint despite its error answers.
 */
export async function withRequestFixes<T>(request: SavedRequest, baseUrl: string, deps: EndpointRequestDeps, remembered: boolean, attempt: (request: SavedRequest, acceptErrors: boolean) => Promise<T>, anyway = 'Profile Anyway'): Promise<T | undefined> {
  let acceptErrors = false;
  for (let tries = 0; tries < 5; tries++) {
    try {
      return await attempt(request, acceptErrors);
    } catch (err) {
      if (!(err instanceof ServerError) || err.code !== 'ENDPOINT_REJECTED' || !err.data) throw err;
      const next = await fixRejected(err.message, err.data as EndpointRejection, request, baseUrl, deps, remembered, anyway);
      if (!next) return undefined;
      request = next.request;
      acceptErrors = next.acceptErrors;
    }
  }
  return undefined;
}

/** What to do after the check request was refused: the user's choice, as the request to try next. */
async function fixRejected(message: string, rejection: EndpointRejection, request: SavedRequest, baseUrl: string, deps: EndpointRequestDeps, remembered: boolean, anyway: string): Promise<{ request: SavedRequest; acceptErrors: boolean } | undefined> {
  deps.log.warn(message);
  const save = async (r: SavedRequest) => (remembered ? deps.requests.save(r) : undefined);
  // A route that wants something in its request: ask for it straight away.
  if (rejection.fix === 'request' && rejection.status !== 401 && rejection.status !== 403) {
    const why = `${request.method} ${requestPath(request)} answered ${rejection.status}${rejection.answer ? `: “${rejection.answer}”` : ''}.`;
    const example = exampleQuery(rejection.answer, request.route);
    const inQuery = request.method === 'GET' || request.method === 'HEAD' || request.method === 'DELETE';
    const value = inQuery ? await askQuery(request, why, example) : await askBody(request, why);
    if (value === undefined) return undefined;
    const next = inQuery ? { ...request, query: value } : { ...request, body: value, headers: { 'content-type': 'application/json', ...request.headers } };
    await save(next);
    return { request: next, acceptErrors: false };
  }
  const actions = [...rejection.suggestions.map((s) => `Use ${s.method === request.method ? '' : `${s.method} `}${s.path}`), 'Edit Request…', anyway];
  const pick = await vscode.window.showErrorMessage(`PerfLens: ${message}`, ...actions);
  if (!pick) return undefined;
  if (pick === anyway) return { request, acceptErrors: true };
  if (pick === 'Edit Request…') {
    const edited = await editRequest(deps.requests, request, baseUrl);
    return edited ? { request: edited, acceptErrors: false } : undefined;
  }
  const suggestion = rejection.suggestions[actions.indexOf(pick)];
  const next: SavedRequest = { ...request, method: suggestion.method, pathOverride: suggestion.path };
  // Remembered for the route under its own method; another method's request is used for this run only.
  if (suggestion.method === request.method) await save(next);
  return { request: next, acceptErrors: false };
}

/** 'q=gift' from the service's “q is required, e.g. /search?q=gift”. */
function exampleQuery(answer: string, route: string): string | undefined {
  const last = route.split('/').filter(Boolean).pop() ?? '';
  const match = /\?([\w.%-]+=[^\s"'”]*)/.exec(answer.slice(Math.max(0, answer.indexOf(last))));
  return match?.[1];
}
