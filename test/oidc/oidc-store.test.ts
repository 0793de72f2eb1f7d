// The provider's storage on SQLite, PostgreSQL and MariaDB (migration 014): upsert and find, lookups by uid and
// user code, consume (the provider then sees `consumed`), revokeByGrantId across models, expiry (absent when
// due, then swept), and tenants apart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OidcStore } from '../../src/protocols/oidc/oidc-store.ts';
import { ManualClock } from '../../src/time/clock.ts';
import { ALL_DATABASES, isAvailable, openTestStorage } from '../support/databases.ts';
import { skipUnless } from '../support/services.ts';

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describe(`OIDC storage on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let storage: Awaited<ReturnType<typeof openTestStorage>>;
    const clock = new ManualClock();
    let store: OidcStore;

    before(async () => {
      storage = await openTestStorage(type);
      store = new OidcStore(storage, clock);
    });
    after(async () => {
      await storage?.close();
      await storage?.database.drop();
    });

    test('upsert, find, find by uid and user code; an upsert replaces', async () => {
      const sessions = store.adapterFor('tenant-a')('Session');
      await sessions.upsert('s1', { uid: 'u1', accountId: 'alice' }, 60);
      assert.deepEqual(await sessions.find('s1'), { uid: 'u1', accountId: 'alice' });
      assert.equal((await sessions.findByUid('u1'))?.accountId, 'alice');
      await sessions.upsert('s1', { uid: 'u1', accountId: 'bob' }, 60);
      assert.equal((await sessions.find('s1'))?.accountId, 'bob');
      const devices = store.adapterFor('tenant-a')('DeviceCode');
      await devices.upsert('d1', { userCode: 'ABCD-EFGH' }, 60);
      assert.deepEqual(await devices.findByUserCode('ABCD-EFGH'), { userCode: 'ABCD-EFGH' });
      assert.equal(await store.adapterFor('tenant-a')('AccessToken').find('s1'), undefined, 'models are apart');
    });

    test('consume marks the row; revokeByGrantId removes every model of the grant; destroy removes one', async () => {
      const adapter = store.adapterFor('tenant-a');
      await adapter('AuthorizationCode').upsert('c1', { grantId: 'g1' }, 60);
      await adapter('RefreshToken').upsert('r1', { grantId: 'g1' }, 60);
      await adapter('AccessToken').upsert('a2', { grantId: 'g2' }, 60);
      await adapter('Interaction').upsert('i1', { grantId: 'g1' }, 60);
      await adapter('AuthorizationCode').consume('c1');
      assert.equal(typeof (await adapter('AuthorizationCode').find('c1'))?.consumed, 'number');
      await adapter('AccessToken').revokeByGrantId('g1');
      assert.equal(await adapter('AuthorizationCode').find('c1'), undefined);
      assert.equal(await adapter('RefreshToken').find('r1'), undefined);
      assert.ok(await adapter('AccessToken').find('a2'), 'another grant stays');
      assert.ok(await adapter('Interaction').find('i1'), 'an interaction outlives its grant (an account switch resumes it)');
      await adapter('AccessToken').destroy('a2');
      assert.equal(await adapter('AccessToken').find('a2'), undefined);
    });

    test('tenants are apart: the same id is two rows, and a grant revoked in one tenant stays in the other', async () => {
      await store.adapterFor('tenant-a')('AccessToken').upsert('same', { grantId: 'g3', accountId: 'a' }, 60);
      await store.adapterFor('tenant-b')('AccessToken').upsert('same', { grantId: 'g3', accountId: 'b' }, 60);
      assert.equal((await store.adapterFor('tenant-a')('AccessToken').find('same'))?.accountId, 'a');
      await store.adapterFor('tenant-a')('AccessToken').revokeByGrantId('g3');
      assert.equal(await store.adapterFor('tenant-a')('AccessToken').find('same'), undefined);
      assert.equal((await store.adapterFor('tenant-b')('AccessToken').find('same'))?.accountId, 'b');
    });

    test('an expired row reads as absent and is swept', async () => {
      const adapter = store.adapterFor('tenant-c')('AccessToken');
      await adapter.upsert('old', { grantId: 'g4' }, 1);
      clock.advance(1001);
      assert.equal(await adapter.find('old'), undefined);
      assert.ok((await store.purgeExpired(clock.now(), 100)) >= 1);
      const left = await storage.db.selectFrom('oidc_models').select('key').where('tenant_id', '=', 'tenant-c').execute();
      assert.deepEqual(left, []);
    });
  });
}
