// The hasher's limit on argon2 calls at once (HashSlots): never more running than its size, every caller served
// in turn, a failure frees its slot; and the hasher itself still tells right from wrong passwords through it.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { HashSlots, hashesAtOnce, PasswordHasher } from './password-hash.ts';

test('HashSlots runs at most its size at once, serves every caller, and a failure frees its slot', async () => {
  const slots = new HashSlots(2);
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const job = (i: number, fail = false) =>
    slots.run(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      order.push(i);
      if (fail) throw new Error(`job ${i} failed`);
      return i;
    });
  const results = await Promise.allSettled([job(0), job(1, true), job(2), job(3, true), job(4), job(5)]);
  assert.equal(most, 2, 'never more than two at once');
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4, 5], 'every job ran, failed ones included');
  assert.equal(await job(6), 6, 'the failed jobs gave their slots back');
  assert.equal(running, 0);
});

test('the hasher verifies through its slots: right and wrong passwords, concurrently beyond the CPU count', async () => {
  const hasher = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
  const stored = await hasher.hash('correct horse');
  const n = availableParallelism() * 2 + 1;
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => hasher.verify(stored, i % 2 === 0 ? 'correct horse' : 'wrong')));
  assert.deepEqual(answers, Array.from({ length: n }, (_, i) => i % 2 === 0));
});

test('hashes at once: the CPUs, but never more than libuv has pool threads (its default is 4)', () => {
  assert.equal(hashesAtOnce(2, '2'), 2);
  assert.equal(hashesAtOnce(16, '2'), 2, 'a container with a CPU quota: start.cjs gave the pool 2 threads');
  assert.equal(hashesAtOnce(16, undefined), 4, "no UV_THREADPOOL_SIZE: libuv's 4 threads");
  assert.equal(hashesAtOnce(2, undefined), 2);
  assert.equal(hashesAtOnce(8, '1'), 1);
  assert.equal(hashesAtOnce(8, 'many'), 4, 'a value libuv would not take either');
  assert.equal(hashesAtOnce(1, '16'), 1);
});
