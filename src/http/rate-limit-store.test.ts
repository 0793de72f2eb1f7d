// The database rate-limit store on every database: concurrent hits are all counted (one upsert-increment each),
// a window ends on time and a new one starts, peeking does not count, and ended windows are purged.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ALL_DATABASES, isAvailable, openTestStorage } from '../../test/support/databases.ts';
import { skipUnless } from '../../test/support/services.ts';
import { ManualClock } from '../time/clock.ts';
import { DatabaseRateLimitStore } from './rate-limit-store.ts';

const WINDOW = 60_000;

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describe(`rate-limit store on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let storage: Awaited<ReturnType<typeof openTestStorage>>;
    let store: DatabaseRateLimitStore;
    const clock = new ManualClock();

    before(async () => {
      storage = await openTestStorage(type);
      store = new DatabaseRateLimitStore(storage, clock);
    });
    after(async () => storage?.close());

    test('30 concurrent hits on one key count 1 to 30, each exactly once', async () => {
      const counts = await Promise.all(Array.from({ length: 30 }, () => store.hit('ip:10.0.0.1', WINDOW)));
      assert.deepEqual(counts.map((c) => c.current).sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i + 1));
      assert.ok(counts.every((c) => c.ttl > 0 && c.ttl <= WINDOW));
    });

    test('the window ends on time; the next hit opens a new one; peek does not count', async () => {
      const first = await store.hit('acct:a', WINDOW);
      assert.deepEqual(first, { current: 1, ttl: WINDOW });
      clock.advance(20_000);
      assert.deepEqual(await store.hit('acct:a', WINDOW), { current: 2, ttl: 40_000 });
      assert.deepEqual(await store.peek('acct:a'), { current: 2, ttl: 40_000 });
      assert.deepEqual(await store.peek('acct:a'), { current: 2, ttl: 40_000 });
      clock.advance(40_000);
      assert.deepEqual(await store.peek('acct:a'), { current: 0, ttl: 0 }, 'an ended window counts nothing');
      assert.deepEqual(await store.hit('acct:a', WINDOW), { current: 1, ttl: WINDOW });
      assert.deepEqual(await store.peek('acct:never'), { current: 0, ttl: 0 });
    });

    test('purgeExpired removes ended windows and keeps open ones', async () => {
      await store.hit('acct:old', WINDOW);
      clock.advance(WINDOW);
      await store.hit('acct:live', WINDOW);
      const removed = await store.purgeExpired(clock.now(), 100);
      assert.ok(removed >= 1);
      const keys = (await storage.db.selectFrom('rate_limits').select('limit_key').execute()).map((r) => r.limit_key);
      assert.ok(keys.includes('acct:live'));
      assert.ok(!keys.includes('acct:old'));
    });

    test('hitPair counts both keys (one statement off MySQL); 20 concurrent pairs are all counted', async () => {
      const before = storage.statementCount();
      const one = await store.hitPair('ip:pair', 100, 'acct:pair', WINDOW);
      assert.deepEqual(one, { first: { current: 1, ttl: WINDOW }, second: { current: 1, ttl: WINDOW } });
      if (type !== 'mysql') assert.equal(storage.statementCount() - before, 1);
      const pairs = await Promise.all(Array.from({ length: 20 }, () => store.hitPair('ip:pair', 100, 'acct:pair', WINDOW)));
      assert.deepEqual(pairs.map((p) => p.first.current).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 2));
      assert.deepEqual(pairs.map((p) => p.second!.current).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 2));
    });

    test('hitPair over the first limit leaves the second key as it was, a window it opened included', async () => {
      await store.hit('ip:over', WINDOW);
      await store.hit('ip:over', WINDOW);
      await store.hit('acct:counted', WINDOW);
      clock.advance(1_000);
      // ip:over is at 2 with a limit of 2: this third hit is refused and acct:counted keeps its 1.
      assert.deepEqual(await store.hitPair('ip:over', 2, 'acct:counted', WINDOW), { first: { current: 3, ttl: WINDOW - 1_000 } });
      assert.deepEqual(await store.peek('acct:counted'), { current: 1, ttl: WINDOW - 1_000 });
      // A key with no open window: the refused hit opens none.
      assert.deepEqual((await store.hitPair('ip:over', 2, 'acct:fresh', WINDOW)).second, undefined);
      assert.deepEqual(await store.peek('acct:fresh'), { current: 0, ttl: 0 });
      assert.deepEqual(await store.hit('acct:fresh', WINDOW), { current: 1, ttl: WINDOW });
      // Under the limit both count.
      assert.equal((await store.hitPair('ip:under', 2, 'acct:counted', WINDOW)).second?.current, 2);
    });

    test('the callback contract of @fastify/rate-limit', async () => {
      const incr = await new Promise((resolve, reject) => store.incr('ip:cb', (err, r) => (err ? reject(err) : resolve(r)), WINDOW));
      assert.deepEqual(incr, { current: 1, ttl: WINDOW });
      const read = await new Promise((resolve, reject) => store.read('ip:cb', (err, r) => (err ? reject(err) : resolve(r))));
      assert.deepEqual(read, { current: 1, ttl: WINDOW });
      assert.equal(store.child(), store);
    });
  });
}
