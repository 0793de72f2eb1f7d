// HTTP Basic on the admin APIs goes through the one password policy: wrong passwords count and lock the account,
// and a locked or disabled account is refused (401) before its password is compared, even when it is right.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { ManualClock } from '../../src/time/clock.ts';
import type { Tenant } from '../../src/tenants/tenant-service.ts';
import type { UserRecord } from '../../src/users/user-store.ts';
import { claimOf, createUser } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';

const API = '/t/locks.example/api/server/v1/authenticators';
const BOSS = { username: 'boss', password: 'a long password' };

describe('HTTP Basic and lockout', () => {
  let server: TestServer;
  let tenant: Tenant;
  let boss: UserRecord;
  const clock = new ManualClock(Date.now());

  before(async () => {
    server = await startTestServer({ clock });
    tenant = await provisionTenant(server, 'locks.example', BOSS);
    boss = (await server.services.users.find(tenant, BOSS.username))!;
  });
  after(async () => server?.close());

  const call = (password: string, username = BOSS.username) => server.client().get(API, { auth: [username, password] });

  test('wrong passwords count and lock the admin; the right one is then refused (401) until the lock ends', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await call(`wrong-${i}`)).status, 401);
    assert.equal(await claimOf(server, boss, CLAIMS.failedLoginAttempts), '4');
    assert.equal((await call('wrong-4')).status, 401);
    assert.equal(await claimOf(server, boss, CLAIMS.accountLocked), 'true');
    assert.equal(await claimOf(server, boss, CLAIMS.lockedReason), 'MAX_ATTEMPTS_EXCEEDED');
    const right = await call(BOSS.password);
    const wrong = await call('wrong-5');
    assert.equal(right.status, 401);
    assert.equal(right.json<{ code: string }>().code, 'PCS-40100');
    assert.deepEqual({ ...right.json<object>(), traceId: '' }, { ...wrong.json<object>(), traceId: '' }, 'the right password reads as a wrong one');
    assert.equal(await claimOf(server, boss, CLAIMS.failedLoginAttempts), '0', 'passwords are not compared, so not counted, during the lock');
    clock.advance(5 * 60_000 + 1000);
    assert.equal((await call(BOSS.password)).status, 200);
    assert.equal(await claimOf(server, boss, CLAIMS.accountLocked), 'false');
  });

  test('a right password resets the failure counter', async () => {
    for (let i = 0; i < 3; i++) await call(`wrong-${i}`);
    assert.equal(await claimOf(server, boss, CLAIMS.failedLoginAttempts), '3');
    assert.equal((await call(BOSS.password)).status, 200);
    assert.equal(await claimOf(server, boss, CLAIMS.failedLoginAttempts), '0');
  });

  test('a disabled admin is refused (401) with the right password', async () => {
    await server.services.claimValues.set(boss, { [CLAIMS.accountDisabled]: 'true' });
    try {
      assert.equal((await call(BOSS.password)).status, 401);
    } finally {
      await server.services.claimValues.set(boss, { [CLAIMS.accountDisabled]: 'false' });
    }
    assert.equal((await call(BOSS.password)).status, 200);
  });

  test('a locked user who is not an admin gets 401 like any wrong password, not 403', async () => {
    const { user, username, password } = await createUser(server, { tenant: 'locks.example' });
    assert.equal((await call(password, username)).status, 403, 'the right password of a non-admin is known to be right');
    await server.services.claimValues.set(user, { [CLAIMS.accountLocked]: 'true' });
    assert.equal((await call(password, username)).status, 401, 'locked: not compared, so not confirmed');
  });
});
