// `perflens profile` on real open-source services nobody wrote for PerfLens: fastify-cli's
// TypeScript template, a NestJS app and an express-generator app, made by their generators from the
// npm registry (scripts/realServices.mjs). Launched by the CLI with their own start commands.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { freePort, runCli } from '../helpers/cli';
import { realServiceEnv, realServices, type RealService } from '../helpers/realServices';
import type { FunctionCost, ProfileReport } from '../../server/analysis/reportTypes';

const scratch = mkdtempSync(join(tmpdir(), 'perflens-real-services-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let services: RealService[] = [];
before(async () => {
  services = await realServices();
});

/** In the service's own source: under its source dir, not a dependency; for TypeScript, the .ts through its source map. */
function isOwn(service: RealService, fn: FunctionCost): boolean {
  if (!fn.file.startsWith(service.sourceDir + sep) || fn.file.includes(`${sep}node_modules${sep}`)) return false;
  return service.language === 'typescript' ? fn.mapped && fn.file.endsWith('.ts') : true;
}

function describe(fn: FunctionCost, service: RealService): string {
  const where = fn.file ? `${fn.file.startsWith(service.dir) ? relative(service.dir, fn.file) : fn.file}:${fn.line}` : '';
  return `${fn.name} ${where} self ${fn.selfMs.toFixed(1)} ms, ${fn.samples} samples${fn.mapped ? ' (mapped)' : ''}`;
}

// One test per service; names are fixed so a missing service is a failure, not a skipped test.
for (const name of ['fastify-ts', 'nest-ts', 'express-js']) {
  test(`profiling a route of the real ${name} service finds its own code`, { timeout: 300_000 }, async (t) => {
    const service = services.find((s) => s.name === name);
    assert.ok(service, `scripts/realServices.mjs has no service named ${name}`);
    // The generated handlers do almost nothing (a string, a tiny object): at the default 1 ms
    // interval their own code gets no sample at all. 50 µs gives it some; a second, longer run
    // covers the rare unlucky one.
    for (const durationS of [5, 10]) {
      const port = await freePort();
      const out = join(scratch, `${name}-${durationS}s`);
      const json = join(out, 'report.json');
      const url = `http://127.0.0.1:${port}${service.profileRoute}`;
      const run = await runCli(['profile', '--url', url, '--duration', `${durationS}s`, '--connections', '4', '--sampling-interval', '50', '--out', out, '--json', json, '--quiet', '--', ...service.start], { cwd: service.dir, env: realServiceEnv(service, port), timeoutMs: 180_000 });
      assert.equal(run.code, 0, `perflens profile on ${name} exited ${run.code}\n${run.stderr}`);
      const report = JSON.parse(readFileSync(json, 'utf8')) as ProfileReport;
      const load = report.load!;
      assert.ok(load.requests > 0, 'load was sent');
      const codes = Object.keys(load.errors.statusCodes);
      assert.ok(codes.length > 0 && codes.every((code) => /^2\d\d$/.test(code)), `GET ${service.profileRoute} should answer only 2xx; it answered ${JSON.stringify(load.errors.statusCodes)} (errors ${JSON.stringify(load.errors)})`);
      t.diagnostic(`${name} GET ${service.profileRoute}: ${load.requests} requests, ${load.rps.toFixed(0)} req/s, ${report.profile.samples} samples at ${report.profile.samplingIntervalUs.toFixed(0)} µs, idle ${(report.profile.idleShare * 100).toFixed(1)} %`);
      report.functions.slice(0, 5).forEach((fn, i) => t.diagnostic(`  top ${i + 1}: ${describe(fn, service)}`));

      // The report carries the hottest function of the service's own code even when it is far
      // below the top rows (the generated handlers do almost nothing).
      const own: FunctionCost[] = report.functions.filter((fn) => isOwn(service, fn));
      const from = `the report's summary (headline: ${report.summary.headline})`;
      assert.deepEqual(report.summary.hottestOwnFunction && own[0], report.summary.hottestOwnFunction, 'the summary names the same function');
      const hottest = report.summary.hottestOwnFunction;
      if (!hottest || hottest.samples === 0) {
        if (durationS === 5) {
          t.diagnostic(`${name}: no sample in its own code in ${durationS} s; once more for longer`);
          continue;
        }
        assert.fail(`no function of ${name}'s own source (${service.sourceDir}) has a sample; own: ${JSON.stringify(own.slice(0, 3))}`);
      }
      t.diagnostic(`${name}: hottest own function (from ${from}): ${describe(hottest, service)}; ${own.length} own function(s)`);
      assert.ok(hottest.file.startsWith(service.sourceDir + sep) && !hottest.file.includes('node_modules'));
      assert.ok(hottest.line > 0 && hottest.selfMs > 0);
      if (service.language === 'typescript') {
        assert.equal(hottest.mapped, true, `${hottest.file} should come from the source map`);
        assert.match(hottest.file, /\.ts$/);
      }
      return;
    }
  });
}
