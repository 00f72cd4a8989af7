// What the target picker is handed (listNodeProcesses through `perflens serve`): real Node processes
// on this machine, the workspace's services first with their ports and folder, the editor's own
// processes (here: the test runner that started the server, as the extension host would) marked.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/cli';
import { ServeClient } from '../helpers/serveClient';

const workspace = realpathSync(mkdtempSync(join(tmpdir(), 'perflens-picker-ws-')));
const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'perflens-picker-other-')));
const children: ChildProcess[] = [];
let client: ServeClient | undefined;
after(async () => {
  await client?.stop();
  for (const child of children) child.kill('SIGKILL');
  rmSync(workspace, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

/** A Node process in `cwd`, listening on `port` when given; resolves once it is up. */
function start(cwd: string, port?: number): Promise<ChildProcess> {
  const script = join(cwd, 'service.js');
  writeFileSync(script, port ? `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1', () => console.log('up'));` : `console.log('up'); setInterval(() => {}, 1000);`);
  const child = spawn(process.execPath, [script], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
  });
}

test('listNodeProcesses: the workspace\'s listening service first, with its port and folder; the editor\'s processes marked', async () => {
  const port = await freePort();
  const service = await start(workspace, port);
  const job = await start(workspace);
  const other = await start(elsewhere);
  client = await ServeClient.start();
  const { processes } = await client.ok('listNodeProcesses', { workspaceFolders: [workspace] });
  const ours = processes.filter((p) => [service.pid, job.pid, other.pid].includes(p.pid));
  assert.deepEqual(ours.map((p) => p.pid), [service.pid, job.pid, other.pid], 'listening workspace service, other workspace process, then the rest');
  assert.deepEqual(ours.map((p) => [p.inWorkspace, p.editor, p.cwd]), [[true, false, workspace], [true, false, workspace], [false, false, elsewhere]]);
  assert.deepEqual(ours[0].ports, [port]);
  assert.deepEqual(ours[1].ports, []);
  assert.ok(processes.findIndex((p) => p.pid === service.pid) < processes.findIndex((p) => p.pid === other.pid));
  // This test started the server, as the extension host does in the editor: neither is offered, and
  // the processes above them (here node's test runner, in the editor code-server) are the editor's.
  assert.equal(processes.some((p) => p.pid === client!.child.pid || p.pid === process.pid), false, 'the server and its parent are not offered');
  assert.equal(processes.find((p) => p.pid === process.ppid)?.editor, true, 'the runner above is marked as the editor\'s');
  const editorAt = processes.findIndex((p) => p.editor);
  assert.ok(processes.slice(editorAt).every((p) => p.editor), 'the editor\'s processes come last');
});
