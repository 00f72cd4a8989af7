// Vitals end to end: `perflens watch`, `perflens profile` and `perflens load` on real services (the
// demo and a service of this test's own whose routes stall their event loop in each way), with real
// load on 127.0.0.1 and short runs. Lines are found by searching the source for the marked line.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectCdp, type CdpConnection } from '../../server/cdp/connection';
import type { ProfileReport } from '../../server/analysis/reportTypes';
import type { LoadTestReport } from '../../server/loadtest/loadTestReport';
import type { LiveBlock, LiveStall, LiveVitals, VitalsSection } from '../../server/vitals/vitalsTypes';
import { demoEnv, freePort, repoRoot, runCli, startCli, stopProcess } from '../helpers/cli';
import { ServeClient } from '../helpers/serveClient';

const scratch = mkdtempSync(join(tmpdir(), 'perflens-vitals-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const service = join(repoRoot, 'test/fixtures/workloads/vitalsService.mjs');
const blockTs = join(repoRoot, 'demo/src/routes/block.ts');

/** The 1-based line of `file` that contains `marker` (exactly one must). */
function lineOf(file: string, marker: string): number {
  const found = readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((text, i) => (text.includes(marker) ? [i + 1] : []));
  assert.equal(found.length, 1, `${marker} in ${file}`);
  return found[0]!;
}

interface Started {
  child: ChildProcess;
  port: number;
  inspector: string;
}

/** Starts the test's service with its inspector on 127.0.0.1; resolves once both listen. */
async function startService(): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', service], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const inspector = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start:\n${out}`)), 20_000);
    const check = () => {
      const ws = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(out);
      if (ws && /listening on \d+/.test(out)) {
        clearTimeout(timer);
        resolve(ws[0]);
      }
    };
    child.stdout!.on('data', (d) => ((out += d), check()));
    child.stderr!.on('data', (d) => ((out += d), check()));
  });
  return { child, port, inspector };
}

type WatchLine = ({ type: 'vitals' } & LiveVitals) | ({ type: 'block' } & LiveBlock) | ({ type: 'stall' } & LiveStall) | { type: 'summary'; vitals: VitalsSection };

function watchLines(stdout: string): WatchLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as WatchLine);
}

const get = (url: string) => fetch(url).then((r) => r.text());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function evaluate(connection: CdpConnection, expression: string): Promise<unknown> {
  const { result } = await connection.send('Runtime.evaluate', { expression, returnByValue: true });
  return result.value;
}

/** What PerfLens may leave behind in a service: its global, its binding, timers and other handles (the test's own HTTP connections left out). */
const FOOTPRINT = `JSON.stringify({ agent: typeof globalThis[Symbol.for('perflens.agent')], binding: typeof globalThis.__perflensAgent, resources: process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'TCPSocketWrap').sort() })`;

test('perflens watch names each block at its function and line, a native one at the JavaScript that called it, and leaves the service as it was', async () => {
  const svc = await startService();
  try {
    const base = `http://127.0.0.1:${svc.port}`;
    const probe = await connectCdp(svc.inspector);
    const before = await evaluate(probe, FOOTPRINT);
    const watch = startCli(['watch', '--attach', svc.inspector, '--json', '--duration', '7s'], { timeoutMs: 60_000 });
    await watch.waitForOutput(/"type":"vitals"/);
    for (let i = 0; i < 3; i++) {
      await get(`${base}/spin?ms=250`);
      await sleep(400);
    }
    await get(`${base}/native?n=1500000`);
    const run = await watch.result;
    assert.equal(run.code, 0, run.stderr);
    const lines = watchLines(run.stdout);
    assert.ok(lines.filter((l) => l.type === 'vitals').length >= 4, run.stdout);

    const blocks = lines.filter((l): l is { type: 'block' } & LiveBlock => l.type === 'block');
    const spins = blocks.filter((b) => b.function === 'spinFor');
    assert.equal(spins.length, 3, JSON.stringify(blocks, null, 1));
    for (const b of spins) {
      assert.equal(b.file, service);
      assert.equal(b.line, lineOf(service, '// SPIN'));
      assert.equal(b.source, 'pause');
      assert.ok(b.ms >= 200 && b.ms <= 450, `a 250 ms spin timed at ${b.ms} ms`);
    }
    const native = blocks.find((b) => b.function === 'hashSlowly');
    assert.ok(native, `the pbkdf2Sync block: ${JSON.stringify(blocks, null, 1)}`);
    assert.equal(native.line, lineOf(service, '// NATIVE'));
    assert.equal(native.inside, 'pbkdf2Sync');

    const summary = lines.find((l): l is { type: 'summary'; vitals: VitalsSection } => l.type === 'summary');
    assert.ok(summary, 'the summary comes last');
    const group = summary.vitals.blocks.find((g) => g.function === 'spinFor');
    assert.equal(group?.count, 3);
    assert.ok(summary.vitals.summary.delay.max >= 200, `the spins show in the delay: max ${summary.vitals.summary.delay.max}`);

    // Detached: the service answers, and nothing of PerfLens is left in it.
    assert.equal(await get(`${base}/ok`), 'ok');
    assert.deepEqual(JSON.parse((await evaluate(probe, FOOTPRINT)) as string), JSON.parse(before as string));
    await probe.close();
  } finally {
    await stopProcess(svc.child);
  }
});

