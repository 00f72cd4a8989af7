// Heap snapshots and leak hunting against real processes: a fixture service holding 5,000 Tickets
// (snapshot, summary), one dying while its snapshot streams, a full disk, a truncated snapshot, the
// demo's GET /leak found by three snapshots (CLI, with its --fail-on-growth gate, and over the RPC),
// and a snapshot cancelled over the RPC. Load only on 127.0.0.1; every process bounded in time.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { demoEnv, freePort, repoRoot, runCli, startCli, stopProcess } from '../helpers/cli';
import { ServeClient } from '../helpers/serveClient';
import { V8_EDGE_TYPES, V8_NODE_TYPES } from '../../server/heap/heapGraph';
import type { HeapLeakReport, HeapSummary } from '../../server/heap/heapTypes';

const scratch = mkdtempSync(join(tmpdir(), 'perflens-heap-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const heapService = join(repoRoot, 'test', 'fixtures', 'workloads', 'heapService.mjs');
const leakSource = join(repoRoot, 'demo', 'src', 'routes', 'leak.ts');

/** The fixture service with its inspector open on a free port: its inspector URL and HTTP port. */
async function startHeapService(env: Record<string, string> = {}): Promise<{ child: ChildProcess; wsUrl: string; port: number }> {
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', heapService], { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  after(() => stopProcess(child));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  child.once('exit', () => clearTimeout(killer));
  const line = (stream: NodeJS.ReadableStream, pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const lines = createInterface({ input: stream });
      lines.on('line', (text) => {
        const m = pattern.exec(text);
        if (m) resolve(m);
      });
      child.once('exit', (code) => reject(new Error(`the heap fixture exited (${code}) before printing ${pattern}`)));
    });
  const [ws, port] = await Promise.all([line(child.stderr!, /Debugger listening on (ws:\/\/\S+)/), line(child.stdout!, /listening on (\d+)/)]);
  return { child, wsUrl: ws[1], port: Number(port[1]) };
}

function folder(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

test('heap snapshot --attach streams a snapshot JSON.parse accepts; heap summary --json counts its 5,000 Tickets', async () => {
  const { wsUrl } = await startHeapService();
  const out = folder('snapshot');
  const run = await runCli(['heap', 'snapshot', '--attach', wsUrl, '--out', out, '--name', 'tickets']);
  assert.equal(run.code, 0, run.stderr);
  const file = join(out, 'tickets.heapsnapshot');
  assert.equal(run.stdout.trim(), file, 'the path alone on stdout');
  assert.match(run.stderr, /pauses while V8 writes the heap snapshot and may need about twice its heap \(\d[\d.]* MB used now\)/);
  assert.deepEqual(readdirSync(out), ['tickets.heapsnapshot'], 'no .partial left');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { node_count: number } };
  assert.ok(parsed.snapshot.node_count > 5_000);

  const summary = await runCli(['heap', 'summary', file, '--json']);
  assert.equal(summary.code, 0, summary.stderr);
  const json = JSON.parse(summary.stdout) as HeapSummary;
  assert.ok(json.constructors.length > 0);
  for (const c of json.constructors) for (const key of ['name', 'count', 'selfSize', 'retainedSize'] as const) assert.ok(key in c, `${key} in ${JSON.stringify(c)}`);
  const tickets = json.constructors.find((c) => c.name === 'Ticket');
  assert.equal(tickets?.count, 5_000, JSON.stringify(tickets));
  assert.ok(tickets!.retainedSize >= tickets!.selfSize && tickets!.selfSize > 0);

  // A truncated copy: exit 1, the reader's message naming the section and the offset.
  const cut = join(out, 'cut.heapsnapshot');
  copyFileSync(file, cut);
  truncateSync(cut, Math.floor(statSync(file).size / 2));
  const truncated = await runCli(['heap', 'summary', cut]);
  assert.equal(truncated.code, 1, truncated.stderr);
  assert.match(truncated.stderr, /perflens: \S*cut\.heapsnapshot: invalid heap snapshot: the file is truncated at byte [\d,]+ of [\d,]+ \(inside `\w+`\)/);
});

test('wrong input says what was wrong and what to do: no service, a missing file, a folder, a CPU profile, a bad size', async () => {
  const cases: Array<[string[], number, RegExp]> = [
    [['heap', 'snapshot'], 2, /heap snapshot: say which service: --attach <PID\|port:N\|ws URL> or a command after `--`/],
    [['heap', 'summary', 'nope.heapsnapshot'], 1, /perflens: nope\.heapsnapshot does not exist/],
    [['heap', 'summary', 'test'], 1, /perflens: test is a folder, not a \.heapsnapshot file/],
    [['heap', 'summary', 'test/fixtures/profiles/synthetic/basic.cpuprofile'], 1, /basic\.cpuprofile is a CPU profile, not a heap snapshot: read it with `perflens summarize test\/fixtures\/profiles\/synthetic\/basic\.cpuprofile`/],
    [['heap', 'diff', 'a.heapsnapshot'], 2, /heap diff: give two or three \.heapsnapshot files/],
    [['heap', 'leak', '--url', 'http://127.0.0.1:9/leak', '--fail-on-growth', 'abc', '--', 'node', 'x.js'], 2, /--fail-on-growth: "abc" is not a size: write a number and a unit, e\.g\. 512B, 1KB, 1\.5MB or 2GB/],
    [['heap', 'leak', '--url', 'http://example.com/leak', '--', 'node', 'x.js'], 2, /refusing to put load on example\.com: .*--allow-host example\.com/],
  ];
  for (const [args, code, message] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message, args.join(' '));
  }
});

