import * as vscode from 'vscode';
import { parseDuration } from '../../server/load/parseDuration';
import { progressFailures } from '../../server/load/describeFailures';
import type { ProfileRunResult } from '../../server/protocol/protocol';
import type { EndpointRejection } from '../../server/routes/endpointRejection';
import type { WorkspaceRoute } from '../../server/routes/fullPaths';
import { handlerSites, knownRoutesOf } from '../../server/routes/handlerSites';
import { formatLiveQueries } from '../../server/queries/liveQueries';
import type { ProfileEndpointArgs } from '../codelens/routeCodeLens';
import { askBody, askParam, askQuery, editRequest } from '../requests/editRequest';
import { askForNeeds, needsOfRoute } from '../requests/routeNeeds';
import { missingParams, requestPath, requestUrl, wireMethod, type RequestStore, type SavedRequest } from '../requests/savedRequest';
import { ServerError, type ServerClient } from '../server/serverClient';
import { pickTarget } from './targetPicker';
import { profileVitalsParams, vitalsSettings } from '../vitals/vitalsSettings';

export interface ProfileEndpointDeps {
  client: () => Promise<ServerClient>;
  state: vscode.Memento;
  requests: RequestStore;
  outDir: () => string;
  log: vscode.LogOutputChannel;
  onTargetChanged: () => void;
  onProfiling: (busy: boolean) => void;
  /** The workspace's routes: for "did you mean …?" on a 404, and to name anonymous handlers after their route. */
  workspaceRoutes: () => WorkspaceRoute[];
}

export interface ProfiledEndpoint {
  result: ProfileRunResult;
  loadEndedAt: number;
  /** 'GET /customers/7/orders': what was loaded. */
  label: string;
}

/** The request to send: from a CodeLens (remembered per route, missing parts asked for), or typed. */
async function endpointRequest(args: ProfileEndpointArgs | undefined, deps: ProfileEndpointDeps): Promise<SavedRequest | undefined> {
  if (!args) {
    const path = await vscode.window.showInputBox({ title: 'PerfLens: profile which endpoint?', prompt: 'A path on perflens.baseUrl, with its query string', value: deps.state.get<string>('lastPath') ?? '/', validateInput: (v) => (v.startsWith('/') ? undefined : 'a path starts with "/", e.g. /report or /search?q=gift') });
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

/**
 * Profile this endpoint: make sure a target exists (launch or attach), check the request with one
 * call, put load on it while the profiler samples, with live progress and Cancel. A request the
 * service refuses (404, 400…) stops before any load and is fixed here: the suggested path, the
 * query string or body asked for, then run again.
 */
export async function profileEndpoint(args: ProfileEndpointArgs | undefined, deps: ProfileEndpointDeps): Promise<ProfiledEndpoint | undefined> {
  const folder = args ? vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(args.uri)) : vscode.workspace.workspaceFolders?.[0];
  let request = await endpointRequest(args, deps);
  if (!request) return undefined;
  const client = await deps.client();
  let { target } = await client.request('getTarget', {});
  if (!target) {
    target = await pickTarget(client, folder);
    if (!target) return undefined;
    deps.onTargetChanged();
  }
  const config = vscode.workspace.getConfiguration('perflens', folder);
  const baseUrl = config.get<string>('baseUrl') ?? 'http://127.0.0.1:3000';
  let acceptErrors = false;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await run(client, request, config, deps, acceptErrors);
    } catch (err) {
      if (!(err instanceof ServerError) || err.code !== 'ENDPOINT_REJECTED' || !err.data) throw err;
      const next = await fixRejected(err.message, err.data as EndpointRejection, request, baseUrl, deps, !!args);
      if (!next) return undefined;
      request = next.request;
      acceptErrors = next.acceptErrors;
    }
  }
  return undefined;
}

