// The whole test suite: installs what it lacks, builds, then runs every test (type-check and lint
// included, as tests) under node's test runner, whose summary is the last thing printed.
// Usage: npm test [-- <test files>]
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './ensureDependencies.mjs';
import { ensureRealServices } from './realServices.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureDependencies(root);

await run(process.execPath, [join(root, 'scripts/build.mjs')]);
ensureRealServices(root); // fastify-cli, NestJS and express-generator apps in .cache/real-services/ (once)

const { startEmbeddedPostgres } = await import(join(root, 'demo/dist/embeddedPostgres.js'));
console.log('perflens: starting an embedded PostgreSQL for the suite…');
const database = await startEmbeddedPostgres();

const requested = process.argv.slice(2);
const files = requested.length ? requested : ['test/unit', 'test/integration', 'test/e2e', 'test/static'].flatMap((dir) => testFiles(join(root, dir)));
try {
  process.exitCode = await run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
    env: { ...process.env, PERFLENS_TEST_DATABASE_URL: database.url },
    allowFailure: true,
  });
} finally {
  await database.stop();
}

function testFiles(dir) {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}

function run(command, args, { env = process.env, allowFailure = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const result = code ?? (signal ? 1 : 0);
      if (result !== 0 && !allowFailure) reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit code ${code}`})`));
      else resolve(result);
    });
  });
}
