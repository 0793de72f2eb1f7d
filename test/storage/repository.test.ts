// The same repository cases on SQLite, PostgreSQL and MariaDB: tenants, users, attributes, search,
// claims, claim values (encrypted, security columns), tenant configuration.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ClaimMetadataStore } from '../../src/claims/claim-metadata.ts';
import { ClaimValueService } from '../../src/claims/claim-values.ts';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { SecretClaimReader } from '../../src/claims/secret-claims.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import { AppError } from '../../src/errors/app-error.ts';
import type { ErrorCode } from '../../src/errors/codes.ts';
import { TenantConfigStore } from '../../src/tenants/tenant-config.ts';
import { TenantService, type Tenant } from '../../src/tenants/tenant-service.ts';
import { systemClock } from '../../src/time/clock.ts';
import { PasswordHasher } from '../../src/users/password-hash.ts';
import { SecurityStateStore } from '../../src/users/security-state.ts';
import { SqlUserStore } from '../../src/users/sql-user-store.ts';
import { UserService } from '../../src/users/user-service.ts';
import { UserStoreRegistry } from '../../src/users/user-stores.ts';
import { ALL_DATABASES, isAvailable, openTestStorage } from '../support/databases.ts';
import { skipUnless } from '../support/services.ts';

// Cheap hashing parameters: these tests are about storage, not about argon2's cost.
const hasher = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

