// The environment the extension starts `perflens serve` in, and what the server takes out of its
// own environment again at start, so that the services it launches do not inherit it. Pure.
//
// A fixed malloc mmap threshold: glibc raises the threshold to the size of each large block freed
// (up to 32 MiB), so after a heap analysis frees its arrays, later arrays of that size come from
// its heap, and their memory stays with the process when they are freed. Measured with a 362 MB
// snapshot's summary in `perflens serve`: 120–170 MB stayed after each job; with the threshold
// fixed at 1 MiB the server's RSS went back to where it started (131 MB), and its peak was lower.
// glibc reads it once, at start.

const MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '1048576' };
/** Names the variables serverEnv added, for forgetServerEnv. */
const ADDED = 'PERFLENS_SERVER_ADDED_ENV';

/** `base` plus what the server process needs: Node mode under Electron, and the malloc setting (unless the user set their own, which stays theirs). */
export function serverEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const added = Object.keys(MALLOC_ENV).filter((name) => base[name] === undefined);
  const env: NodeJS.ProcessEnv = { ...base, ELECTRON_RUN_AS_NODE: '1' };
  for (const name of added) env[name] = MALLOC_ENV[name];
  if (added.length) env[ADDED] = added.join(',');
  return env;
}

/** Takes out of `env` (the server's own process.env) the variables serverEnv added, so that launched services do not inherit them. */
export function forgetServerEnv(env: NodeJS.ProcessEnv): void {
  const added = env[ADDED];
  if (added === undefined) return;
  for (const name of added.split(',')) delete env[name];
  delete env[ADDED];
}