test("a debugger's own pause is left to it and not counted as a block; a `debugger` statement does not stop the watched service", async () => {
  const svc = await startService();
  try {
    const base = `http://127.0.0.1:${svc.port}`;
    const watch = startCli(['watch', '--attach', svc.inspector, '--json', '--duration', '6s'], { timeoutMs: 60_000 });
    await watch.waitForOutput(/"type":"vitals"/);
    // The user's debugger: its own session, which pauses the service for 1.5 s.
    const user = await connectCdp(svc.inspector);
    let resumed = 0;
    user.on('Debugger.resumed', () => resumed++);
    await user.send('Debugger.enable');
    const paused = new Promise((resolve) => user.on('Debugger.paused', resolve));
    await user.send('Debugger.pause');
    await paused;
    await sleep(1500);
    assert.equal(resumed, 0, 'PerfLens resumed a pause that was not its own');
    await user.send('Debugger.resume');
    await user.close();
    assert.equal(await get(`${base}/debugger`), 'went on');
    const run = await watch.result;
    assert.equal(run.code, 0, run.stderr);
    const long = watchLines(run.stdout).filter((l) => l.type === 'block' && l.ms >= 1000);
    assert.deepEqual(long, [], "the debugger's pause was counted as a block");
  } finally {
    await stopProcess(svc.child);
  }
});

test('a stall that never ends: PerfLens keeps saying where the service is stuck, and still stops on time', async () => {
  const svc = await startService();
  try {
    const watch = startCli(['watch', '--attach', svc.inspector, '--json', '--duration', '6s'], { timeoutMs: 60_000 });
    await watch.waitForOutput(/"type":"vitals"/);
    await get(`http://127.0.0.1:${svc.port}/forever`);
    const run = await watch.result;
    assert.equal(run.code, 0, run.stderr);
    const stalls = watchLines(run.stdout).filter((l): l is { type: 'stall' } & LiveStall => l.type === 'stall');
    assert.ok(stalls.length >= 2, run.stdout);
    const last = stalls.at(-1)!;
    assert.equal(last.over, false);
    assert.ok(last.ms >= 2000, `not answering for ${last.ms} ms`);
    assert.equal(last.where?.function, 'spinForever');
    assert.equal(last.where?.line, lineOf(service, '// FOREVER'));
  } finally {
    svc.child.kill('SIGKILL');
  }
});

test('the service dies while watched: perflens watch says so, keeps the series so far, and fails', async () => {
  const port = await freePort();
  const watch = startCli(['watch', '--json', '--', process.execPath, service], { env: { ...process.env, PORT: String(port) }, timeoutMs: 60_000 });
  await watch.waitForOutput(/"type":"vitals"[\s\S]*"type":"vitals"/);
  await get(`http://127.0.0.1:${port}/exit`);
  const run = await watch.result;
  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stderr, /the service went away while watched: .*exited \(exit code 3\)/);
  const summary = watchLines(run.stdout).find((l): l is { type: 'summary'; vitals: VitalsSection } => l.type === 'summary');
  assert.ok(summary && summary.vitals.series.length >= 2, run.stdout);
  assert.ok(summary.vitals.warnings.some((w) => /went away/.test(w)));
});

