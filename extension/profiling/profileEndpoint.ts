import * as vscode from 'vscode';
import { progressFailures } from '../../server/load/describeFailures';
import type { ProfileRunResult } from '../../server/protocol/protocol';
import type { WorkspaceRoute } from '../../server/routes/fullPaths';
import { handlerSites, knownRoutesOf } from '../../server/routes/handlerSites';
import { formatLiveQueries } from '../../server/queries/liveQueries';
import type { ProfileEndpointArgs } from '../codelens/routeCodeLens';
import type { RequestStore, SavedRequest } from '../requests/savedRequest';
import { ServerError, type ServerClient } from '../server/serverClient';
import { endpointLoad, startEndpointRun, withRequestFixes } from './endpointRun';
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

/**
 * Profile this endpoint: make sure a target exists (launch or attach), check the request with one
 * call, put load on it while the profiler samples, with live progress and Cancel. A request the
 * service refuses (404, 400…) stops before any load and is fixed here: the suggested path, the
 * query string or body asked for, then run again.
 */
export async function profileEndpoint(args: ProfileEndpointArgs | undefined, deps: ProfileEndpointDeps): Promise<ProfiledEndpoint | undefined> {
  const start = await startEndpointRun(args, deps);
  if (!start) return undefined;
  const { request, client, config, baseUrl } = start;
  return withRequestFixes(request, baseUrl, deps, !!args, (next, acceptErrors) => run(client, next, config, deps, acceptErrors));
}

async function run(client: ServerClient, request: SavedRequest, config: vscode.WorkspaceConfiguration, deps: ProfileEndpointDeps, acceptErrors: boolean): Promise<ProfiledEndpoint> {
  const { load, label } = endpointLoad(config, request);
  const { durationMs } = load;
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
          const result = await client.request('profileEndpoint', {
            load,
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
