import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEditorProcess, orderProcesses } from '../../server/session/processOrder';

const proc = (pid: number, commandLine: string, cwd: string, ports: number[] = []) => ({ pid, commandLine, cwd, ports });

test('the workspace\'s services first (listening ones first), then other processes, the editor\'s last and marked', () => {
  const ordered = orderProcesses(
    [
      proc(10, '/usr/lib/code-server/lib/node /usr/lib/code-server/out/node/entry.js --bind-addr 127.0.0.1:8080', '/root', [8080]),
      proc(11, 'node /root/.vscode-test/code-server/lib/vscode/out/bootstrap-fork --type=extensionHost', '/work/app'),
      proc(12, 'node /work/app/node_modules/typescript/lib/tsserver.js --useInferredProjectPerProjectRoot', '/work/app'),
      proc(20, 'node /elsewhere/worker.js', '/elsewhere'),
      proc(21, 'node /other/server.js', '/other', [4000]),
      proc(30, 'node dist/jobs.js', '/work/app/jobs'),
      proc(31, 'node dist/server.js', '/work/app', [3000]),
      proc(40, 'node /work/app/tools/watch.js', '/work/app', []),
    ],
    ['/work/app'],
    new Set([40]),
  );
  assert.deepEqual(ordered.map((p) => p.pid), [31, 30, 21, 20, 10, 11, 12, 40]);
  assert.deepEqual(ordered.map((p) => [p.pid, p.inWorkspace, p.editor]), [[31, true, false], [30, true, false], [21, false, false], [20, false, false], [10, false, true], [11, true, true], [12, true, true], [40, true, true]]);
});

test('editor processes are told by their command line', () => {
  assert.equal(isEditorProcess('node /x/perflens/dist/server.js serve'), true);
  assert.equal(isEditorProcess('/usr/bin/node /srv/app/dist/server.js'), false);
  assert.equal(isEditorProcess('node /home/u/.vscode-server/bin/abc/out/server-main.js'), true);
});
