// `perflens serve` driven as the extension drives it: launch the demo, profile GET /report under
// load with progress events, one profile at a time, cancel, a target killed mid-run, release.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoEnv, demoServerPath, freePort, repoRoot } from '../helpers/cli';
import { ServeClient } from '../helpers/serveClient';
import { listeningPortsOf } from '../../server/target/inspectorDiscovery';
import type { Params, ProfileRunResult } from '../../server/protocol/protocol';

const scratch = mkdtempSync(join(tmpdir(), 'perflens-serve-test-'));
const hotSource = join(repoRoot, 'demo', 'src', 'report', 'scoreOrders.ts');
const hotFunctionLine = readFileSync(hotSource, 'utf8').split('\n').findIndex((l) => l.includes('export function scoreOrders(')) + 1;


let client: ServeClient;
const targetPids: number[] = [];
const ownChildren: ChildProcess[] = [];
before(async () => {
  client = await ServeClient.start();
});
after(async () => {
  await client?.stop();
  for (const child of ownChildren) child.kill('SIGKILL');
  for (const pid of targetPids) {
    try {
      process.kill(-pid, 'SIGKILL'); // launched targets lead their own process group
    } catch {
      // Gone, as it should be.
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

/** launchTarget for the demo on a free port, with the suite's database when there is one. */
async function launchDemo(): Promise<{ pid: number; port: number }> {
  const port = await freePort();
  const env: Record<string, string> = { PORT: String(port) };
  if (process.env.PERFLENS_TEST_DATABASE_URL) env.DATABASE_URL = process.env.PERFLENS_TEST_DATABASE_URL;
  const target = await client.ok('launchTarget', { command: ['node', 'demo/dist/server.js'], cwd: repoRoot, env });
  assert.equal(target.kind, 'launched');
  assert.match(target.inspectorUrl, /^ws:\/\/127\.0\.0\.1:\d+\//);
  targetPids.push(target.pid!);
  current = { pid: target.pid!, port };
  return current;
}
/** The demo launched last (the tests run in order and share it). */
let current: { pid: number; port: number } | undefined;

function profileParams(port: number, durationMs: number, name: string): Params<'profileEndpoint'> {
  return { load: { url: `http://127.0.0.1:${port}/report`, method: 'GET', headers: {}, connections: 4, durationMs, timeoutMs: 10_000 }, outDir: join(scratch, name), name, waitTimeoutMs: 60_000 };
}

const answers = (port: number) => fetch(`http://127.0.0.1:${port}/health`).then(() => true, () => false);

test('before any target: NO_TARGET; a foreign host: HOST_NOT_ALLOWED; a broken profile file: INVALID_PROFILE', async () => {
  assert.deepEqual(await client.ok('getTarget', {}), {});
  const noTarget = await client.failure('profileEndpoint', profileParams(9, 1000, 'none'));
  assert.equal(noTarget.code, 'NO_TARGET');

  const foreign = await client.failure('profileEndpoint', { ...profileParams(9, 1000, 'foreign'), load: { ...profileParams(9, 1000, 'foreign').load, url: 'http://example.com/report' } });
  assert.equal(foreign.code, 'HOST_NOT_ALLOWED');
  assert.match(foreign.message, /example\.com/);

  const broken = await client.failure('analyzeProfileFile', { file: join(repoRoot, 'test/fixtures/profiles/broken/truncated.cpuprofile') });
  assert.equal(broken.code, 'INVALID_PROFILE');
  assert.match(broken.message, /looks truncated/);

  const badParams = await client.failure('profileEndpoint', { ...profileParams(9, 1000, 'bad'), outDir: 'relative/dir' });
  assert.deepEqual(badParams, { code: 'BAD_REQUEST', message: 'params.outDir must be an absolute path, not "relative/dir"' });
});

test('profiling GET /report on a launched demo: scoreOrders on top, progress events, files written; a second run is BUSY', async () => {
  const demo = await launchDemo();
  assert.equal((await client.ok('getTarget', {})).target?.pid, demo.pid);
  const processes = (await client.ok('listNodeProcesses', {})).processes;
  const listed = processes.find((p) => p.pid === demo.pid);
  assert.ok(listed, `the demo is listed: ${JSON.stringify(processes)}`);
  assert.match(listed.commandLine, /demo\/dist\/server\.js/);
  assert.equal(listed.cwd, repoRoot);
  assert.match(listed.inspectorUrl ?? '', /^ws:\/\/127\.0\.0\.1:/);
  assert.ok(!processes.some((p) => p.pid === client.child.pid || p.pid === process.pid), 'the server and its parent are left out');

  const from = client.events.length;
  const running = client.request('profileEndpoint', profileParams(demo.port, 4000, 'report'));
  const busy = await client.failure('profileEndpoint', profileParams(demo.port, 4000, 'again'));
  assert.equal(busy.code, 'BUSY');
  const reply = await running;
  assert.ok(reply.result, JSON.stringify(reply.error));
  const { report, profilePath, speedscopePath, partial } = reply.result;
  assert.equal(partial, undefined);
  const top = report.functions[0];
  assert.equal(top.name, 'scoreOrders', JSON.stringify(report.functions.slice(0, 3)));
  assert.equal(top.file, hotSource);
  assert.equal(top.line, hotFunctionLine);
  assert.ok(report.functions.length > 50, `every function is in the report, not only the top ones (${report.functions.length})`);
  assert.ok(report.load!.requests > 0);
  assert.ok(existsSync(profilePath) && profilePath.endsWith('.cpuprofile'));
  assert.ok(existsSync(speedscopePath) && speedscopePath.endsWith('.speedscope.json'));

  const events = client.events.slice(from);
  assert.ok(events.filter((e) => e.event === 'loadProgress').length >= 2, 'progress about once a second');
  const phases = events.flatMap((e) => (e.event === 'profilePhase' ? [e.data.phase] : []));
  assert.deepEqual(phases, ['waiting-for-url', 'checking', 'profiling', 'analysing', 'done']);
  assert.ok(events.some((e) => e.event === 'loadFinished'));
  assert.ok(client.events.some((e) => e.event === 'targetOutput'), 'the target output is streamed');
});

test('cancelProfile stops the load early and the profile taken so far is returned', async () => {
  const { port } = current ?? (await launchDemo());
  const from = client.events.length;
  const started = Date.now();
  const running = client.request('profileEndpoint', profileParams(port, 30_000, 'cancelled'));
  await client.waitForEvent('loadProgress', (p) => p.requests > 0, from);
  assert.deepEqual(await client.ok('cancelProfile', {}), {});
  const reply = await running;
  assert.ok(reply.result, JSON.stringify(reply.error));
  assert.ok(Date.now() - started < 20_000, 'returned long before the 30 s');
  assert.equal(reply.result.report.load!.stoppedEarly, true);
  assert.ok(reply.result.report.profile.samples > 0);
  assert.ok(reply.result.report.warnings.some((w) => /stopped early/.test(w)));
});

test('a launched target that ends on its own after a profile exits at once (no "waiting for the debugger")', async () => {
  const { pid } = current ?? (await launchDemo());
  const from = client.events.length;
  process.kill(pid, 'SIGTERM'); // the demo shuts down by itself, with our inspector connection still open
  const exited = await client.waitForEvent('targetExited', () => true, from, 15_000);
  assert.equal(exited.released, false);
  assert.equal(exited.code, 0, JSON.stringify(exited));
  current = undefined;
});

test('releaseTarget stops a launched demo', async () => {
  const { port } = current ?? (await launchDemo());
  const from = client.events.length;
  assert.deepEqual(await client.ok('releaseTarget', {}), {});
  const exited = await client.waitForEvent('targetExited', () => true, from, 20_000);
  assert.equal(exited.released, true);
  assert.equal(await answers(port), false, 'the demo no longer answers');
  assert.deepEqual(await client.ok('getTarget', {}), {});
});

test('a target killed mid-run: TARGET_LOST, with the profile of the part before in error.data', async () => {
  const demo = await launchDemo();
  const from = client.events.length;
  const running = client.request('profileEndpoint', profileParams(demo.port, 40_000, 'killed'));
  await client.waitForEvent('loadProgress', (p) => p.elapsedMs >= 6000, from); // past the first 5-s chunk
  process.kill(demo.pid, 'SIGKILL');
  const reply = await running;
  assert.equal(reply.error?.code, 'TARGET_LOST', JSON.stringify(reply.result ?? reply.error).slice(0, 300));
  assert.match(reply.error.message, /killed by SIGKILL/);
  const partial = reply.error.data as ProfileRunResult;
  assert.ok(partial.partial, 'the result says it is partial');
  assert.equal(partial.report.functions[0].name, 'scoreOrders');
  assert.ok(existsSync(partial.profilePath));
  const exited = await client.waitForEvent('targetExited', (e) => e.signal === 'SIGKILL', from);
  assert.equal(exited.released, false);
  const after = await client.failure('profileEndpoint', profileParams(demo.port, 1000, 'after'));
  assert.equal(after.code, 'NO_TARGET');
  assert.match(after.message, /killed by SIGKILL/);
});

test('attaching by PID profiles a running demo; releaseTarget detaches and leaves it as it was', async () => {
  const port = await freePort();
  const demo = spawn(process.execPath, [demoServerPath], { env: demoEnv(port), stdio: 'ignore' });
  ownChildren.push(demo);
  const deadline = Date.now() + 60_000;
  while (!(await answers(port))) {
    assert.ok(Date.now() < deadline && demo.exitCode === null, 'the demo answers');
    await new Promise((r) => setTimeout(r, 200));
  }
  const portsBefore = (await listeningPortsOf(demo.pid!)).sort();

  const target = await client.ok('attachTarget', { spec: `pid:${demo.pid}` });
  assert.equal(target.kind, 'attached');
  assert.equal(target.pid, demo.pid);
  const reply = await client.ok('profileEndpoint', profileParams(port, 2500, 'attached'));
  assert.equal(reply.report.functions[0].name, 'scoreOrders');

  const from = client.events.length;
  await client.ok('releaseTarget', {});
  assert.equal((await client.waitForEvent('targetExited', () => true, from)).released, true);
  assert.equal(await answers(port), true, 'still serving');
  // The inspector SIGUSR1 opened is closed again.
  for (let i = 0; JSON.stringify((await listeningPortsOf(demo.pid!)).sort()) !== JSON.stringify(portsBefore); i++) {
    assert.ok(i < 50, 'the inspector port closes');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(demo.exitCode, null);

  const missing = await client.failure('attachTarget', { spec: 'pid:999999999' });
  assert.equal(missing.code, 'ATTACH_FAILED');
  assert.match(missing.message, /^attach to 999999999: no process with PID 999999999 exists/);
});

test('closing the server stdin (the editor went away) stops the launched target, then the server', async () => {
  const demo = await launchDemo();
  const deadline = Date.now() + 60_000;
  while (!(await answers(demo.port))) {
    assert.ok(Date.now() < deadline, 'the demo answers');
    await new Promise((r) => setTimeout(r, 200));
  }
  await client.stop();
  assert.equal(client.child.exitCode, 0, client.stderr());
  assert.match(client.stderr(), /shutting down: stdin closed/);
  assert.throws(() => process.kill(demo.pid, 0), 'the demo is gone');
  assert.equal(await answers(demo.port), false);
});
