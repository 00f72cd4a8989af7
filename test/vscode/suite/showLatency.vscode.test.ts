// Benchmark probe, not a test of the normal suite: registered only when PERFLENS_BENCH_SHOW_LATENCY=1
// (bench/showLatency.bench.ts sets it, with PERFLENS_VSCODE_TEST_GREP='show latency').
//
// Profiles the demo's GET /report through the extension (30 s of load by default) in rounds and
// prints one line per round, `PERFLENS_SHOW_LATENCY {json}`, with:
//   extensionMs      the extension's own figure, api.lastShowLatencyMs(): from the server's
//                    'analysing' event to the flame graph drawn and annotations applied;
//   fromProfileEndMs from the end of the profile (its endTime: the final Profiler.stop, right
//                    after the load ended) to the command's return, on the shared monotonic clock
//                    (V8 profile timestamps and process.hrtime are both CLOCK_MONOTONIC on Linux);
//   fromLoadEndMs    the same from the service's last busy sample (its last request of the load
//                    done: the end of the load as the service sees it);
//   collectMs        profile end → .cpuprofile written (Profiler.stop, merge, event, write);
//   analysisMs       .cpuprofile written → .speedscope.json written (the server's analysis);
//   deliverMs        .speedscope.json written → command returned (result over the socket,
//                    annotations, flame graph webview loaded and drawn);
//   reshowMs         "Open Last Profile" right after: annotations + webview load alone.
import * as assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PerfLensApi } from '../../../extension/extension';
import { freePort } from '../../../server/target/freePort';

const EXTENSION_ID = 'perflens.perflens';
export const SHOW_LATENCY_PREFIX = 'PERFLENS_SHOW_LATENCY ';


/** Now on CLOCK_MONOTONIC, in ms. */
const monoMs = () => Number(process.hrtime.bigint()) / 1e6;
/** A wall-clock time (ms since the epoch, e.g. a file's mtimeMs) on CLOCK_MONOTONIC, in ms. */
const wallToMono = (wallMs: number) => wallMs - Date.now() + monoMs();

if (process.env.PERFLENS_BENCH_SHOW_LATENCY === '1') {
  suite('show latency (benchmark)', () => {
    test('profile GET /report and time the end of the load → flame graph and annotations shown', async function () {
      const rounds = Number(process.env.PERFLENS_BENCH_SHOW_LATENCY_ROUNDS) || 3;
      const duration = process.env.PERFLENS_BENCH_SHOW_LATENCY_DURATION || '30s';
      this.timeout(rounds * 150_000 + 60_000);
      const extension = vscode.extensions.getExtension<PerfLensApi>(EXTENSION_ID);
      assert.ok(extension);
      const api = await extension.activate();
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      assert.ok(folder, 'the demo folder is open');

      const port = await freePort();
      const url = process.env.PERFLENS_BENCH_DATABASE_URL || process.env.PERFLENS_TEST_DATABASE_URL;
      const config = vscode.workspace.getConfiguration('perflens');
      await config.update('target.command', `env PORT=${port}${url ? ` DATABASE_URL=${url}` : ''} node dist/server.js`, vscode.ConfigurationTarget.Global);
      await config.update('baseUrl', `http://127.0.0.1:${port}`, vscode.ConfigurationTarget.Global);
      await config.update('load.duration', duration, vscode.ConfigurationTarget.Global);
      await config.update('load.connections', Number(process.env.PERFLENS_BENCH_SHOW_LATENCY_CONNECTIONS) || 4, vscode.ConfigurationTarget.Global);

      // Like a user: the route file open in the editor, the profile run from its CodeLens.
      const routeFile = vscode.Uri.file(join(folder, 'src', 'routes', 'report.ts'));
      await vscode.window.showTextDocument(routeFile);
      for (let round = 1; round <= rounds; round++) {
        const before = api.lastProfile();
        await vscode.commands.executeCommand('perflens.profileEndpoint', { route: { method: 'GET', path: '/report', framework: 'express' }, uri: routeFile.toString() });
        const returnedAt = monoMs();
        const profile = api.lastProfile();
        assert.ok(profile && profile !== before, `round ${round}: no new profile`);
        const extensionMs = api.lastShowLatencyMs();
        assert.ok(extensionMs !== undefined, `round ${round}: no latency measured`);

        const speedscopeFile = profile.flameGraphFile;
        const cpuprofileFile = speedscopeFile.replace(/\.speedscope\.json$/, '.cpuprofile');
        const cpu = JSON.parse(readFileSync(cpuprofileFile, 'utf8')) as CpuProfile;
        const profileEnd = cpu.endTime / 1000;
        const busy = busySpan(cpu);
        const cpuprofileWritten = wallToMono(statSync(cpuprofileFile).mtimeMs);
        const speedscopeWritten = wallToMono(statSync(speedscopeFile).mtimeMs);

        const reshowStart = monoMs();
        await vscode.commands.executeCommand('perflens.openLastProfile');
        const reshowMs = monoMs() - reshowStart;

        const figures = {
          round,
          extensionMs,
          fromProfileEndMs: returnedAt - profileEnd,
          fromLoadEndMs: returnedAt - busy.lastMs,
          loadToProfileEndMs: profileEnd - busy.lastMs,
          busyMs: busy.lastMs - busy.firstMs,
          collectMs: cpuprofileWritten - profileEnd,
          analysisMs: speedscopeWritten - cpuprofileWritten,
          deliverMs: returnedAt - speedscopeWritten,
          reshowMs,
          samples: profile.report.profile.samples,
          samplingIntervalUs: profile.report.profile.samplingIntervalUs,
          loadMs: profile.report.load?.durationMs,
          requests: profile.report.load?.requests,
          cpuprofileBytes: statSync(cpuprofileFile).size,
          speedscopeBytes: statSync(speedscopeFile).size,
          top: profile.report.functions[0]?.name,
        };
        console.log(`${SHOW_LATENCY_PREFIX}${JSON.stringify(figures)}`);
      }
    });
  });
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string } }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** First and last sample (ms, monotonic) whose leaf is running code: not idle, GC or "(program)". */
function busySpan(profile: CpuProfile): { firstMs: number; lastMs: number } {
  const idle = new Set(profile.nodes.filter((n) => /^\((idle|program|garbage collector|root)\)$/.test(n.callFrame.functionName)).map((n) => n.id));
  let time = profile.startTime;
  let first = NaN;
  let last = NaN;
  const samples = profile.samples ?? [];
  for (let i = 0; i < samples.length; i++) {
    time += profile.timeDeltas?.[i] ?? 0;
    if (idle.has(samples[i])) continue;
    if (Number.isNaN(first)) first = time;
    last = time;
  }
  return { firstMs: first / 1000, lastMs: last / 1000 };
}
