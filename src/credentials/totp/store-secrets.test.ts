// Active TOTP secrets kept in the user's store (a tenant's choice), with an in-memory secondary store standing in
// for LDAP (the real directory and a JDBC table are in test/users/totp-secret-in-store.test.ts), on every
// database: the store holds only ciphertext bound to the user; every operation works in both modes; switching
// either way strands nobody; a read-only store is refused before anything is written; a removed or copied value
// fails closed with its own code. Codes are computed with the independent otpauth library.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { ALL_DATABASES, isAvailable, openTestStorage } from '../../../test/support/databases.ts';
import { skipUnless } from '../../../test/support/services.ts';
import { ClaimMetadataStore } from '../../claims/claim-metadata.ts';
import { CLAIMS } from '../../claims/local-claims.ts';
import { SecretClaimReader, secretAad } from '../../claims/secret-claims.ts';
import { totpParameters, validateSection } from '../../config/index.ts';
import { Keyring } from '../../crypto/keyring.ts';
import { AppError } from '../../errors/app-error.ts';
import { TenantConfigStore } from '../../tenants/tenant-config.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import { ManualClock } from '../../time/clock.ts';
import { LockoutService } from '../../users/lockout.ts';
import { PasswordHasher } from '../../users/password-hash.ts';
import { SecurityStateStore } from '../../users/security-state.ts';
import { SqlUserStore } from '../../users/sql-user-store.ts';
import { UserService } from '../../users/user-service.ts';
import type { FullUserStore, StoreCapabilities, UserRecord } from '../../users/user-store.ts';
import { UserStoreRegistry } from '../../users/user-stores.ts';
import { createCredentials } from '../registry.ts';
import type { TotpCredentials, TotpSecret } from './index.ts';
import { TotpSecretStorage } from './secret-storage.ts';
import { UserStoreSecrets } from './store-secrets.ts';

/** A secondary store in memory: users, attributes, and a switch to make it read-only. */
class MemoryStore implements Partial<FullUserStore> {
  readonly domain = 'MEM';
  writable = true;
  readonly attributes = new Map<string, Map<string, string>>();
  get capabilities(): StoreCapabilities {
    return { verifyPassword: false, list: false, write: this.writable };
  }
  add(tenantId: string): UserRecord {
    const user = { id: `MEM:${randomUUID()}`, tenantId, storeDomain: this.domain, username: `m-${randomUUID().slice(0, 8)}`, createdAt: 0, updatedAt: 0 };
    this.attributes.set(user.id, new Map());
    return user;
  }
  async findByName() {
    return undefined;
  }
  async findById() {
    return undefined;
  }
  async getAttributes(user: UserRecord, names?: readonly string[]) {
    const all = this.attributes.get(user.id) ?? new Map<string, string>();
    return Object.fromEntries([...all].filter(([n]) => !names || names.includes(n)));
  }
  async setAttributes(user: UserRecord, values: Record<string, string | null>) {
    const all = this.attributes.get(user.id)!;
    for (const [n, v] of Object.entries(values)) {
      if (v === null) all.delete(n);
      else all.set(n, v);
    }
  }
  async create(): Promise<UserRecord> {
    throw new Error('not used');
  }
  async setPassword() {}
  async delete() {}
  async health() {
    return { status: 'UP' as const };
  }
  async close() {}
}

