// Who may call TOTPAdminService on whom: a tenant's admin on the users of its own tenant (names as name@tenant,
// DOMAIN/name@tenant or bare); a user on itself only with [admin_services.totp] self_operations = true; nobody
// across tenants, with the same fault as "not authorized" so tenants and users cannot be probed. Basic
// credentials go through the one password policy: wrong passwords count toward the lock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { ManualClock } from '../../src/time/clock.ts';
import { claimOf, createUser } from '../support/fixtures.ts';
import type { Response } from '../support/http-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';

const BOSS = { username: 'boss', password: 'a long password' };
const NOT_AUTHORIZED = /<soapenv:Text xml:lang="en">User is not authorized perform the operation<\/soapenv:Text>/;

/** A fault body without its trace id, to compare two refusals. */
const sansTrace = (res: Response) => res.text.replace(/<ns:traceId>[^<]*<\/ns:traceId>/, '');

function call(server: TestServer, operation: string, username: string, auth: [string, string], prefix = ''): Promise<Response> {
  return server.client().post(`${prefix}/services/TOTPAdminService/${operation}`, { form: { username }, auth });
}

describe('TOTPAdminService authorization (self_operations off, the default)', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());

  before(async () => {
    server = await startTestServer({ clock });
    await provisionTenant(server, 'a.example', BOSS);
    await provisionTenant(server, 'b.example', BOSS);
    await provisionTenant(server, 'locks.example', BOSS);
  });
  after(async () => server?.close());

  test("a tenant's admin acts on its users: name@tenant, DOMAIN/name@tenant, a bare name, and under /t/{tenant}", async () => {
    const alice = await createUser(server, { tenant: 'a.example', prefix: 'alice' });
    for (const [name, auth, prefix] of [
      [`${alice.username}@a.example`, ['boss@a.example', BOSS.password], ''],
      [`PRIMARY/${alice.username}@a.example`, ['boss@a.example', BOSS.password], ''],
      [alice.username, ['boss', BOSS.password], '/t/a.example'],
    ] as [string, [string, string], string][]) {
      const res = await call(server, 'initTOTP', name, auth, prefix);
      assert.equal(res.status, 200, `${name}: ${res.text}`);
      assert.match(res.text, /^<ns:initTOTPResponse /);
    }
    assert.equal((await server.services.totpManagement.status(alice.user)).pending, true);
    const tenant = (await server.services.tenants.findByDomain('a.example'))!;
    const { events } = await server.services.audit.list(tenant.id, { userId: alice.user.id, event: 'totp.enrolment_started', offset: 0, limit: 10 });
    assert.equal(events[0]?.actor, 'boss', 'the audit event names the admin');
    assert.equal(events[0]?.application, 'TOTPAdminService');
    const wsdl = await server.client().get('/t/a.example/services/TOTPAdminService?wsdl');
    assert.match(wsdl.text, new RegExp(`location="${server.url}/t/a.example/services/TOTPAdminService.TOTPAdminServiceHttpsSoap12Endpoint"`), "the WSDL names the tenant's endpoints");
  });

  test("an admin of tenant A is refused for a user of tenant B, exactly as for a user that does not exist there; B's user is unchanged", async () => {
    const bob = await createUser(server, { tenant: 'b.example', prefix: 'bob' });
    const asA: [string, string] = ['boss@a.example', BOSS.password];
    for (const op of ['initTOTP', 'retrieveSecretKey', 'resetTOTP', 'refreshSecretKey', 'generateSecret']) {
      const res = await call(server, op, `${bob.username}@b.example`, asA);
      assert.equal(res.status, 403, `${op}: ${res.text}`);
      assert.match(res.text, NOT_AUTHORIZED);
    }
    const missing = await call(server, 'initTOTP', 'nobody-here@b.example', asA);
    const existing = await call(server, 'initTOTP', `${bob.username}@b.example`, asA);
    assert.equal(sansTrace(missing), sansTrace(existing), 'an existing user of B reads like a missing one');
    // The super tenant's admin is a tenant admin too: no reach into other tenants.
    assert.equal((await call(server, 'initTOTP', `${bob.username}@b.example`, ['admin', 'admin'])).status, 403);
    // Under /t/a.example the path's tenant wins: B's admin credentials do not hold there.
    assert.equal((await call(server, 'initTOTP', `${bob.username}@b.example`, ['boss', BOSS.password], '/t/a.example')).status, 403);
    assert.deepEqual(await server.services.totpManagement.status(bob.user), { enrolled: false, pending: false });
    const tenant = (await server.services.tenants.findByDomain('b.example'))!;
    assert.equal((await server.services.audit.list(tenant.id, { userId: bob.user.id, offset: 0, limit: 10 })).events.length, 0);
  });

  test('a user who is not an admin is refused, on itself and on others', async () => {
    const carol = await createUser(server, { prefix: 'carol' });
    const dave = await createUser(server, { prefix: 'dave' });
    const self = await call(server, 'retrieveSecretKey', carol.username, [carol.username, carol.password]);
    assert.equal(self.status, 403);
    assert.match(self.text, NOT_AUTHORIZED);
    assert.doesNotMatch(self.text, /<ns:return>/);
    assert.equal(sansTrace(await call(server, 'initTOTP', dave.username, [carol.username, carol.password])), sansTrace(self));
    assert.deepEqual(await server.services.totpManagement.status(carol.user), { enrolled: false, pending: false });
  });

  test('wrong Basic passwords count toward the lock; then even the right one is refused (401) until it ends', async () => {
    const target = await createUser(server, { tenant: 'locks.example' });
    const boss = (await server.services.users.find((await server.services.tenants.findByDomain('locks.example'))!, 'boss'))!;
    const as = (password: string) => call(server, 'initTOTP', target.username, ['boss@locks.example', password]);
    for (let i = 0; i < 4; i++) assert.equal((await as(`wrong-${i}`)).status, 401);
    assert.equal(await claimOf(server, boss, CLAIMS.failedLoginAttempts), '4');
    const fifth = await as('wrong-4');
    assert.equal(fifth.status, 401);
    assert.match(String(fifth.headers['www-authenticate']), /^Basic /);
    assert.equal(await claimOf(server, boss, CLAIMS.accountLocked), 'true');
    assert.equal((await as(BOSS.password)).status, 401, 'locked: the right password is refused too');
    clock.advance(5 * 60_000 + 1000);
    assert.equal((await as(BOSS.password)).status, 200);
  });
});