test('a target that dies while its snapshot streams: TARGET_LOST, and no partial file left', async () => {
  const { child, wsUrl } = await startHeapService({ HEAP_BIG_MB: '150' });
  const out = folder('dying');
  const partial = join(out, 'dying.heapsnapshot.partial');
  const cli = startCli(['heap', 'snapshot', '--attach', wsUrl, '--out', out, '--name', 'dying'], { timeoutMs: 120_000 });
  // Killed as soon as the first chunk has reached the file.
  for (let wrote = false; !wrote; ) {
    wrote = existsSync(partial) && statSync(partial).size > 0;
    if (!wrote) await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  const run = await cli.result;
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /the target went away while its heap snapshot was being written \(inspector connection closed[^)]*\) after [\d.]+ [KMG]?B; the partial file was removed/);
  assert.deepEqual(readdirSync(out), []);
});

test('Ctrl-C while a snapshot streams: exit 130, the partial file removed, the service running on', async () => {
  const { wsUrl, port } = await startHeapService({ HEAP_BIG_MB: '150' });
  const out = folder('interrupted');
  const partial = join(out, 'interrupted.heapsnapshot.partial');
  const cli = startCli(['heap', 'snapshot', '--attach', wsUrl, '--out', out, '--name', 'interrupted'], { timeoutMs: 120_000 });
  for (let wrote = false; !wrote; ) {
    wrote = existsSync(partial) && statSync(partial).size > 0;
    if (!wrote) await new Promise((r) => setTimeout(r, 10));
  }
  cli.child.kill('SIGINT');
  const run = await cli.result;
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stderr, /the heap snapshot was cancelled and its partial file removed/);
  assert.deepEqual(readdirSync(out), []);
  assert.equal((await fetch(`http://127.0.0.1:${port}/ok`)).status, 200);
});

test('a full disk (the partial file is /dev/full): SNAPSHOT_FAILED, saying so, nothing left', { skip: existsSync('/dev/full') ? false : 'no /dev/full here' }, async () => {
  const { wsUrl } = await startHeapService();
  const out = folder('full');
  symlinkSync('/dev/full', join(out, 'full.heapsnapshot.partial'));
  const run = await runCli(['heap', 'snapshot', '--attach', wsUrl, '--out', out, '--name', 'full']);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /perflens: the disk is full: .*full\.heapsnapshot.*ENOSPC.*; the partial file was removed; free space or choose another folder/);
  assert.equal(run.stdout, '');
  assert.deepEqual(readdirSync(out), []);
});

