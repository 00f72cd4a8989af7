// A tiny node:http server answering 'ok' on 127.0.0.1 (a port the kernel picks), run as a child
// process in its own group (registered for cleanup), so that its CPU is not the bench's.
import { once } from 'node:events';
import { startGroup, type Group } from './processes';

const SCRIPT = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
  res.end('ok');
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log('LISTENING ' + server.address().port));
`;

export interface TinyServer {
  group: Group;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

export async function startTinyServer(timeoutMs = 15_000): Promise<TinyServer> {
  const group = startGroup(process.execPath, ['-e', SCRIPT]);
  let buffered = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the tiny server did not start within ${timeoutMs / 1000} s:\n${group.tail.join('\n')}`)), timeoutMs);
    group.child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const m = /LISTENING (\d+)/.exec(buffered);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void once(group.child, 'exit').then(() => {
      clearTimeout(timer);
      reject(new Error(`the tiny server exited before listening:\n${group.tail.join('\n')}`));
    });
  });
  return { group, pid: group.pid, url: `http://127.0.0.1:${port}/`, stop: () => group.stop() };
}
