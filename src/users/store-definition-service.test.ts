// Run-time store definitions on every database (migration 011 included): secrets sealed to their row, the unique
// domain and the version decided by the database; two nodes (two services, two registries, one database) see
// each other's changes once the check interval has passed on their clock; deleting a store closes it, ends its
// users' sessions and removes exactly its users' data.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ALL_DATABASES, isAvailable, openTestStorage } from '../../test/support/databases.ts';
import { skipUnless } from '../../test/support/services.ts';
import { Keyring } from '../crypto/keyring.ts';
import { ManualClock } from '../time/clock.ts';
import { CHECK_TTL_MS, StoreDefinitionService } from './store-definition-service.ts';
import { StoreDefinitionStore } from './store-definitions.ts';
import type { AdminRequest } from './user-admin.ts';
import type { UserStore } from './user-store.ts';
import { UserStoreRegistry } from './user-stores.ts';

function fakeStore(domain: string): UserStore & { closed: boolean } {
  return {
    domain,
    closed: false,
    capabilities: { verifyPassword: false, list: false, write: false },
    findByName: async () => undefined,
    findById: async () => undefined,
    getAttributes: async () => ({}),
    health: async () => ({ status: 'UP' }),
    async close() {
      this.closed = true;
    },
  };
}

const LDAP = { name: 'ldap', type: 'ldap' as const, readOnly: true, description: '', properties: [{ name: 'ConnectionURL', value: 'ldap://dir:389' }, { name: 'ConnectionPassword', value: 'bind-secret' }, { name: 'UserSearchBase', value: 'dc=x' }] };

for (const type of ALL_DATABASES) {
  describe(`run-time store definitions on ${type}`, { skip: skipUnless(await isAvailable(type), `${type} is not reachable`) }, () => {
    let storage: Awaited<ReturnType<typeof openTestStorage>>;
    const keyring = new Keyring([randomBytes(32)]);
    const tenant = { id: randomUUID(), domain: 'alpha.com' };
    const ended: string[] = [];
    const audited: string[] = [];

    const node = (clock: ManualClock) => {
      const registry = new UserStoreRegistry(fakeStore('PRIMARY'));
      const built: (UserStore & { closed: boolean })[] = [];
      const service = new StoreDefinitionService({
        db: storage.db,
        definitions: new StoreDefinitionStore(storage.db, keyring),
        registry,
        audit: { record: async (e) => void audited.push(`${e.event}:${e.reason}:${e.actor?.username}`) },
        clock,
        build: (domain) => {
          const store = fakeStore(domain);
          built.push(store);
          return store;
        },
        declared: () => [],
        endSessions: async (userId) => void ended.push(userId),
      });
      return { registry, service, built };
    };
    const req = { tenant, actor: { id: 'a', storeDomain: 'PRIMARY', username: 'boss' }, via: 'test' } as unknown as AdminRequest;

    before(async () => {
      storage = await openTestStorage(type);
    });
    after(async () => storage?.close());

    test('the secret is sealed to its row: not in the table, and not readable when copied to another row', async () => {
      const store = new StoreDefinitionStore(storage.db, keyring);
      const settings = { connection_url: 'ldap://dir:389' };
      const a = (await store.insert({ tenantId: tenant.id, domain: 'SEALED', type: 'ldap', description: '', settings, secrets: { connection_password: 'p4ss-word' } }, 1))!;
      assert.equal(await store.insert({ tenantId: tenant.id, domain: 'SEALED', type: 'ldap', description: '', settings, secrets: {} }, 2), undefined, 'one domain per tenant');
      const b = (await store.insert({ tenantId: tenant.id, domain: 'OTHER', type: 'ldap', description: '', settings, secrets: {} }, 3))!;
      const rows = await storage.db.selectFrom('user_store_definitions').selectAll().where('tenant_id', '=', tenant.id).execute();
      assert.ok(rows.every((r) => !r.secrets.includes('p4ss')));
      assert.equal((await store.find(tenant.id, 'sealed'))!.secrets.connection_password, 'p4ss-word');
      await storage.db.updateTable('user_store_definitions').set({ secrets: rows.find((r) => r.id === a.id)!.secrets }).where('id', '=', b.id).execute();
      await assert.rejects(store.find(tenant.id, 'OTHER'), /SEC-50001|decrypt/i);
      assert.ok(await store.update(a, { description: 'x', settings, secrets: {} }, 4));
      assert.equal(await store.update(a, { description: 'y', settings, secrets: {} }, 5), undefined, 'a stale version changes nothing');
      for (const def of [a, b]) assert.ok(await store.delete(def));
    });

    test('two nodes: a store added on A is live on B after the check interval; deleted on A, it is closed on B', async () => {
      const [clockA, clockB] = [new ManualClock(), new ManualClock()];
      const [a, b] = [node(clockA), node(clockB)];
      await b.service.sync(tenant);
      await a.service.add(req, LDAP);
      assert.deepEqual(a.registry.storesOf(tenant.id).map((s) => s.domain), ['PRIMARY', 'LDAP']);
      await b.service.sync(tenant);
      assert.deepEqual(b.registry.storesOf(tenant.id).map((s) => s.domain), ['PRIMARY'], 'B within its interval');
      clockB.advance(CHECK_TTL_MS + 1);
      await b.service.sync(tenant);
      assert.deepEqual(b.registry.storesOf(tenant.id).map((s) => s.domain), ['PRIMARY', 'LDAP']);
      clockB.advance(CHECK_TTL_MS + 1);
      await b.service.sync(tenant);
      assert.equal(b.built.length, 1, 'an unchanged store is kept, not rebuilt');

      await a.service.update(req, 'LDAP', { ...LDAP, description: 'changed' });
      clockB.advance(CHECK_TTL_MS + 1);
      await b.service.sync(tenant);
      assert.deepEqual([b.built.length, b.built[0]!.closed], [2, true], 'replaced: the old one closed');

      await a.service.remove(req, 'LDAP');
      clockB.advance(CHECK_TTL_MS + 1);
      await b.service.sync(tenant);
      assert.deepEqual(b.registry.storesOf(tenant.id).map((s) => s.domain), ['PRIMARY']);
      assert.ok(b.built.every((s) => s.closed) && a.built.every((s) => s.closed), 'every instance closed');
      assert.deepEqual(audited.slice(-3), ['userstore.added:LDAP:boss', 'userstore.updated:LDAP:boss', 'userstore.deleted:LDAP:boss']);
    });

    test("deleting a store ends its users' sessions and removes exactly their data", async () => {
      const { service } = node(new ManualClock());
      await service.add(req, { ...LDAP, name: 'X' });
      const ids = ['X:1', 'XY:2', randomUUID()];
      for (const id of ids) {
        await storage.db.insertInto('identity_claims').values({ tenant_id: tenant.id, user_id: id, claim_uri: 'http://wso2.org/claims/identity/x', value: '1' }).execute();
        await storage.db.insertInto('sso_sessions').values({ id: randomUUID(), tenant_id: tenant.id, user_id: id, state: '{}', version: 1, created_at: 0, last_seen_at: 0, expires_at: 1 }).execute();
      }
      ended.length = 0;
      await service.remove(req, 'X');
      assert.deepEqual(ended, ['X:1']);
      const left = await storage.db.selectFrom('identity_claims').select('user_id').where('tenant_id', '=', tenant.id).execute();
      assert.deepEqual(left.map((r) => r.user_id).sort(), ids.slice(1).sort());
    });
  });
}