describe('TOTPAdminService authorization with self_operations = true', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ toml: '[admin_services.totp]\nself_operations = true' });
    await provisionTenant(server, 'a.example', BOSS);
  });
  after(async () => server?.close());

  test('a user acts on itself, under any spelling of its name, and on nobody else', async () => {
    const erin = await createUser(server, { prefix: 'erin' });
    const frank = await createUser(server, { prefix: 'frank' });
    const auth: [string, string] = [erin.username, erin.password];
    for (const name of [erin.username, `${erin.username}@carbon.super`, `PRIMARY/${erin.username}@carbon.super`]) {
      const res = await call(server, 'initTOTP', name, auth);
      assert.equal(res.status, 200, `${name}: ${res.text}`);
    }
    assert.match((await call(server, 'retrieveSecretKey', erin.username, auth)).text, /<ns:return>[A-Z2-7]+<\/ns:return>/);

    const other = await call(server, 'initTOTP', frank.username, auth);
    assert.equal(other.status, 403);
    assert.match(other.text, NOT_AUTHORIZED);
    assert.equal(sansTrace(await call(server, 'initTOTP', 'nobody-at-all', auth)), sansTrace(other), 'a missing user reads like another user');
    assert.equal(sansTrace(await call(server, 'initTOTP', 'SECONDARY/nobody', auth)), sansTrace(other), 'an unknown store reads the same');
    assert.equal(sansTrace(await call(server, 'initTOTP', `${erin.username}@a.example`, auth)), sansTrace(other), 'another tenant reads the same');
    assert.deepEqual(await server.services.totpManagement.status(frank.user), { enrolled: false, pending: false });
  });

  test("the tenant's admin still acts on any user of its tenant", async () => {
    const gina = await createUser(server, { tenant: 'a.example', prefix: 'gina' });
    assert.equal((await call(server, 'resetTOTP', gina.username, ['boss@a.example', BOSS.password])).status, 200);
  });
});
