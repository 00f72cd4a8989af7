// The extension-host test entry (`extensionTestsPath`): VS Code loads this module inside the
// extension host and calls run(). It runs every `*.vscode.test.js` beside it (bundled from the
// .ts files by scripts/vscode/buildVscodeTests.mjs) with mocha's tdd interface. Besides mocha's
// spec output, each result is printed as one line `PERFLENS_TEST {json}` through console.log,
// which the harness (test/vscode/runExtensionHostTests.ts) reads from the extension host's
// console. Runner-agnostic: the same module works under @vscode/test-electron on a desktop.
import Mocha from 'mocha';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RESULT_PREFIX, type TestResult } from './results';

class PerfLensReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
    const emit = (result: TestResult) => console.log(`${RESULT_PREFIX}${JSON.stringify(result)}`);
    runner.on(EVENT_TEST_PASS, (test) => emit({ title: test.title, fullTitle: test.fullTitle(), state: 'passed', durationMs: test.duration }));
    runner.on(EVENT_TEST_PENDING, (test) => emit({ title: test.title, fullTitle: test.fullTitle(), state: 'pending' }));
    runner.on(EVENT_TEST_FAIL, (test, error: Error) => emit({
      title: test.title,
      fullTitle: test.fullTitle(),
      state: 'failed',
      durationMs: test.duration,
      error: error?.stack ?? String(error),
    }));
    runner.once(EVENT_RUN_END, () => console.log(`PERFLENS_DONE ${JSON.stringify({ passed: runner.stats?.passes ?? 0, failed: runner.stats?.failures ?? 0 })}`));
  }
}

function testFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...testFiles(path));
    else if (entry.endsWith('.vscode.test.js')) files.push(path);
  }
  return files;
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    reporter: PerfLensReporter,
    timeout: Number(process.env.PERFLENS_VSCODE_TEST_TIMEOUT) || 30_000,
    grep: process.env.PERFLENS_VSCODE_TEST_GREP || undefined,
  });
  for (const file of testFiles(__dirname)) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
