import * as vscode from 'vscode';
import { parseDuration } from '../../server/load/parseDuration';
import type { ProfileRunResult } from '../../server/protocol/protocol';
import type { ProfileEndpointArgs } from '../codelens/routeCodeLens';
import { fillPathParams, pathParams } from '../../server/routes/samplePath';
import { ServerError, type ServerClient } from '../server/serverClient';
import { pickTarget } from './targetPicker';

export interface ProfileEndpointDeps {
  client: () => Promise<ServerClient>;
  state: vscode.Memento;
  outDir: () => string;
  log: vscode.LogOutputChannel;
  onTargetChanged: () => void;
  onProfiling: (busy: boolean) => void;
}

/** The endpoint to load: from a CodeLens, or asked for. Remembers path parameter values per route. */
async function endpointUrl(args: ProfileEndpointArgs | undefined, deps: ProfileEndpointDeps, folder: vscode.WorkspaceFolder | undefined): Promise<{ url: string; method: string } | undefined> {
  const baseUrl = vscode.workspace.getConfiguration('perflens', folder).get<string>('baseUrl') ?? 'http://127.0.0.1:3000';
  if (!args) {
    const path = await vscode.window.showInputBox({ title: 'PerfLens: profile which endpoint?', prompt: `A path on ${baseUrl}, or a whole URL`, value: deps.state.get<string>('lastPath') ?? '/' });
    if (path === undefined) return undefined;
    await deps.state.update('lastPath', path);
    return { url: /^https?:\/\//.test(path) ? path : new URL(path, baseUrl).href, method: 'GET' };
  }
  const { method, path } = args.route;
  const key = `params:${method} ${path}`;
  const values: Record<string, string> = { ...deps.state.get<Record<string, string>>(key) };
  for (const name of pathParams(path)) {
    if (values[name] !== undefined) continue;
    const value = await vscode.window.showInputBox({ title: `PerfLens: ${method} ${path}`, prompt: `A sample value for :${name} (remembered for this route)`, ignoreFocusOut: true });
    if (value === undefined) return undefined;
    values[name] = value;
  }
  await deps.state.update(key, values);
  return { url: new URL(fillPathParams(path, values), baseUrl).href, method: method === 'ALL' ? 'GET' : method };
}

/**
 * Profile this endpoint: make sure a target exists (launch or attach), put load on the endpoint
 * while the profiler samples, with live progress and Cancel, and return the result.
 */
export async function profileEndpoint(args: ProfileEndpointArgs | undefined, deps: ProfileEndpointDeps): Promise<{ result: ProfileRunResult; loadEndedAt: number } | undefined> {
  const folder = args ? vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(args.uri)) : vscode.workspace.workspaceFolders?.[0];
  const endpoint = await endpointUrl(args, deps, folder);
  if (!endpoint) return undefined;
  const client = await deps.client();
  let { target } = await client.request('getTarget', {});
  if (!target) {
    target = await pickTarget(client, folder);
    if (!target) return undefined;
    deps.onTargetChanged();
  }
  const config = vscode.workspace.getConfiguration('perflens', folder);
  const durationMs = parseDuration(config.get<string>('load.duration') ?? '10s');
  const rate = config.get<number | null>('load.rate') ?? undefined;
  deps.onProfiling(true);
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `PerfLens: ${endpoint.method} ${endpoint.url}`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: `waiting for the service to answer…` });
        const subscriptions = [
          client.onEvent('loadProgress', (p) => progress.report({ message: `${p.rps.toFixed(0)} req/s · p99 ${p.p99.toFixed(1)} ms · ${p.errors} errors · ${(p.elapsedMs / 1000).toFixed(0)}/${(durationMs / 1000).toFixed(0)} s`, increment: (1000 / durationMs) * 100 })),
          client.onEvent('profilePhase', (p) => {
            if (p.phase === 'analysing') {
              loadEndedAt = Date.now();
              progress.report({ message: 'analysing the profile…' });
            }
          }),
          token.onCancellationRequested(() => void client.request('cancelProfile', {})),
        ];
        let loadEndedAt = 0;
        try {
          const result = await client.request('profileEndpoint', {
            load: { url: endpoint.url, method: endpoint.method, headers: {}, connections: config.get<number>('load.connections') ?? 10, rate, durationMs, timeoutMs: 10_000 },
            allowHosts: config.get<string[]>('load.allowHosts') ?? [],
            samplingIntervalUs: config.get<number | null>('samplingInterval') ?? undefined,
            outDir: deps.outDir(),
          });
          return { result, loadEndedAt: loadEndedAt || Date.now() };
        } finally {
          subscriptions.forEach((s) => s.dispose());
        }
      },
    );
  } catch (err) {
    if (err instanceof ServerError && err.code === 'TARGET_LOST' && err.data) {
      void vscode.window.showWarningMessage(`PerfLens: ${err.message}`);
      return { result: err.data as ProfileRunResult, loadEndedAt: Date.now() };
    }
    throw err;
  } finally {
    deps.onProfiling(false);
  }
}