const params = validateSection(totpParameters, {}, 'totp').value;
const code = (s: Pick<TotpSecret, 'key'>, at: number) => new OTPAuth.TOTP({ secret: new OTPAuth.Secret({ buffer: new Uint8Array(s.key).buffer }) }).generate({ timestamp: at });
const refusedWith = (code: string) => (e: unknown) => e instanceof AppError && e.code === code;

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describe(`TOTP secrets in the user's store, on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let storage: Awaited<ReturnType<typeof openTestStorage>>;
    let totp: TotpCredentials;
    let secretStorage: TotpSecretStorage;
    let users: UserService;
    let keyring: Keyring;
    const mem = new MemoryStore();
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 10));
    const tenant: Tenant = { id: randomUUID(), domain: 'mem.example', active: true, adminUsername: 'admin', createdAt: 0 };
    const stored = (user: UserRecord) => mem.attributes.get(user.id)!.get('totpSecretkey');
    const row = (user: UserRecord) => storage.db.selectFrom('totp_credentials').selectAll().where('user_id', '=', user.id).where('status', '=', 'active').executeTakeFirst();

    /** Enrols through the credentials layer: a pending secret, proven with its current code. */
    async function enrol(user: UserRecord): Promise<TotpSecret> {
      clock.advance(30_000);
      const pending = await totp.beginEnrolment(user, params);
      assert.deepEqual(await totp.confirmEnrolment(user, code(pending, clock.now()), clock.now(), params), { ok: true });
      return pending;
    }
    /** A later step's code is accepted (the enrolment used the current one). */
    async function logsIn(user: UserRecord, secret: TotpSecret): Promise<void> {
      clock.advance(30_000);
      assert.deepEqual(await totp.verify(user, code(secret, clock.now()), clock.now(), params), { ok: true });
    }

    before(async () => {
      storage = await openTestStorage(type);
      keyring = new Keyring([randomBytes(32)]);
      const registry = new UserStoreRegistry(new SqlUserStore(storage.db, new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }), 'PRIMARY', clock));
      registry.addSecondary(tenant.id, mem as unknown as FullUserStore);
      users = new UserService(storage.db, registry);
      const claims = new ClaimMetadataStore(storage.db, clock);
      await claims.seedDefaults(tenant.id);
      secretStorage = new TotpSecretStorage({ fileDefault: 'database', store: new TenantConfigStore(storage.db, clock), users, claims, clock });
      const security = new SecurityStateStore(storage.db);
      const lockout = new LockoutService(security, { enabled: true, allowedFailedAttempts: 3, autoUnlockAfterMinutes: 5, incrementRatio: 1 });
      totp = createCredentials({ db: storage.db, keyring, security, lockout, clock, secretHome: new UserStoreSecrets(users, secretStorage) }).totp;
    });
    after(async () => storage?.close());

    test('by default the secret stays in the database, even for a user of a writable secondary store', async () => {
      await secretStorage.clear(tenant);
      const user = mem.add(tenant.id);
      const secret = await enrol(user);
      assert.equal(stored(user), undefined);
      assert.match((await row(user))!.secret, /^v1:/);
      await logsIn(user, secret);
    });

    test('user_store: the attribute holds ciphertext bound to the user; enrol, verify, replay, refresh, claim view and reset work', async () => {
      const view = await secretStorage.set(tenant, 'user_store');
      assert.deepEqual(view.stores, [
        { domain: 'PRIMARY', location: 'database', readOnly: false },
        { domain: 'MEM', location: 'user_store', attribute: 'totpSecretkey', readOnly: false },
      ]);
      const user = mem.add(tenant.id);
      const secret = await enrol(user);
      const sealed = stored(user)!;
      assert.match(sealed, /^v1:[0-9a-f]{16}:/, 'ciphertext in the store');
      assert.ok(!sealed.includes(secret.text), 'never the Base32 secret');
      assert.deepEqual([(await row(user))!.secret, (await row(user))!.secret_attribute], ['', 'totpSecretkey'], 'the row keeps the parameters only');
      assert.equal(keyring.decryptString(sealed, secretAad(user, CLAIMS.secretKey)), secret.text);
      const other = mem.add(tenant.id);
      assert.throws(() => keyring.decryptString(sealed, secretAad(other, CLAIMS.secretKey)), refusedWith('SEC-50001'), 'bound to the user');
      assert.throws(() => keyring.decryptString(sealed, secretAad({ ...user, tenantId: randomUUID() }, CLAIMS.secretKey)), refusedWith('SEC-50001'), 'and to the tenant');

      await logsIn(user, secret);
      assert.deepEqual(await totp.verify(user, code(secret, clock.now()), clock.now(), params), { ok: false, reason: 'reused', lockedNow: false, unlockTime: null, remaining: 2 });
      assert.equal((await totp.active(user, params))!.text, secret.text, 'retrieveSecretKey reads it back');
      assert.equal((await new SecretClaimReader(storage.db, keyring, users).read(user, [CLAIMS.secretKey]))[CLAIMS.secretKey], secret.text, 'the claim view');

      const fresh = await totp.refresh(user, params);
      assert.equal(stored(user), sealed, 'a refresh leaves the active secret in place until proven');
      await logsIn(user, secret);
      clock.advance(30_000);
      assert.deepEqual(await totp.confirmEnrolment(user, code(fresh, clock.now()), clock.now(), params), { ok: true });
      assert.notEqual(stored(user), sealed, 'the proven secret replaced it');
      await logsIn(user, fresh);

      await totp.reset(user);
      assert.equal(stored(user), undefined, 'reset removes the attribute');
      assert.deepEqual(await totp.status(user), { enrolled: false, pending: false });
    });

    test('PRIMARY users keep theirs in the database; an import goes where an enrolment would', async () => {
      await secretStorage.set(tenant, 'user_store');
      const primary = await users.create(tenant, { username: `p-${randomUUID().slice(0, 8)}`, password: 'a long enough pass 1' });
      await enrol(primary);
      assert.equal((await row(primary))!.secret_attribute, null);
      const user = mem.add(tenant.id);
      await totp.importSecret(user, { secret: 'JBSWY3DPEHPK3PXP', encoding: 'Base32', algorithm: 'SHA1', digits: 6, period: 30 });
      assert.equal(keyring.decryptString(stored(user)!, secretAad(user, CLAIMS.secretKey)), 'JBSWY3DPEHPK3PXP');
      assert.equal((await totp.active(user, params))!.text, 'JBSWY3DPEHPK3PXP');
    });

    test('switching either way strands nobody; the next enrolment moves the secret and clears the old place', async () => {
      await secretStorage.set(tenant, 'database');
      const inDb = mem.add(tenant.id);
      const dbSecret = await enrol(inDb);
      await secretStorage.set(tenant, 'user_store');
      const inStore = mem.add(tenant.id);
      const storeSecret = await enrol(inStore);
      await logsIn(inDb, dbSecret);

      await secretStorage.set(tenant, 'database');
      await logsIn(inStore, storeSecret);
      const moved = await enrol(inStore);
      assert.equal(stored(inStore), undefined, 'moved to the database: the attribute is cleared');
      assert.match((await row(inStore))!.secret, /^v1:/);
      await logsIn(inStore, moved);
    });

    test('a read-only store: turning user_store on is refused; an enrolment into it is refused before a QR; enrolled users still log in', async () => {
      await secretStorage.set(tenant, 'user_store');
      const enrolled = mem.add(tenant.id);
      const secret = await enrol(enrolled);
      mem.writable = false;
      try {
        await assert.rejects(secretStorage.set(tenant, 'user_store'), (e: unknown) => refusedWith('USR-40004')(e) && /MEM is read-only/.test((e as AppError).description));
        const late = mem.add(tenant.id);
        await assert.rejects(totp.beginEnrolment(late, params), refusedWith('USR-40004'));
        assert.deepEqual(await totp.status(late), { enrolled: false, pending: false }, 'nothing written');
        await logsIn(enrolled, secret);
        await secretStorage.set(tenant, 'database');
        await enrol(late);
        await totp.reset(enrolled);
        assert.deepEqual(await totp.status(enrolled), { enrolled: false, pending: false }, 'a reset still removes the credential');
      } finally {
        mem.writable = true;
      }
    });

    test('a value removed from the store, or copied from another user, fails closed with its own code', async () => {
      await secretStorage.set(tenant, 'user_store');
      const a = mem.add(tenant.id);
      const b = mem.add(tenant.id);
      await enrol(a);
      await enrol(b);
      mem.attributes.get(b.id)!.set('totpSecretkey', stored(a)!);
      await assert.rejects(totp.verify(b, '123456', clock.now(), params), refusedWith('SEC-40902'));
      mem.attributes.get(b.id)!.delete('totpSecretkey');
      await assert.rejects(totp.verify(b, '123456', clock.now(), params), refusedWith('SEC-40901'));
      assert.deepEqual(await totp.status(b), { enrolled: true, pending: false }, 'not silently "not enrolled"');
      await totp.reset(b);
      assert.deepEqual(await totp.status(b), { enrolled: false, pending: false });
    });
  });
}