interface ProfileRun {
  code: number | null;
  stdout: string;
  stderr: string;
  report: ProfileReport;
}

async function profileDemo(path: string, name: string, args: string[]): Promise<ProfileRun> {
  const port = await freePort();
  const json = join(scratch, `${name}.json`);
  const run = await runCli(['profile', '--url', `http://127.0.0.1:${port}${path}`, '--out', scratch, '--name', name, '--json', json, '--quiet', ...args, '--', 'node', 'demo/dist/server.js'], { env: demoEnv(port), timeoutMs: 120_000 });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  return { ...run, report: JSON.parse(readFileSync(json, 'utf8')) as ProfileReport };
}

for (const how of ['pause', 'profile'] as const) {
  test(`the demo's /block under load: a lag spike of about 200 ms, the block named at busyWait's line in the TypeScript (${how === 'pause' ? 'by pausing' : '--no-pause: from the profile'})`, async () => {
    // One connection: two requests in flight would run back to back, one 400 ms block.
    const run = await profileDemo('/block?ms=200', `block-${how}`, ['--duration', '4s', '--connections', '1', ...(how === 'profile' ? ['--no-pause'] : [])]);
    const vitals = run.report.vitals!;
    assert.ok(vitals, 'the report has a vitals section');
    assert.ok(vitals.series.some((s) => s.delay.max >= 150 && s.delay.max <= 400), `a lag spike of about 200 ms: ${vitals.series.map((s) => s.delay.max).join(', ')}`);
    const top = vitals.blocks[0]!;
    assert.equal(top.file, blockTs);
    if (how === 'pause' || top.function === 'busyWait') {
      assert.equal(top.function, 'busyWait');
      assert.equal(top.line, lineOf(blockTs, 'the whole process stalls here'));
    } else {
      // A profile sees what V8 runs: once busyWait is inlined into the route's handler, its samples
      // are the handler's, at the line that calls it (the README's known limit). A pause sees the
      // inlined frame.
      assert.equal(top.function, 'GET /block');
      assert.equal(top.line, lineOf(blockTs, '= busyWait(ms)'));
    }
    assert.equal(top.endpoint, 'GET /block');
    assert.ok(top.count >= 5, `${top.count} blocks`);
    assert.ok(top.ms >= 150 && top.ms <= 300, `typical block ${top.ms} ms`);
    assert.ok(top.sources.includes(how), `located by ${top.sources.join(', ')}`);
    const delay = vitals.diagnosis.find((d) => d.rule === 'event-loop-delay');
    assert.deepEqual(delay?.action, { kind: 'open-block', label: delay?.action.label, file: blockTs, line: top.line });
    // From a profile, most of the loop's samples may be in the Node call it makes every turn
    // (performance.now): the sentence then names it, called from busyWait's line. A pause that
    // lands at once names busyWait alone.
    const inside = how === 'profile' ? '(\\w+, called from )?' : '';
    assert.match(run.report.summary.headline, new RegExp(`GET /block blocked the event loop for \\d+ ms in ${inside}(busyWait|its handler) \\(demo/src/routes/block\\.ts:${top.line}\\)`));
  });
}

test("the demo's /report under load: high utilisation, little delay: CPU-bound", async () => {
  // Two scoring passes (a few ms a request) on two connections: the loop is always busy, but it turns between requests.
  const run = await profileDemo('/report?passes=2', 'report', ['--duration', '5s', '--connections', '2']);
  const vitals = run.report.vitals!;
  assert.ok(vitals.summary.elu && vitals.summary.elu.p50 >= 0.9, `ELU ${JSON.stringify(vitals.summary.elu)}`);
  assert.ok(vitals.summary.delay.p50 < 10, `the typical turn is short: ${JSON.stringify(vitals.summary.delay)}`);
  const rules = vitals.diagnosis.map((d) => d.rule);
  assert.ok(rules.includes('cpu-bound'), `diagnosis: ${JSON.stringify(vitals.diagnosis, null, 1)}`);
});