async function rejects(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof AppError && e.code === code);
}

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describe(`repositories on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let storage: Awaited<ReturnType<typeof openTestStorage>>;
    let tenants: TenantService;
    let users: UserService;
    let metadata: ClaimMetadataStore;
    let values: ClaimValueService;
    let secrets: SecretClaimReader;
    let security: SecurityStateStore;
    let t1: Tenant;
    let t2: Tenant;

    before(async () => {
      storage = await openTestStorage(type);
      tenants = new TenantService(storage.db, systemClock, { ttlMs: 0 });
      const registry = new UserStoreRegistry(new SqlUserStore(storage.db, hasher, 'PRIMARY', systemClock));
      users = new UserService(storage.db, registry);
      metadata = new ClaimMetadataStore(storage.db, systemClock, { ttlMs: 0 });
      security = new SecurityStateStore(storage.db);
      const keyring = new Keyring([randomBytes(32)]);
      values = new ClaimValueService(storage.db, metadata, users, security, keyring);
      secrets = new SecretClaimReader(storage.db, keyring);
      t1 = await tenants.create('carbon.super', 'admin');
      t2 = await tenants.create('example.com', 'boss');
      await metadata.seedDefaults(t1.id);
      await metadata.seedDefaults(t2.id);
    });
    after(async () => storage?.close());

    test('migrations are idempotent and the database answers', async () => {
      await storage.ping();
      const { migrateToLatest } = await import('../../src/storage/database.ts');
      await migrateToLatest(storage.db);
    });

    test('tenants: unique domains, lookup, activation, paging', async () => {
      await rejects(tenants.create('Example.COM', 'x'), 'TNT-40901');
      await rejects(tenants.create('not a domain', 'x'), 'TNT-40001');
      assert.equal((await tenants.findByDomain('EXAMPLE.com'))?.id, t2.id);
      assert.equal(await tenants.findByDomain('nope.org'), undefined);
      const t3 = await tenants.create('third.org', 'a');
      await tenants.setActive(t3, false);
      await rejects(tenants.requireActive('third.org'), 'TNT-40401');
      await tenants.setActive(t3, true);
      assert.equal((await tenants.requireActive('third.org')).active, true);
      const page = await tenants.list(1, 1);
      assert.equal(page.total, 3);
      assert.equal(page.tenants.length, 1);
    });

    test('users: create, case-insensitive lookup, uniqueness per tenant, passwords', async () => {
      const alice = await users.create(t1, { username: 'Alice', password: 'correct horse', attributes: { mail: 'alice@example.org' } });
      assert.equal(alice.storeDomain, 'PRIMARY');
      assert.equal((await users.find(t1, 'alice'))?.id, alice.id);
      assert.equal((await users.find(t1, 'PRIMARY/ALICE@carbon.super'))?.id, alice.id);
      assert.equal(await users.find(t1, 'alice@example.com'), undefined, 'a suffix naming another tenant does not match');
      assert.equal(await users.find(t2, 'alice'), undefined);
      await rejects(users.create(t1, { username: 'alice', password: 'another pass' }), 'USR-40901');
      const alice2 = await users.create(t2, { username: 'alice', password: 'other tenant' });
      assert.notEqual(alice2.id, alice.id);
      assert.equal((await users.authenticate(t1, 'alice', 'correct horse'))?.id, alice.id);
      assert.equal(await users.authenticate(t1, 'alice', 'wrong horse'), undefined);
      assert.equal(await users.authenticate(t1, 'nobody', 'correct horse'), undefined);
      assert.equal(await users.authenticate(t2, 'alice', 'correct horse'), undefined);
      await users.setPassword(alice, 'battery staple');
      assert.equal((await users.authenticate(t1, 'alice', 'battery staple'))?.id, alice.id);
      await rejects(users.create(t1, { username: 'bad name', password: 'long enough' }), 'USR-40001');
      await rejects(users.create(t1, { username: 'shorty', password: 'short' }), 'USR-40002');
      await rejects(users.create(t1, { username: 'NOSUCH/x', password: 'long enough' }), 'USR-40003');
    });

    test('users: attribute search with eq/co/sw/ew/pr/ne, and paging', async () => {
      for (let i = 0; i < 7; i++) {
        await users.create(t2, {
          username: `user${i}`,
          password: 'password-123',
          attributes: i % 2 === 0 ? { mail: `user${i}@Even.example`, givenName: `Name_${i}%` } : { givenName: `Odd${i}` },
        });
      }
      const list = async (filter: Parameters<UserService['list']>[1]['filter'], offset = 0, limit = 100) =>
        users.list(t2, { filter, offset, limit });
      assert.deepEqual((await list({ kind: 'condition', attribute: 'username', op: 'eq', value: 'USER3' })).users.map((u) => u.username), ['user3']);
      assert.equal((await list({ kind: 'condition', attribute: 'mail', op: 'ew', value: '@even.example' })).total, 4);
      assert.equal((await list({ kind: 'condition', attribute: 'mail', op: 'pr', value: '' })).total, 4);
      assert.equal((await list({ kind: 'condition', attribute: 'givenName', op: 'sw', value: 'odd' })).total, 3);
      // LIKE wildcards in the value are literal characters.
      assert.equal((await list({ kind: 'condition', attribute: 'givenName', op: 'co', value: '_2%' })).total, 1);
      assert.equal((await list({ kind: 'condition', attribute: 'givenName', op: 'co', value: '%' })).total, 4);
      assert.equal((await list({ kind: 'condition', attribute: 'username', op: 'ne', value: 'user0' })).total, 7, 'alice and user1..6');
      const both = await list({
        kind: 'and',
        filters: [
          { kind: 'condition', attribute: 'username', op: 'sw', value: 'user' },
          { kind: 'or', filters: [{ kind: 'condition', attribute: 'givenName', op: 'eq', value: 'odd1' }, { kind: 'condition', attribute: 'givenName', op: 'eq', value: 'odd5' }] },
        ],
      });
      assert.deepEqual(both.users.map((u) => u.username), ['user1', 'user5']);
      const page = await list(undefined, 2, 3);
      assert.equal(page.total, 8);
      assert.deepEqual(page.users.map((u) => u.username), ['user1', 'user2', 'user3'], 'sorted: alice, user0, then the page');
    });

    test('claims: defaults seeded with the seed guide mapping; add, update, validation', async () => {
      const secret = await metadata.get(t1.id, CLAIMS.secretKey);
      assert.equal(secret?.displayName, 'Secret Key');
      assert.deepEqual(secret?.attributeMappings, [{ userstore: 'PRIMARY', mappedAttribute: 'totpSecretkey' }]);
      assert.equal(secret?.hidden, true);
      const uri = 'http://wso2.org/claims/department';
      await metadata.add(t1.id, { uri, displayName: 'Department', description: 'Team', attributeMappings: [{ userstore: 'primary', mappedAttribute: 'departmentNumber' }], regex: '^[A-Z]{2,5}$' });
      await rejects(metadata.add(t1.id, { uri, displayName: 'Again', description: '', attributeMappings: [{ userstore: 'PRIMARY', mappedAttribute: 'x' }] }), 'CLM-40901');
      await rejects(metadata.add(t1.id, { uri: 'urn:bad', displayName: 'x', description: '', attributeMappings: [{ userstore: 'PRIMARY', mappedAttribute: 'x' }] }), 'CLM-40001');
      await rejects(metadata.add(t1.id, { uri: `${uri}2`, displayName: 'x', description: '', attributeMappings: [] }), 'CLM-40001');
      assert.equal(await metadata.get(t2.id, uri), undefined, 'claims are per tenant');
      const updated = await metadata.update(t1.id, uri, { uri, displayName: 'Dept', description: 'Team', attributeMappings: [{ userstore: 'PRIMARY', mappedAttribute: 'dept' }], supportedByDefault: true });
      assert.equal(updated.supportedByDefault, true);
      assert.equal((await metadata.get(t1.id, uri))?.attributeMappings[0]?.mappedAttribute, 'dept');
      await rejects(metadata.remove(t1.id, CLAIMS.email), 'CLM-40002');
    });

    test('claim values: attributes via mapping, encrypted identity claims, security columns', async () => {
      const bob = await users.create(t1, { username: 'bob', password: 'password-bob' });
      await values.set(bob, { [CLAIMS.email]: 'bob@example.org', [CLAIMS.givenName]: 'Bob', [CLAIMS.secretKey]: 'JBSWY3DPEHPK3PXP', [CLAIMS.totpEnabled]: 'true' });
      const got = await values.get(bob, [CLAIMS.email, CLAIMS.givenName, CLAIMS.secretKey, CLAIMS.totpEnabled, CLAIMS.username, CLAIMS.accountLocked, CLAIMS.usedTotpTimeWindows]);
      // The shared reader never returns a secret; only the TOTP authenticator's reader decrypts one.
      assert.deepEqual(got, {
        [CLAIMS.email]: 'bob@example.org',
        [CLAIMS.givenName]: 'Bob',
        [CLAIMS.totpEnabled]: 'true',
        [CLAIMS.username]: 'bob',
        [CLAIMS.accountLocked]: 'false',
      });
      assert.deepEqual(await secrets.read(bob, [CLAIMS.secretKey, CLAIMS.totpEnabled]), { [CLAIMS.secretKey]: 'JBSWY3DPEHPK3PXP', [CLAIMS.totpEnabled]: 'true' });
      assert.deepEqual(await users.storeOf(bob).getAttributes(bob, ['mail']), { mail: 'bob@example.org' });
      // secretkey is a view of the active TOTP credential (migration 009), stored encrypted in its row.
      const raw = await storage.db.selectFrom('totp_credentials').select('secret as value').where('user_id', '=', bob.id).where('status', '=', 'active').executeTakeFirstOrThrow();
      assert.ok(!raw.value.includes('JBSWY3DPEHPK3PXP'), 'the secret is encrypted at rest');
      // A ciphertext copied to another user's row does not decrypt there.
      const carol = await users.create(t1, { username: 'carol', password: 'password-carol' });
      await storage.db.insertInto('totp_credentials').values({ tenant_id: t1.id, user_id: carol.id, status: 'active', secret: raw.value, created_at: 0 }).execute();
      await rejects(secrets.read(carol, [CLAIMS.secretKey]), 'SEC-50001');
      await rejects(values.set(bob, { [CLAIMS.email]: 'not an email' }), 'CLM-40001');
      await rejects(values.set(bob, { [CLAIMS.secretKey]: 'X' }, { enforceReadOnly: true }), 'CLM-40002');
      await rejects(values.set(bob, { 'http://wso2.org/claims/nope': 'x' }), 'CLM-40401');
      await values.set(bob, { [CLAIMS.givenName]: null, [CLAIMS.secretKey]: '' });
      assert.deepEqual(await values.get(bob, [CLAIMS.givenName]), {});
      assert.deepEqual(await secrets.read(bob, [CLAIMS.secretKey]), {});
      await security.update(bob, { accountLocked: true, lockedReason: 'MAX_TOTP_ATTEMPTS_EXCEEDED', failedTotpAttempts: 4, unlockTime: 1_900_000_000_000, lastTotpStep: 57_412_345 });
      assert.deepEqual(await values.get(bob, [CLAIMS.accountLocked, CLAIMS.lockedReason, CLAIMS.failedTotpAttempts, CLAIMS.unlockTime, CLAIMS.usedTotpTimeWindows]), {
        [CLAIMS.accountLocked]: 'true',
        [CLAIMS.lockedReason]: 'MAX_TOTP_ATTEMPTS_EXCEEDED',
        [CLAIMS.failedTotpAttempts]: '4',
        [CLAIMS.unlockTime]: '1900000000000',
      });
      await values.set(bob, { [CLAIMS.accountLocked]: 'false' });
      const s = await security.get(bob);
      assert.deepEqual([s.accountLocked, s.failedTotpAttempts, s.lockedReason, s.lastTotpStep], [false, 0, null, 57_412_345]);
      await rejects(values.set(bob, { [CLAIMS.failedTotpAttempts]: '0' }), 'CLM-40002');
      await users.delete(bob);
      assert.equal((await storage.db.selectFrom('identity_claims').select('user_id').where('user_id', '=', bob.id).execute()).length, 0);
      assert.equal((await storage.db.selectFrom('totp_credentials').select('user_id').where('user_id', '=', bob.id).execute()).length, 0);
      assert.equal((await storage.db.selectFrom('user_security').select('user_id').where('user_id', '=', bob.id).execute()).length, 0);
      assert.equal(await users.find(t1, 'bob'), undefined);
    });

    test('security rows: concurrent first writes create exactly one row', async () => {
      const dan = await users.create(t1, { username: 'dan', password: 'password-dan' });
      await Promise.all(Array.from({ length: 20 }, () => security.ensureRow(dan)));
      const rows = await storage.db.selectFrom('user_security').select('user_id').where('user_id', '=', dan.id).execute();
      assert.equal(rows.length, 1);
    });

    test('tenant configuration documents', async () => {
      const store = new TenantConfigStore(storage.db, systemClock);
      assert.equal(await store.get(t2.id, 'totp'), undefined);
      await store.put(t2.id, 'totp', { windowSize: 5, Issuer: 'Example' });
      await store.put(t2.id, 'totp', { windowSize: 1 });
      assert.deepEqual(await store.get(t2.id, 'totp'), { windowSize: 1 });
      assert.equal(await store.get(t1.id, 'totp'), undefined);
      await store.remove(t2.id, 'totp');
      assert.equal(await store.get(t2.id, 'totp'), undefined);
    });
  });
}
