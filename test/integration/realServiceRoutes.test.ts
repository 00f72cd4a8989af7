// The routes of the real services (scripts/realServices.mjs): what each really answers, and what
// `perflens routes <dir> --json` finds in their sources. The route table forms the manifest holds:
// fastify `/example/` (autoload's prefix + '/'; it also answers `/example`), NestJS `/users` and
// `/users/:id` (as its RouterExplorer logs them), Express `/users` (app.use('/users') + the router's
// '/'; it also answers `/users/`). A route may be listed in any spelling the service answers.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli';
import { concretePath, realServices, startRealService, type RealService } from '../helpers/realServices';

let services: RealService[] = [];
before(async () => {
  services = await realServices();
});

const names = ['fastify-ts', 'nest-ts', 'express-js'];

function serviceNamed(name: string): RealService {
  const service = services.find((s) => s.name === name);
  assert.ok(service, `scripts/realServices.mjs has no service named ${name}`);
  return service;
}

async function request(baseUrl: string, method: string, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${baseUrl}${path}`, { method, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text() };
}

for (const name of names) {
  test(`the real ${name} service answers the routes its manifest lists, and 404 elsewhere`, { timeout: 120_000 }, async () => {
    const service = serviceNamed(name);
    const running = await startRealService(service);
    try {
      for (const route of service.routes) {
        for (const path of [route.request, ...(route.alsoAnswers ?? [])]) {
          const answer = await request(running.baseUrl, route.method, path);
          assert.equal(answer.status, route.status, `${route.method} ${path} on ${name}: ${answer.body.slice(0, 200)}`);
          assert.ok(answer.body.includes(route.body), `${route.method} ${path} on ${name} should contain ${JSON.stringify(route.body)}: ${answer.body.slice(0, 200)}`);
        }
      }
      for (const path of service.notFound) assert.equal((await request(running.baseUrl, 'GET', path)).status, 404, `GET ${path} on ${name}`);
    } finally {
      await running.stop();
    }
  });
}

/** What `perflens routes <dir> --json` prints (written in parallel; this is the agreed shape). */
interface RoutesOutput {
  version: 1;
  folder: string;
  routes: Array<{ method: string; path: string; file: string; line: number; column: number; framework: string; handlerName?: string }>;
}

async function routesOf(service: RealService): Promise<RoutesOutput> {
  const run = await runCli(['routes', service.dir, '--json'], { timeoutMs: 60_000 });
  const said = `${run.stderr}${run.stdout}`.trim().split('\n').slice(0, 6).join('\n');
  if (run.code !== 0) assert.fail(`\`perflens routes ${service.dir} --json\` exited ${run.code ?? run.signal} (does the routes command exist yet?):\n${said}`);
  let output: RoutesOutput;
  try {
    output = JSON.parse(run.stdout) as RoutesOutput;
  } catch (error) {
    assert.fail(`\`perflens routes ${service.dir} --json\` did not print JSON (${(error as Error).message}):\n${said}`);
  }
  assert.equal(output.version, 1, 'routes JSON version');
  assert.equal(output.folder, service.dir, 'routes JSON folder');
  assert.ok(Array.isArray(output.routes), 'routes JSON has a routes array');
  return output;
}

for (const name of names) {
  test(`perflens routes finds every route of the real ${name} service, each one the service answers`, { timeout: 120_000 }, async (t) => {
    const service = serviceNamed(name);
    const found = await routesOf(service);
    for (const route of found.routes) t.diagnostic(`${route.method} ${route.path}  ${route.file}:${route.line}  ${route.framework}${route.handlerName ? ` ${route.handlerName}` : ''}`);

    const missing = service.routes.filter((expected) => {
      const spellings = [expected.path, ...(expected.alsoAnswers ?? [])];
      return !found.routes.some((r) => r.method.toUpperCase() === expected.method && spellings.includes(r.path));
    });
    assert.deepEqual(missing.map((r) => `${r.method} ${r.path} (${r.file})`), [], `routes the service answers but perflens routes did not list; it listed:\n${found.routes.map((r) => `  ${r.method} ${r.path} ${r.file}:${r.line}`).join('\n') || '  (none)'}`);

    // Every listed route must be real: requested on the running service, it is not a 404.
    const running = await startRealService(service);
    try {
      const notFound: string[] = [];
      for (const route of found.routes) {
        const path = concretePath(route.path);
        const method = route.method.toUpperCase() === 'ALL' ? 'GET' : route.method.toUpperCase();
        const answer = await request(running.baseUrl, method, path);
        if (answer.status === 404) notFound.push(`${route.method} ${route.path} (requested ${method} ${path}; ${route.file}:${route.line})`);
      }
      assert.deepEqual(notFound, [], `listed by perflens routes but answered 404 by the running ${name}`);
    } finally {
      await running.stop();
    }
  });
}
