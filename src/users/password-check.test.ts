// The one password policy: its answers, what it counts, and that every answer costs the same hashing work, so
// response time cannot tell an unknown user, a locked or disabled account and a wrong password apart.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openTestStorage } from '../../test/support/databases.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import { ManualClock } from '../time/clock.ts';
import { LockoutService } from './lockout.ts';
import { PasswordCheck } from './password-check.ts';
import { PasswordHasher } from './password-hash.ts';
import { SecurityStateStore } from './security-state.ts';
import { SqlUserStore } from './sql-user-store.ts';
import { UserService } from './user-service.ts';
import { UserStoreRegistry } from './user-stores.ts';

/** A hasher that counts verifications. */
class CountingHasher extends PasswordHasher {
  verifications = 0;
  override async verify(stored: string, password: string): Promise<boolean> {
    this.verifications++;
    return super.verify(stored, password);
  }
}

describe('PasswordCheck', () => {
  let storage: Awaited<ReturnType<typeof openTestStorage>>;
  let users: UserService;
  let security: SecurityStateStore;
  let passwords: PasswordCheck;
  const hasher = new CountingHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
  const clock = new ManualClock();
  const tenant: Tenant = { id: randomUUID(), domain: 'carbon.super', active: true, adminUsername: 'admin', createdAt: 0 };
  const locked: string[] = [];

  before(async () => {
    storage = await openTestStorage('sqlite');
    users = new UserService(storage.db, new UserStoreRegistry(new SqlUserStore(storage.db, hasher, 'PRIMARY', clock)));
    security = new SecurityStateStore(storage.db);
    const policy = { enabled: true, allowedFailedAttempts: 3, autoUnlockAfterMinutes: 5, incrementRatio: 2 };
    const lockout = new LockoutService(security, policy, async (u) => void locked.push(u.id));
    passwords = new PasswordCheck({ users, lockout, hasher, clock });
  });
  after(async () => storage?.close());

  const newUser = async () => users.create(tenant, { username: `u-${randomUUID().slice(0, 8)}`, password: 'right password' });

  /** The answer and how many hash verifications it took. */
  async function check(name: string, password: string) {
    const before = hasher.verifications;
    const result = await passwords.check(tenant, name, password);
    return { result, verifications: hasher.verifications - before };
  }

  test('the right password passes, under any spelling of the name, and resets the counter', async () => {
    const user = await newUser();
    await check(user.username, 'wrong');
    assert.equal((await security.get(user)).failedLoginAttempts, 1);
    for (const name of [user.username, user.username.toUpperCase(), `PRIMARY/${user.username}`, `${user.username}@carbon.super`]) {
      const { result, verifications } = await check(name, 'right password');
      assert.equal(result.ok && result.user.id, user.id, name);
      assert.equal(verifications, 1);
    }
    assert.equal((await security.get(user)).failedLoginAttempts, 0);
  });

  test('every refusal costs exactly one verification, compared or not', async () => {
    const user = await newUser();
    const disabled = await newUser();
    await security.update(disabled, { accountDisabled: true });
    const cases = [
      [user.username, 'wrong', 'invalid'],
      ['nobody', 'right password', 'invalid'],
      [`${user.username}@other.example`, 'right password', 'invalid'],
      [`NOSUCHSTORE/${user.username}`, 'right password', 'invalid'],
      [user.username, '', 'invalid'],
      [disabled.username, 'right password', 'disabled'],
    ] as const;
    for (const [name, password, refusal] of cases) {
      const { result, verifications } = await check(name, password);
      assert.equal(!result.ok && result.refusal, refusal, name);
      assert.equal(verifications, 1, name);
    }
  });

  test('failures lock the account; while locked even the right password is refused without comparing or counting', async () => {
    const user = await newUser();
    assert.equal((await check(user.username, 'wrong 1')).result.ok, false);
    assert.equal((await check(user.username, 'wrong 2')).result.ok, false);
    const third = await check(user.username, 'wrong 3');
    assert.ok(!third.result.ok && third.result.refusal === 'locked', 'the failure that locks says locked');
    assert.deepEqual(locked.slice(-1), [user.id], 'the lock hook ran once');
    const right = await check(user.username, 'right password');
    assert.ok(!right.result.ok && right.result.refusal === 'locked');
    assert.equal(right.result.lock.unlockTime, clock.now() + 5 * 60_000);
    assert.equal(right.verifications, 1);
    assert.equal((await security.get(user)).failedLoginAttempts, 0, 'not counted while locked');
    clock.advance(5 * 60_000);
    assert.equal((await check(user.username, 'right password')).result.ok, true, 'the lapsed lock is lifted');
  });
});
