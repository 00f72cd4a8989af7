// `perflens profile` against real processes: the demo service (real inspector, real PostgreSQL,
// real autocannon load on 127.0.0.1), launched by the CLI or already running.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoEnv, demoServerPath, freePort, repoRoot, runCli, startCli, stopProcess } from '../helpers/cli';
import { listeningPortsOf } from '../../server/target/inspectorDiscovery';
import type { ProfileReport } from '../../server/analysis/reportTypes';

const scratch = mkdtempSync(join(tmpdir(), 'perflens-profile-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const hotSource = join(repoRoot, 'demo', 'src', 'report', 'scoreOrders.ts');
/** Where the demo's hot function and hot line are, read from its source rather than written down here. */
function hotLocation() {
  const lines = readFileSync(hotSource, 'utf8').split('\n');
  return {
    functionLine: lines.findIndex((l) => l.includes('export function scoreOrders(')) + 1,
    hotLine: lines.findIndex((l) => l.includes('// HOT')) + 1,
  };
}

function readReport(file: string): ProfileReport {
  return JSON.parse(readFileSync(file, 'utf8')) as ProfileReport;
}

/** Checks what every profile of GET /report must show: scoreOrders on top, at its TypeScript line. */
function assertHotFunctionFound(report: ProfileReport) {
  const { functionLine, hotLine } = hotLocation();
  const top = report.functions[0];
  assert.equal(top.name, 'scoreOrders', `top self-time function: ${JSON.stringify(report.functions.slice(0, 3), null, 1)}`);
  assert.equal(top.file, hotSource);
  assert.equal(top.line, functionLine);
  assert.ok(top.selfMs > 0 && top.totalMs >= top.selfMs && top.samples > 0);
  assert.ok(report.functions[0].selfShare > 0.3, `scoreOrders should dominate; it has ${report.functions[0].selfShare}`);
  const topLine = report.lines[0];
  assert.equal(topLine.file, hotSource);
  assert.equal(topLine.line, hotLine);
  const load = report.load!;
  assert.ok(load.requests > 0, 'load was sent');
  assert.ok(load.latency.p50 <= load.latency.p95 && load.latency.p95 <= load.latency.p99 && load.latency.p99 <= load.latency.max);
  assert.equal(load.errors.total, 0);
}

/** Starts the demo ourselves (no inspector) and resolves once /health answers. */
async function startDemo(extraArgs: string[] = []): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...extraArgs, demoServerPath], { env: demoEnv(port), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.resume();
  after(() => stopProcess(child));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`demo exited early: ${stderr}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
    if (ok) return { child, port, stderr: () => stderr };
    if (Date.now() > deadline) throw new Error(`demo did not answer within 60 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('profiling GET /report on a launched demo names scoreOrders at its TypeScript line', async () => {
  const port = await freePort();
  const out = join(scratch, 'launch');
  const json = join(out, 'report.json');
  const run = await runCli(['profile', '--url', `http://127.0.0.1:${port}/report`, '--duration', '6s', '--connections', '4', '--out', out, '--json', json, '--quiet', '--', 'node', 'demo/dist/server.js'], { env: demoEnv(port) });
  assert.equal(run.code, 0, `exit code ${run.code}\n${run.stderr}`);
  const report = readReport(json);
  assertHotFunctionFound(report);
  const { functionLine } = hotLocation();
  assert.match(run.stdout, new RegExp(`scoreOrders +demo/src/report/scoreOrders\\.ts:${functionLine}\\b`));
  assert.match(run.stdout, /Top lines by self time/);

  const files = readdirSync(out);
  const cpuprofile = files.find((f) => f.endsWith('.cpuprofile'))!;
  assert.match(cpuprofile, /^report-\d{8}-\d{6}\.cpuprofile$/);
  const profile = JSON.parse(readFileSync(join(out, cpuprofile), 'utf8'));
  assert.ok(profile.nodes.length > 10 && profile.samples.length === profile.timeDeltas.length);
  assert.ok(profile.samples.length >= report.profile.samples - 1);
  const speedscope = JSON.parse(readFileSync(join(out, files.find((f) => f.endsWith('.speedscope.json'))!), 'utf8'));
  assert.equal(speedscope.$schema, 'https://www.speedscope.app/file-format-schema.json');
  assert.ok(speedscope.shared.frames.some((f: { name: string; file?: string }) => f.name === 'scoreOrders' && f.file === hotSource));
  // The CLI stopped the demo it started: nothing answers on its port any more.
  const stillUp = await fetch(`http://127.0.0.1:${port}/health`).then(() => true, () => false);
  assert.equal(stillUp, false, 'the launched demo was stopped');
});

test('attaching by PID profiles a running demo and leaves it running as it was', async () => {
  const demo = await startDemo();
  const portsBefore = (await listeningPortsOf(demo.child.pid!)).sort();
  const json = join(scratch, 'attach-pid.json');
  const run = await runCli(['profile', '--attach', String(demo.child.pid), '--url', `http://127.0.0.1:${demo.port}/report`, '--duration', '5s', '--connections', '4', '--out', join(scratch, 'attach'), '--json', json, '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`attached to PID ${demo.child.pid}`));
  assertHotFunctionFound(readReport(json));
  // Still serving, and the inspector SIGUSR1 opened is closed again.
  assert.equal((await fetch(`http://127.0.0.1:${demo.port}/health`)).status, 200);
  await waitFor(async () => JSON.stringify((await listeningPortsOf(demo.child.pid!)).sort()) === JSON.stringify(portsBefore), 'the inspector port to close');
  assert.equal(demo.child.exitCode, null);
});

test('attaching by inspector port works on a service started with --inspect', async () => {
  const demo = await startDemo(['--inspect=127.0.0.1:0']);
  const inspectorPort = Number(/ws:\/\/127\.0\.0\.1:(\d+)\//.exec(demo.stderr())![1]);
  const json = join(scratch, 'attach-port.json');
  const run = await runCli(['profile', '--attach', `port:${inspectorPort}`, '--url', `http://127.0.0.1:${demo.port}/report`, '--duration', '4s', '--connections', '4', '--out', join(scratch, 'attach-port'), '--json', json, '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readReport(json).functions[0].name, 'scoreOrders');
  assert.equal((await fetch(`http://127.0.0.1:${demo.port}/health`)).status, 200);
  assert.ok((await listeningPortsOf(demo.child.pid!)).includes(inspectorPort), 'an inspector the user opened stays open');
});

test('a target killed mid-profile ends the run within 5 s, non-zero, keeping the chunks already taken', async () => {
  const port = await freePort();
  const out = join(scratch, 'killed');
  const cli = startCli(['profile', '--url', `http://127.0.0.1:${port}/report`, '--duration', '40s', '--connections', '4', '--out', out, '--', 'node', 'demo/dist/server.js'], { env: demoEnv(port) });
  const started = await cli.waitForOutput(/started `node demo\/dist\/server\.js` \(PID (\d+)\)/);
  const pid = Number(/PID (\d+)/.exec(started)![1]);
  await cli.waitForOutput(/perflens: +7 s /, 30_000); // past the first 5-s chunk
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  const run = await cli.result;
  const took = Date.now() - killedAt;
  assert.ok(took < 5000, `the CLI took ${took} ms to notice`);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /the target went away .* the load was stopped/);
  assert.match(run.stderr, /killed by SIGKILL/);
  assert.match(run.stderr, /profile up to the last completed chunk was kept/);
  assert.ok(readdirSync(out).some((f) => f.endsWith('.cpuprofile')), 'the partial profile was written');
  assert.match(run.stdout, /scoreOrders/);
});

test('a target that fails to start: its output and exit code are shown', async () => {
  const port = await freePort();
  const run = await runCli(['profile', '--url', `http://127.0.0.1:${port}/`, '--', 'node', '-e', "console.error('boom: DATABASE_URL is not set'); process.exit(3)"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /the target exited \(exit code 3\) before http:\/\/127\.0\.0\.1:\d+\/ answered/);
  assert.match(run.stderr, /boom: DATABASE_URL is not set/);
  assert.doesNotMatch(run.stderr, /^\s+at /m);
});

test('a target command that does not exist is named', async () => {
  const run = await runCli(['profile', '--url', 'http://127.0.0.1:9/', '--', 'no-such-command-perflens']);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /could not start the target `no-such-command-perflens`: command not found/);
});

test('a URL that never answers is named, with the time waited', async () => {
  const port = await freePort();
  const run = await runCli(['profile', '--url', `http://127.0.0.1:${port}/x`, '--wait-timeout', '2s', '--', 'node', '-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 30_000 });
  assert.equal(run.code, 1);
  assert.match(run.stderr, new RegExp(`http://127\\.0\\.0\\.1:${port}/x did not answer within 2\\.0 s`));
});

test('--attach to a PID that does not exist, or is not Node, says so', async () => {
  const missing = await runCli(['profile', '--attach', 'pid:999999999', '--url', 'http://127.0.0.1:9/']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no process with PID 999999999 exists/);

  const sleeper = spawn('sleep', ['30']);
  after(() => sleeper.kill());
  const notNode = await runCli(['profile', '--attach', String(sleeper.pid), '--url', 'http://127.0.0.1:9/']);
  assert.equal(notNode.code, 1);
  assert.match(notNode.stderr, new RegExp(`PID ${sleeper.pid} is \`sleep 30\`, not a Node\\.js process`));
});

test('load to a host that is not allowed is refused before anything starts', async () => {
  const run = await runCli(['profile', '--url', 'http://example.com/report', '--', 'node', '-e', "require('fs').writeFileSync(process.argv[1], 'started')", join(scratch, 'must-not-exist')]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /refusing to put load on example\.com.*--allow-host example\.com/);
  assert.throws(() => readFileSync(join(scratch, 'must-not-exist')), 'the target was never started');
});

test('command-line mistakes name the flag', async () => {
  const noUrl = await runCli(['profile', '--', 'node', 'x.js']);
  assert.equal(noUrl.code, 2);
  assert.match(noUrl.stderr, /--url is required/);
  const badDuration = await runCli(['profile', '--url', 'http://127.0.0.1:9/', '--duration', 'soon', '--', 'node', 'x.js']);
  assert.equal(badDuration.code, 2);
  assert.match(badDuration.stderr, /--duration/);
  const badMethod = await runCli(['profile', '--url', 'http://127.0.0.1:9/', '--method', 'FROB', '--', 'node', 'x.js']);
  assert.equal(badMethod.code, 2);
  assert.match(badMethod.stderr, /--method: must be one of GET, HEAD, POST/);
  const endless = await runCli(['profile', '--url', 'http://127.0.0.1:9/', '--duration', '1000h', '--', 'node', 'x.js']);
  assert.equal(endless.code, 2);
  assert.match(endless.stderr, /--duration: at most 24 days/);
  const unknown = await runCli(['profile', '--frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--frobnicate/);
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

