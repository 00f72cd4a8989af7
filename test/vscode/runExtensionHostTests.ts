// Runs a mocha suite inside the real extension host of code-server, the way VS Code's own
// browser integration tests do: code-server with the smoke-test driver, the workbench opened in
// chromium with a `payload` naming the extension under development and the tests' index, and
// two functions exposed on the page that the workbench calls with the extension host's console
// (`codeAutomationLog`) and the run's exit code (`codeAutomationExit`).
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { format } from 'node:util';
import { launchBrowser, screenshotOnFailure, type BrowserSession } from './browser';
import { startCodeServer, type CodeServer } from '../../scripts/vscode/codeServer';
import { RESULT_PREFIX, type TestResult } from './suite/results';

export type { TestResult } from './suite/results';

export interface ExtensionHostTestOptions {
  /** Folder of the extension under test (its package.json is the manifest). */
  extensionDevelopmentPath: string;
  /** The compiled suite index (a module exporting `run(): Promise<void>`). */
  extensionTestsPath: string;
  /** Workspace folder to open. */
  folder: string;
  /** Whole run, start to exit; default 180 s. */
  timeoutMs?: number;
  /** Environment for code-server and the extension host (e.g. PERFLENS_VSCODE_TEST_GREP). */
  env?: Record<string, string>;
  /** Echo the extension host's console to stderr as it comes (default: env PERFLENS_E2E_VERBOSE). */
  verbose?: boolean;
}

export interface ExtensionHostTestRun {
  /** The code the workbench reported (0: all passed), or undefined on a timeout. */
  exitCode: number | undefined;
  passed: number;
  failed: number;
  tests: TestResult[];
  /** The extension host's console, browser errors and, on failure, code-server's output. */
  log: string;
  durationMs: number;
}

export async function runExtensionHostTests(options: ExtensionHostTestOptions): Promise<ExtensionHostTestRun> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 180_000;
  const verbose = options.verbose ?? Boolean(process.env.PERFLENS_E2E_VERBOSE);
  const tests: TestResult[] = [];
  const log: string[] = [];
  const record = (line: string) => {
    log.push(line);
    if (verbose) process.stderr.write(`[ext-host] ${line}\n`);
    for (const part of line.split('\n')) {
      const at = part.indexOf(RESULT_PREFIX);
      if (at < 0) continue;
      try {
        tests.push(JSON.parse(part.slice(at + RESULT_PREFIX.length)) as TestResult);
      } catch {
        log.push(`(unreadable result line: ${part})`);
      }
    }
  };

  let server: CodeServer | undefined;
  let browser: BrowserSession | undefined;
  let exitCode: number | undefined;
  try {
    server = await startCodeServer({ folder: options.folder, smokeTestDriver: true, env: options.env });
    browser = await launchBrowser();
    const { page } = browser;
    let exit!: (code: number) => void;
    const exited = new Promise<number>((done) => { exit = done; });
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      record(`${type === 'log' ? '' : `[${type}] `}${format(...(Array.isArray(args) ? args : [args]))}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => exit(code));
    page.on('pageerror', (error) => record(`[page error] ${error.message}`));

    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://remote${resolve(options.extensionDevelopmentPath)}`],
      ['extensionTestsPath', `vscode-remote://remote${resolve(options.extensionTestsPath)}`],
      ['skipWelcome', 'true'],
    ];
    const url = `${server.url}/?folder=${encodeURIComponent(resolve(options.folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const timer = new AbortController();
    const deadline = sleep(Math.max(0, timeoutMs - (Date.now() - started)), undefined, { signal: timer.signal }).catch(() => undefined);
    try {
      await page.goto(url, { timeout: timeoutMs });
      exitCode = await Promise.race([exited, deadline]);
    } finally {
      timer.abort();
    }
    if (exitCode === undefined) {
      record(`[harness] no exit from the extension host within ${timeoutMs} ms`);
      await screenshotOnFailure(page, 'extension-host-timeout');
    }
  } catch (error) {
    record(`[harness] ${(error as Error).stack ?? String(error)}`);
  } finally {
    if (exitCode !== 0 && server) log.push('--- code-server output ---', server.output().slice(-20_000));
    await browser?.close();
    await server?.stop();
  }
  return {
    exitCode,
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: tests.filter((t) => t.state === 'failed').length,
    tests,
    log: log.join('\n'),
    durationMs: Date.now() - started,
  };
}
