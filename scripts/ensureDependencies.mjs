// Installs the project's npm dependencies when they are missing or package-lock.json changed since
// the last install. Uses only Node's built-ins: it runs before anything else is installed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function ensureDependencies(root) {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  // The lock's hash at the last install: a checkout that only touched its mtime (git switch, a
  // worktree) does not reinstall.
  const installed = join(root, 'node_modules', '.perflens-lock-sha256');
  const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(marker) && (statSync(marker).mtimeMs >= statSync(lock).mtimeMs || (existsSync(installed) && readFileSync(installed, 'utf8') === hash))) return;
  console.log('perflens: installing npm dependencies (npm ci)…');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  writeFileSync(installed, hash);
}
