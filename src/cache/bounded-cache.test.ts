import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../time/clock.ts';
import { BoundedCache } from './bounded-cache.ts';

function counting<V>(value: V) {
  const calls = { n: 0 };
  return { calls, load: async () => (calls.n++, value) };
}

test('a value is served from the cache until its TTL passes on the clock', async () => {
  const clock = new ManualClock();
  const cache = new BoundedCache<string, string>({ max: 10, ttlMs: 5000, clock });
  const { calls, load } = counting('v');
  assert.equal(await cache.get('k', load), 'v');
  clock.advance(5000);
  assert.equal(await cache.get('k', load), 'v');
  assert.equal(calls.n, 1, 'still fresh at ttlMs');
  clock.advance(1);
  assert.equal(await cache.get('k', load), 'v');
  assert.equal(calls.n, 2, 'reloaded once older than ttlMs');
});

test('a miss (undefined) is cached like a value', async () => {
  const cache = new BoundedCache<string, string | undefined>({ max: 10, ttlMs: 5000, clock: new ManualClock() });
  const { calls, load } = counting<string | undefined>(undefined);
  assert.equal(await cache.get('k', load), undefined);
  assert.equal(await cache.get('k', load), undefined);
  assert.equal(calls.n, 1);
  assert.equal(cache.size, 1);
});

test('the size never passes max; the least recently used entry goes first', async () => {
  const cache = new BoundedCache<number, number>({ max: 100, ttlMs: 60_000, clock: new ManualClock() });
  for (let i = 0; i < 10_000; i++) await cache.get(i, async () => i);
  assert.equal(cache.size, 100);
  const { calls, load } = counting(-1);
  assert.equal(await cache.get(9_999, load), 9_999, 'the newest entry is kept');
  assert.equal(await cache.get(0, load), -1, 'the oldest entry was evicted');
  assert.equal(calls.n, 1);
});

test('concurrent gets of one key share one load (single flight), and a burst of keys stays bounded', async () => {
  const cache = new BoundedCache<string, number>({ max: 50, ttlMs: 60_000, clock: new ManualClock() });
  let loads = 0;
  const slow = async () => {
    loads++;
    await new Promise((r) => setImmediate(r));
    return 7;
  };
  const results = await Promise.all(Array.from({ length: 20 }, () => cache.get('k', slow)));
  assert.deepEqual(new Set(results), new Set([7]));
  assert.equal(loads, 1);
  const burst = await Promise.all(Array.from({ length: 500 }, (_, i) => cache.get(`b${i}`, async () => i)));
  assert.equal(burst[499], 499, 'an evicted load still answers its caller');
  assert.ok(cache.size <= 50);
});

test('delete during a load: the waiting caller gets the result, but it is not kept', async () => {
  const cache = new BoundedCache<string, string>({ max: 10, ttlMs: 60_000, clock: new ManualClock() });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const first = cache.get('k', async () => (await gate, 'old'));
  cache.delete('k');
  const second = cache.get('k', async () => 'new');
  release();
  assert.equal(await first, 'old');
  assert.equal(await second, 'new');
  assert.equal(await cache.get('k', async () => 'unused'), 'new', 'the overtaken load did not overwrite the fresh value');
});

test('clear() forgets every entry; a failed load is not cached', async () => {
  const cache = new BoundedCache<string, string>({ max: 10, ttlMs: 60_000, clock: new ManualClock() });
  await cache.get('a', async () => 'a');
  cache.clear();
  assert.equal(cache.size, 0);
  await assert.rejects(cache.get('b', async () => Promise.reject(new Error('db down'))), /db down/);
  assert.equal(await cache.get('b', async () => 'b'), 'b');
});

test('ttlMs 0 turns caching off', async () => {
  const cache = new BoundedCache<string, string>({ max: 10, ttlMs: 0, clock: new ManualClock() });
  const { calls, load } = counting('v');
  await cache.get('k', load);
  await cache.get('k', load);
  assert.equal(calls.n, 2);
  assert.equal(cache.size, 0);
});

test('getSync: a synchronous load is kept until its TTL passes, bounded like get, and off with ttlMs 0', () => {
  const clock = new ManualClock();
  const cache = new BoundedCache<string, number>({ max: 2, ttlMs: 1000, clock });
  let loads = 0;
  const load = () => ++loads;
  assert.equal(cache.getSync('a', load), 1);
  assert.equal(cache.getSync('a', load), 1, 'served from the cache');
  clock.advance(1001);
  assert.equal(cache.getSync('a', load), 2, 'loaded again after the TTL');
  cache.getSync('b', load);
  cache.getSync('c', load);
  assert.equal(cache.size, 2);
  const off = new BoundedCache<string, number>({ max: 2, ttlMs: 0, clock });
  assert.equal(off.getSync('a', load), 5);
  assert.equal(off.getSync('a', load), 6);
});

test('a cache takes its memory on first use, not when it is made', async () => {
  // lru-cache sizes its arrays for `max` entries when made: 5 caches of 200,000 would hold about 40 MB unused.
  const heap = () => process.memoryUsage().heapUsed;
  const before = heap();
  const caches = Array.from({ length: 5 }, () => new BoundedCache<string, number>({ max: 200_000, ttlMs: 5000, clock: new ManualClock() }));
  const made = heap() - before;
  assert.ok(made < 4 * 1024 * 1024, `made: ${(made / 1024 / 1024).toFixed(1)} MB`);
  // Used, it is bounded and works as before.
  assert.equal(await caches[0]!.get('k', async () => 1), 1);
  assert.equal(caches[0]!.size, 1);
  caches[0]!.delete('k');
  caches[1]!.clear();
  assert.equal(caches[1]!.size, 0);
});