test("heap leak on the demo's GET /leak: AuditEntry held by auditLog, about 20 KB a request, allocated in leak.ts; --fail-on-growth gates", async () => {
  const port = await freePort();
  const out = folder('leak');
  const url = `http://127.0.0.1:${port}/leak`;
  const load = ['--duration', '3s', '--rate', '150', '--connections', '2'];
  const run = await runCli(['heap', 'leak', '--url', url, ...load, '--out', out, '--name', 'leak', '--json', '--fail-on-growth', '1KB', '--quiet', '--', 'node', 'demo/dist/server.js'], { env: demoEnv(port), timeoutMs: 240_000 });
  assert.equal(run.code, 99, `exit ${run.code}\n${run.stderr}`);
  const report = JSON.parse(run.stdout) as HeapLeakReport;
  assert.equal(report.kind, 'heap-leak');
  const group = report.suspects.find((g) => g.name === 'AuditEntry');
  assert.ok(group, `suspects: ${report.suspects.map((g) => g.name).join(', ')}`);
  assert.match(group.pathText, /auditLog/);
  assert.ok(report.growthPerRequest >= 16 * 1024 && report.growthPerRequest <= 30 * 1024, `growth per request ${report.growthPerRequest}`);
  assert.ok(group.allocatedAt?.some((site) => site.file === leakSource && site.mapped), JSON.stringify(group.allocatedAt));
  assert.match(report.headline, /^GET \/leak leaks about \d+ KB per request: [\d,]+ AuditEntry objects .* held by auditLog/);
  assert.deepEqual(report.gate, { limitPerRequest: 1024, breached: true });
  assert.equal(report.loads.length, 2);
  assert.ok(report.loads[0].requests > 100);
  for (const file of [...report.files.snapshots, report.files.heapProfile!, report.files.speedscope!]) assert.ok(existsSync(file), file);
  const speedscope = JSON.parse(readFileSync(report.files.speedscope!, 'utf8')) as { profiles: Array<{ unit: string }> };
  assert.equal(speedscope.profiles[0].unit, 'bytes');
  assert.ok(!readdirSync(out).some((f) => f.endsWith('.partial')));

  const port2 = await freePort();
  const lenient = await runCli(['heap', 'leak', '--url', `http://127.0.0.1:${port2}/leak`, '--duration', '1s', '--rate', '100', '--out', folder('leak-lenient'), '--fail-on-growth', '10MB', '--quiet', '--', 'node', 'demo/dist/server.js'], { env: demoEnv(port2), timeoutMs: 240_000 });
  assert.equal(lenient.code, 0, lenient.stderr);
  assert.match(lenient.stdout, /^GET \/leak leaks about/);
  assert.match(lenient.stdout, /--fail-on-growth 10 MB per request: holds/);
});

/**
 * A snapshot of `n` Link objects written straight to `file` (no process to capture, so it is
 * quick): the root holds each by an element edge, and each holds the next by `next` (a DFS as
 * deep as the graph). Large enough that its analysis takes a while.
 */
function writeChainSnapshot(file: string, n: number): void {
  const fd = openSync(file, 'w');
  let rows: string[] = [];
  let firstRow = true;
  const row = (text: string) => {
    rows.push(text);
    if (rows.length >= 65_536) flush();
  };
  const flush = () => {
    if (rows.length === 0) return;
    writeSync(fd, (firstRow ? '' : ',') + rows.join(','));
    firstRow = false;
    rows = [];
  };
  const section = (text: string) => {
    flush();
    writeSync(fd, text);
    firstRow = true;
  };
  try {
    const meta = {
      node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'detachedness'],
      node_types: [[...V8_NODE_TYPES], 'string', 'number', 'number', 'number', 'number'],
      edge_fields: ['type', 'name_or_index', 'to_node'],
      edge_types: [[...V8_EDGE_TYPES], 'string_or_number', 'node'],
    };
    section(`{"snapshot":${JSON.stringify({ meta, node_count: n + 1, edge_count: 2 * n - 1 })},\n"nodes":[`);
    const [synthetic, object] = [V8_NODE_TYPES.indexOf('synthetic'), V8_NODE_TYPES.indexOf('object')];
    const [element, property] = [V8_EDGE_TYPES.indexOf('element'), V8_EDGE_TYPES.indexOf('property')];
    // The root (6 fields a row), then the Links (name 1 = "Link", 32 bytes).
    row(`${synthetic},0,1,0,${n},0`);
    for (let i = 1; i <= n; i++) row(`${object},1,${2 * i + 1},32,${i < n ? 1 : 0},0`);
    section('],\n"edges":[');
    // The root's element edges [i] → Link i, then each Link's `next` (name 2) → Link i + 1.
    for (let i = 1; i <= n; i++) row(`${element},${i},${i * 6}`);
    for (let i = 1; i < n; i++) row(`${property},2,${(i + 1) * 6}`);
    section('],\n"strings":["","Link","next"]}');
  } finally {
    closeSync(fd);
  }
}

