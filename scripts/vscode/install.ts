// Typed access to the set-up scripts (plain .mjs, only Node's built-ins) from the TypeScript tests.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const repoRoot = join(__dirname, '..', '..');

export interface VscodeInstall {
  /** code-server's entry script; run it with `node24`. */
  codeServer: string;
  /** The Node 24 binary code-server needs. */
  node24: string;
}

interface SetupModule {
  ensureVscode(root?: string): VscodeInstall;
  ensureChromium(): string;
}

interface BuildModule {
  buildVscodeTests(root?: string): Promise<string>;
}

function importScript<T>(relativePath: string): Promise<T> {
  return import(pathToFileURL(join(repoRoot, relativePath)).href) as Promise<T>;
}

/** Installs Node 24 and code-server under `<root>/.vscode-test/` when missing (instant once done). */
export async function ensureVscode(root: string = repoRoot): Promise<VscodeInstall> {
  return (await importScript<SetupModule>('scripts/setupVscode.mjs')).ensureVscode(root);
}

/** Installs Debian's chromium when missing; returns its path. */
export async function ensureChromium(): Promise<string> {
  return (await importScript<SetupModule>('scripts/setupVscode.mjs')).ensureChromium();
}

/** Bundles test/vscode/suite/ for the extension host; returns the compiled suite index. */
export async function buildVscodeTests(root: string = repoRoot): Promise<string> {
  return (await importScript<BuildModule>('scripts/vscode/buildVscodeTests.mjs')).buildVscodeTests(root);
}
