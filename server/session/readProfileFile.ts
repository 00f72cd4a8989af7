import { readFile, stat } from 'node:fs/promises';
import type { Protocol } from 'devtools-protocol';
import { parseCpuProfile, ProfileFormatError } from '../analysis/parseCpuProfile';
import { SessionError } from './sessionError';

/** The longest string V8 can hold; a profile file larger than this cannot be parsed as one string. */
const MAX_STRING_BYTES = 512 * 1024 * 1024;

/**
 * Reads and checks a .cpuprofile made anywhere. Fails with BAD_REQUEST when there is no such file,
 * INVALID_PROFILE (with the parser's words) when it is not a usable CPU profile. `shown` is how the
 * file is named in messages.
 */
export async function readProfileFile(file: string, shown = file): Promise<Protocol.Profiler.Profile> {
  const info = await stat(file).catch(() => {
    throw new SessionError('BAD_REQUEST', `${shown} does not exist`);
  });
  if (!info.isFile()) throw new SessionError('BAD_REQUEST', `${shown} is not a file`);
  if (info.size > MAX_STRING_BYTES) throw new SessionError('INVALID_PROFILE', `${shown} is ${(info.size / 2 ** 20).toFixed(0)} MB, more than the ${MAX_STRING_BYTES / 2 ** 20} MB a single profile can be read as; profile a shorter run or a coarser sampling interval`);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new SessionError('BAD_REQUEST', `${shown} could not be read (${err.code ?? err.message})`);
  });
  try {
    return parseCpuProfile(text);
  } catch (err) {
    if (err instanceof ProfileFormatError) throw new SessionError('INVALID_PROFILE', `${shown} is not a usable CPU profile: ${err.message}`);
    throw err;
  }
}