test('over the RPC, a snapshot is read and analysed off the server\'s thread: it answers while the analysis runs, and cancelHeap ends one at once', async () => {
  const client = await ServeClient.start();
  after(() => client.stop());
  const file = join(folder('rpc-worker'), 'chain.heapsnapshot');
  writeChainSnapshot(file, 2_000_000);
  let from = client.events.length;
  let summaryDone = false;
  const pending = client.request('summarizeHeapSnapshot', { file }).then((answer) => {
    summaryDone = true;
    return answer;
  });
  await client.waitForEvent('heapProgress', (p) => p.message.startsWith('analysing'), from);
  await client.ok('getTarget', {});
  assert.equal(summaryDone, false, 'getTarget was answered while the analysis ran');
  const answer = await pending;
  const summary = (answer.result as { summary: HeapSummary }).summary;
  assert.deepEqual(summary.constructors.find((c) => c.name === 'Link'), { name: 'Link', count: 2_000_000, selfSize: 64_000_000, retainedSize: 64_000_000 });
  assert.equal(summary.snapshot.nodeCount, 2_000_001);

  from = client.events.length;
  const cancelled = client.request('summarizeHeapSnapshot', { file });
  await client.waitForEvent('heapProgress', (p) => p.message.startsWith('analysing'), from);
  await client.ok('cancelHeap', {});
  assert.equal((await cancelled).error?.code, 'CANCELLED');
  // The server is free for the next job at once.
  assert.equal((await client.ok('summarizeHeapSnapshot', { file, top: 1 })).summary.largest.length, 1);
});

test('over the RPC: takeHeapSnapshot with heapProgress events; cancelHeap during one: CANCELLED, no files; findLeak on the demo', async () => {
  const client = await ServeClient.start();
  after(() => client.stop());
  const small = await startHeapService();
  await client.ok('attachTarget', { spec: small.wsUrl });
  const out = folder('rpc');
  const taken = await client.ok('takeHeapSnapshot', { outDir: out, name: 'rpc' });
  assert.equal(taken.file, join(out, 'rpc.heapsnapshot'));
  assert.equal(taken.bytes, statSync(taken.file).size);
  assert.ok(taken.heapUsedBefore! > 0);
  const progress = client.events.filter((e) => e.event === 'heapProgress').map((e) => e.data as { operation: string; message: string });
  assert.ok(progress.some((p) => /may need about twice its heap/.test(p.message)), JSON.stringify(progress));
  assert.ok(progress.some((p) => /walking the heap/.test(p.message)));
  assert.ok(progress.every((p) => p.operation === 'snapshot'));

  const big = await startHeapService({ HEAP_BIG_MB: '150' });
  await client.ok('attachTarget', { spec: big.wsUrl });
  const cancelOut = folder('rpc-cancel');
  const from = client.events.length;
  const pending = client.request('takeHeapSnapshot', { outDir: cancelOut, name: 'cancelled' });
  await client.waitForEvent('heapProgress', (p) => /walking the heap|writing/.test(p.message), from);
  const busy = await client.failure('takeHeapSnapshot', { outDir: cancelOut, name: 'second' });
  assert.equal(busy.code, 'BUSY');
  await client.ok('cancelHeap', {});
  const cancelled = await pending;
  assert.equal(cancelled.error?.code, 'CANCELLED', JSON.stringify(cancelled));
  assert.deepEqual(readdirSync(cancelOut), []);
  await client.ok('releaseTarget', {});

  const port = await freePort();
  const env: Record<string, string> = { PORT: String(port) };
  if (process.env.PERFLENS_TEST_DATABASE_URL) env.DATABASE_URL = process.env.PERFLENS_TEST_DATABASE_URL;
  await client.ok('launchTarget', { command: ['node', 'demo/dist/server.js'], cwd: repoRoot, env });
  const leakFrom = client.events.length;
  const { report } = await client.ok('findLeak', {
    load: { url: `http://127.0.0.1:${port}/leak`, method: 'GET', headers: {}, connections: 2, rate: 150, durationMs: 2000, timeoutMs: 10_000 },
    outDir: folder('rpc-leak'),
    name: 'leak',
    waitTimeoutMs: 60_000,
  });
  assert.ok(report.suspects.some((g) => g.name === 'AuditEntry' && /auditLog/.test(g.pathText)), report.headline);
  const steps = client.events.slice(leakFrom).filter((e) => e.event === 'heapProgress').map((e) => (e.data as { message: string }).message);
  for (const step of [/^taking snapshot 1 of 3/, /^load 1 of 2: [\d,]+ requests/, /^taking snapshot 3 of 3/, /^reading snapshot 3 of 3/]) assert.ok(steps.some((m) => step.test(m)), `${step} in ${JSON.stringify(steps.slice(0, 40))}`);
  await client.ok('releaseTarget', {});
});
