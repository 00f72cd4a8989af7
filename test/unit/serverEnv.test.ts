import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forgetServerEnv, serverEnv } from '../../server/rpc/serverEnv';

test('the server starts with Node mode and a fixed malloc mmap threshold, which it takes out again for the services it launches', () => {
  const env = serverEnv({ PATH: '/bin', HOME: '/root' });
  assert.equal(env.ELECTRON_RUN_AS_NODE, '1');
  assert.equal(env.MALLOC_MMAP_THRESHOLD_, '1048576');
  forgetServerEnv(env);
  assert.deepEqual(env, { PATH: '/bin', HOME: '/root', ELECTRON_RUN_AS_NODE: '1' });
});

test("a threshold the user set is theirs: kept for the server and for their services", () => {
  const env = serverEnv({ MALLOC_MMAP_THRESHOLD_: '65536' });
  assert.equal(env.MALLOC_MMAP_THRESHOLD_, '65536');
  forgetServerEnv(env);
  assert.equal(env.MALLOC_MMAP_THRESHOLD_, '65536');
});

test('a server started by hand (no serverEnv) keeps its whole environment', () => {
  const env = { MALLOC_MMAP_THRESHOLD_: '1048576', PATH: '/bin' };
  forgetServerEnv(env);
  assert.deepEqual(env, { MALLOC_MMAP_THRESHOLD_: '1048576', PATH: '/bin' });
});