/** What to do after the check request was refused: the user's choice, as the request to try next. */
async function fixRejected(message: string, rejection: EndpointRejection, request: SavedRequest, baseUrl: string, deps: ProfileEndpointDeps, remembered: boolean): Promise<{ request: SavedRequest; acceptErrors: boolean } | undefined> {
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
  const actions = [...rejection.suggestions.map((s) => `Use ${s.method === request.method ? '' : `${s.method} `}${s.path}`), 'Edit Request…', 'Profile Anyway'];
  const pick = await vscode.window.showErrorMessage(`PerfLens: ${message}`, ...actions);
  if (!pick) return undefined;
  if (pick === 'Profile Anyway') return { request, acceptErrors: true };
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

async function run(client: ServerClient, request: SavedRequest, config: vscode.WorkspaceConfiguration, deps: ProfileEndpointDeps, acceptErrors: boolean): Promise<ProfiledEndpoint> {
  const url = requestUrl(config.get<string>('baseUrl') ?? 'http://127.0.0.1:3000', request);
  const method = wireMethod(request);
  const label = `${method} ${new URL(url).pathname}${new URL(url).search}`;
  const durationMs = parseDuration(config.get<string>('load.duration') ?? '10s');
  const rate = config.get<number | null>('load.rate') ?? undefined;
  let routes: WorkspaceRoute[] = [];
  try {
    routes = deps.workspaceRoutes();
  } catch (err) {
    deps.log.warn(`the workspace's routes could not be read: ${(err as Error).message}`);
  }
  deps.onProfiling(true);
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `PerfLens: ${label}`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: `waiting for the service to answer…` });
        let loadEndedAt = 0;
        /** The service's queries so far ("queries 1,234 · pool 10/10 busy, 4 waiting"), shown with the load's figures. */
        let queries = '';
        const subscriptions = [
          client.onEvent('queryProgress', (live) => (queries = formatLiveQueries(live))),
          client.onEvent('loadProgress', (p) => progress.report({ message: `${p.rps.toFixed(0)} req/s · p99 ${p.p99.toFixed(1)} ms · ${progressFailures(p)}${queries ? ` · ${queries}` : ''} · ${(p.elapsedMs / 1000).toFixed(0)}/${(durationMs / 1000).toFixed(0)} s`, increment: (1000 / durationMs) * 100 })),
          client.onEvent('profilePhase', (p) => {
            if (p.phase === 'checking') progress.report({ message: `checking that ${label} answers…` });
            if (p.phase === 'analysing') {
              loadEndedAt = Date.now();
              progress.report({ message: 'analysing the profile…' });
            }
          }),
          token.onCancellationRequested(() => void client.request('cancelProfile', {})),
        ];
        try {
          const body = request.body === '' ? undefined : request.body;
          const result = await client.request('profileEndpoint', {
            load: { url, method, headers: request.headers, ...(body !== undefined ? { body } : {}), connections: config.get<number>('load.connections') ?? 10, rate, durationMs, timeoutMs: 10_000 },
            allowHosts: config.get<string[]>('load.allowHosts') ?? [],
            samplingIntervalUs: config.get<number | null>('samplingInterval') ?? undefined,
            outDir: deps.outDir(),
            acceptErrors,
            knownRoutes: knownRoutesOf(routes),
            routeHandlers: handlerSites(routes),
            queries: config.get<boolean>('queries.capture') === false ? { capture: false } : { nPlusOneMinRepeats: config.get<number>('queries.nPlusOneMinRepeats') ?? 5, leakThresholdMs: (config.get<number>('queries.leakThresholdSeconds') ?? 5) * 1000 },
            vitals: profileVitalsParams(vitalsSettings((key) => config.get(key))),
          });
          return { result, loadEndedAt: loadEndedAt || Date.now(), label };
        } finally {
          subscriptions.forEach((s) => s.dispose());
        }
      },
    );
  } catch (err) {
    if (err instanceof ServerError && err.code === 'TARGET_LOST' && err.data) {
      void vscode.window.showWarningMessage(`PerfLens: ${err.message}`);
      return { result: err.data as ProfileRunResult, loadEndedAt: Date.now(), label };
    }
    throw err;
  } finally {
    deps.onProfiling(false);
  }
}
