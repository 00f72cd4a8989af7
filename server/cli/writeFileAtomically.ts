import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Writes `file` through a temporary file and a rename, so a reader never sees half of it. */
export async function writeFileAtomically(file: string, content: string): Promise<string> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
  return path;
}
