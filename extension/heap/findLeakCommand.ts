import { mkdir } from 'node:fs/promises';
import * as vscode from 'vscode';
import { progressFailures } from '../../server/load/describeFailures';
import type { HeapLeakReport } from '../../server/heap/heapTypes';
import type { WorkspaceRoute } from '../../server/routes/fullPaths';
import { handlerSites, knownRoutesOf } from '../../server/routes/handlerSites';
import type { ProfileEndpointArgs } from '../codelens/routeCodeLens';
import { endpointLoad, startEndpointRun, withRequestFixes, type EndpointRequestDeps } from '../profiling/endpointRun';
import type { SavedRequest } from '../requests/savedRequest';
import { ServerError, type ServerClient } from '../server/serverClient';
import { progressText } from './heapText';
import { heapDir } from './takeSnapshotCommand';

export interface FindLeakDeps extends EndpointRequestDeps {
  client: () => Promise<ServerClient>;
  onTargetChanged: () => void;
  onBusy: (busy: boolean) => void;
  /** The routes of the workspace folder holding `uri`: "did you mean …?" on a 404, and anonymous handlers named. */
  workspaceRoutes: (uri?: vscode.Uri) => WorkspaceRoute[];
  storage: vscode.Uri;
}

export interface FoundLeak {
  report: HeapLeakReport;
  /** 'GET /leak': what was loaded. */
  label: string;
}

/**
 * Find Leak: the route's request (from its CodeLens, as Profile Endpoint resolves it) or a typed
 * path, the current target (or one launched or attached now), then the server's leak hunt with the
 * perflens.load settings: snapshot, load, snapshot, the same load, snapshot, with a sampling heap
 * profile of the first load. Its steps in a cancellable notification (Cancel: cancelHeap). A request
 * the service refuses is fixed here as for Profile Endpoint. Undefined: the user gave up or cancelled.
 */
export async function findLeakCommand(args: ProfileEndpointArgs | undefined, deps: FindLeakDeps): Promise<FoundLeak | undefined> {
  const start = await startEndpointRun(args, deps, 'find a leak in');
  if (!start) return undefined;
  const { folder, request, client, config, baseUrl } = start;
  const outDir = heapDir(folder, deps.storage);
  await mkdir(outDir, { recursive: true });
  let routes: WorkspaceRoute[] = [];
  try {
    routes = deps.workspaceRoutes(args ? vscode.Uri.parse(args.uri) : undefined);
  } catch (err) {
    deps.log.warn(`the workspace's routes could not be read: ${(err as Error).message}`);
  }
  const hunt = (next: SavedRequest, acceptErrors: boolean) => run(client, next, config, outDir, routes, acceptErrors, deps);
  try {
    return await withRequestFixes(request, baseUrl, deps, !!args, hunt, 'Hunt Anyway');
  } catch (err) {
    if (err instanceof ServerError && err.code === 'CANCELLED') {
      vscode.window.setStatusBarMessage('PerfLens: leak hunt cancelled', 5000);
      return undefined;
    }
    throw err;
  }
}

async function run(client: ServerClient, request: SavedRequest, config: vscode.WorkspaceConfiguration, outDir: string, routes: WorkspaceRoute[], acceptErrors: boolean, deps: FindLeakDeps): Promise<FoundLeak> {
  const { load, label } = endpointLoad(config, request);
  deps.onBusy(true);
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `PerfLens: Find Leak in ${label}`, cancellable: true }, async (progress, token) => {
      progress.report({ message: 'waiting for the service to answer…' });
      let step = 'checking the endpoint';
      let done = 0;
      const subscriptions = [
        client.onEvent('heapProgress', (p) => {
          if (p.operation === 'leak') {
            step = p.message;
            const increment = p.fraction === undefined ? 0 : Math.max(0, p.fraction - done) * 100;
            done = Math.max(done, p.fraction ?? done);
            progress.report({ message: progressText(p), increment });
          } else progress.report({ message: `${step} · ${progressText(p)}` });
        }),
        client.onEvent('loadProgress', (p) => progress.report({ message: `${step} · ${p.rps.toFixed(0)} req/s · ${progressFailures(p)} · ${(p.elapsedMs / 1000).toFixed(0)}/${(load.durationMs / 1000).toFixed(0)} s` })),
        token.onCancellationRequested(() => void client.request('cancelHeap', {}).catch((err: Error) => deps.log.warn(`cancelHeap: ${err.message}`))),
      ];
      try {
        const { report } = await client.request('findLeak', {
          load,
          allowHosts: config.get<string[]>('load.allowHosts') ?? [],
          outDir,
          acceptErrors,
          knownRoutes: knownRoutesOf(routes),
          routeHandlers: handlerSites(routes),
        });
        return { report, label };
      } finally {
        subscriptions.forEach((s) => s.dispose());
      }
    });
  } finally {
    deps.onBusy(false);
  }
}