test("the demo's /leak under load: memory that only grows is flagged", async () => {
  const run = await profileDemo('/leak', 'leak', ['--duration', '24s', '--rate', '200', '--sampling-interval', '5000']);
  const vitals = run.report.vitals!;
  assert.ok(vitals.summary.memory.heapUsedEnd > vitals.summary.memory.heapUsedStart);
  const leak = vitals.diagnosis.find((d) => d.rule === 'memory-growing');
  assert.ok(leak, `diagnosis: ${JSON.stringify(vitals.diagnosis, null, 1)}\n${JSON.stringify(vitals.summary.memory)}`);
  assert.equal(leak.action.kind, 'find-leak');
});

test('a load test that starts its service reports its vitals and blocks', async () => {
  const file = join(scratch, 'block.load.json');
  writeFileSync(
    file,
    JSON.stringify({
      target: { baseUrl: 'http://127.0.0.1:${PORT}', command: 'node demo/dist/server.js', cwd: repoRoot, env: { PORT: '${PORT}', ...(process.env.PERFLENS_TEST_DATABASE_URL && { DATABASE_URL: process.env.PERFLENS_TEST_DATABASE_URL }) }, waitTimeout: '60s' },
      requests: [{ name: 'block', method: 'GET', path: '/block?ms=150' }],
      scenarios: [{ name: 'steady', type: 'sustained', rate: 4, duration: '3s' }],
      thresholds: { http_req_failed: ['rate<0.5'] },
    }),
  );
  const summary = join(scratch, 'block-summary.json');
  const run = await runCli(['load', file, '--summary-export', summary, '--quiet'], { env: demoEnv(0), timeoutMs: 120_000 });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const report = JSON.parse(readFileSync(summary, 'utf8')) as LoadTestReport;
  assert.ok(report.vitals && report.vitals.series.length >= 2);
  assert.equal(report.vitals.blocks[0]?.function, 'busyWait');
  assert.match(run.stdout, /busyWait/);
});

test('watchVitals over the server: samples once a second, each block located and mapped, a second watch joins the first, NO_TARGET without a service', async () => {
  const client = await ServeClient.start();
  try {
    assert.equal((await client.failure('watchVitals', {})).code, 'NO_TARGET');
    const port = await freePort();
    await client.ok('launchTarget', { command: [process.execPath, service], cwd: repoRoot, env: { PORT: String(port) } });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 50 && (await fetch(`${base}/ok`).then(() => true, () => false)) === false; i++) await sleep(100);
    const first = await client.ok('watchVitals', { blockThresholdMs: 100 });
    assert.equal(first.status.pauseCapture, true);
    assert.deepEqual(first.history, []);
    const from = client.events.length;
    const live = await client.waitForEvent('vitals', () => true, from);
    assert.ok(live.sample.memory.heapUsed > 0 && live.summary.seconds >= 0, JSON.stringify(live));
    await get(`${base}/spin?ms=300`);
    const block = await client.waitForEvent('vitalsBlock', () => true, from);
    assert.equal(block.function, 'spinFor');
    assert.equal(block.file, service);
    assert.equal(block.line, lineOf(service, '// SPIN'));
    await client.waitForEvent('vitals', () => true, client.events.length);
    const again = await client.ok('watchVitals', {});
    assert.ok(again.history.length >= 1, 'the second watch gets the samples kept so far');
    assert.equal(again.blocks[0]?.function, 'spinFor');
    await client.ok('unwatchVitals', {});
    await client.ok('releaseTarget', {});
  } finally {
    await client.stop();
  }
});

test('a service that dies at start: perflens watch says how it ended and shows its output', async () => {
  const missing = join(scratch, 'no-such-service.js');
  const run = await runCli(['watch', '--quiet', '--duration', '5s', '--', process.execPath, missing], { timeoutMs: 60_000 });
  assert.equal(run.code, 1, run.stderr);
  // It exits before its inspector can be reached, or (a race) once it has been, while the agent goes in.
  assert.match(run.stderr, /could not watch .*exited \(exit code 1\) (before PerfLens could reach its inspector|while PerfLens was putting its agent in)/);
  assert.match(run.stderr, /Cannot find module/);
});
