// Replay of upstream SAML assertions is refused by the database (migration 017), on every backend: the first
// use of an Assertion ID wins, also when two "nodes" (two stores on one database) race for it; the same ID at
// another provider or tenant is another assertion; the sweeper's purge removes only expired IDs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AssertionIdStore } from '../../src/identity-providers/assertion-ids.ts';
import type { Storage } from '../../src/storage/database.ts';
import { ALL_DATABASES, isAvailable, openTestStorage } from '../support/databases.ts';
import { skipUnless } from '../support/services.ts';

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describe(`SAML assertion IDs on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let storage: Storage;
    before(async () => {
      storage = await openTestStorage(type);
    });
    after(async () => storage?.close());

    test('accepted once; concurrent uses from two nodes: exactly one wins', async () => {
      const nodeA = new AssertionIdStore(storage.db);
      const nodeB = new AssertionIdStore(storage.db);
      assert.equal(await nodeA.firstUse('t1', 'idp1', '_a1', 10_000), true);
      assert.equal(await nodeB.firstUse('t1', 'idp1', '_a1', 10_000), false, 'the other node refuses the replay');
      const raced = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? nodeA : nodeB).firstUse('t1', 'idp1', '_race', 10_000)));
      assert.equal(raced.filter(Boolean).length, 1);
      assert.equal(await nodeA.firstUse('t1', 'idp2', '_a1', 10_000), true, 'another provider');
      assert.equal(await nodeA.firstUse('t2', 'idp1', '_a1', 10_000), true, 'another tenant');
    });

    test('the purge removes expired IDs only', async () => {
      const store = new AssertionIdStore(storage.db);
      assert.equal(await store.firstUse('t3', 'idp', '_old', 1_000), true);
      assert.equal(await store.firstUse('t3', 'idp', '_new', 50_000), true);
      assert.ok((await store.purgeExpired(2_000, 100)) >= 1);
      assert.equal(await store.firstUse('t3', 'idp', '_new', 50_000), false, 'still remembered');
      assert.equal(await store.firstUse('t3', 'idp', '_old', 1_000), true, 'forgotten after its NotOnOrAfter');
    });
  });
}
