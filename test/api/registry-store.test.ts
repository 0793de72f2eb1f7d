// The registry's rows on SQLite, PostgreSQL and MariaDB (migration 010): bytes kept exactly up to 1 MiB (MySQL's
// BLOB would stop at 64 KiB: the column is LONGBLOB there), collections created as needed, children listed,
// one tenant's rows invisible to another, a resource never turned into a collection.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../src/errors/app-error.ts';
import { RegistryStore } from '../../src/tenants/registry/registry-store.ts';
import { ALL_DATABASES, isAvailable, openTestStorage } from '../support/databases.ts';
import { skipUnless } from '../support/services.ts';

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describe(`registry store on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let storage: Awaited<ReturnType<typeof openTestStorage>>;
    let store: RegistryStore;
    const a = randomBytes(8).toString('hex');
    const b = randomBytes(8).toString('hex');

    before(async () => {
      storage = await openTestStorage(type);
      store = new RegistryStore(storage.db);
    });
    after(async () => {
      await storage?.close();
      await storage?.database.drop();
    });

    test('bytes round-trip exactly, up to 1 MiB; parents are created; children are listed in order', async () => {
      const big = randomBytes(1024 * 1024);
      assert.equal(await store.putResource(a, '/x/y/big.bin', big, 'application/octet-stream', 1000), 'created');
      assert.equal(await store.putResource(a, '/x/y/big.bin', big, 'application/octet-stream', 2000), 'replaced');
      const read = await store.resource(a, '/x/y/big.bin');
      assert.ok(read?.content.equals(big), 'same bytes');
      assert.deepEqual([read!.size, read!.createdAt, read!.updatedAt], [big.length, 1000, 2000]);
      await store.putResource(a, '/x/y/a.txt', Buffer.from([0, 0xff]), 'text/plain', 3000);
      assert.deepEqual((await store.children(a, '/x/y', 10)).map((e) => e.path), ['/x/y/a.txt', '/x/y/big.bin']);
      assert.deepEqual((await store.children(a, '/', 10)).map((e) => [e.path, e.kind]), [['/x', 'collection']]);
      assert.equal(await store.ensureCollection(a, '/x/y', 4000), false, 'already there');
    });

    test('tenants are apart; a resource is never a collection', async () => {
      assert.equal(await store.entry(b, '/x/y/a.txt'), undefined);
      assert.deepEqual(await store.children(b, '/', 10), []);
      await assert.rejects(store.putResource(a, '/x/y/a.txt/child', Buffer.from('c'), 'text/plain', 1), (e) => e instanceof AppError && e.status === 409);
      await assert.rejects(store.putResource(a, '/x/y', Buffer.from('c'), 'text/plain', 1), (e) => e instanceof AppError && e.status === 409);
      await store.setProperties(a, '/x/y/a.txt', { k: 'v' }, 5);
      assert.deepEqual((await store.entry(a, '/x/y/a.txt'))?.properties, { k: 'v' });
      assert.equal(await store.remove(b, '/x/y/a.txt'), false, "another tenant's delete reaches nothing");
      assert.equal(await store.remove(a, '/x/y/a.txt'), true);
    });
  });
}
