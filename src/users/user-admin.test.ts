// UserAdminService with in-memory fakes: which use-cases end sessions, one audit event each with the actor,
// refusals before any change, the state claims turned into their own use-cases, and the TOTP reset's writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditInput } from '../audit/audit-log.ts';
import type { ClaimValueService } from '../claims/claim-values.ts';
import { CLAIMS } from '../claims/local-claims.ts';
import { AppError } from '../errors/app-error.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import { INITIAL_SECURITY_STATE, type SecurityPatch, type SecurityState, type SecurityStateStore } from './security-state.ts';
import type { TotpImport } from './totp-import.ts';
import { UserAdminService, type AdminRequest } from './user-admin.ts';
import type { UserRecord } from './user-store.ts';
import type { UserService } from './user-service.ts';

const tenant: Tenant = { id: 't1', domain: 'example.com', active: true, adminUsername: 'admin', createdAt: 0 };
const record = (id: string, username: string): UserRecord => ({ id, tenantId: 't1', storeDomain: 'PRIMARY', username, createdAt: 0, updatedAt: 0 });
const admin = record('a1', 'admin');
const req: AdminRequest = { tenant, actor: admin, sessionId: 'admin-session', via: 'Console', traceId: 'trace-1', remoteAddress: '192.0.2.1' };

function setup() {
  const users = new Map<string, UserRecord>([[admin.id, admin]]);
  const claimWrites: Record<string, string | null>[] = [];
  const security = new Map<string, SecurityState>();
  const events: AuditInput[] = [];
  const ended: [string, string | undefined][] = [];
  const passwords = new Map<string, string>();
  const totpResets: string[] = [];
  const linksRemoved: string[] = [];
  const imports: [string, TotpImport][] = [];
  let refuseClaims = false;
  const stateOf = (u: UserRecord) => security.get(u.id) ?? { ...INITIAL_SECURITY_STATE };
  const patch = (u: UserRecord, p: SecurityPatch) => security.set(u.id, { ...stateOf(u), ...p });
  const fakeUsers = {
    findById: async (_t: Tenant, id: string) => users.get(id),
    find: async (_t: Tenant, name: string) => [...users.values()].find((u) => u.username === name),
    create: async (_t: Tenant, input: { username: string; password: string }) => {
      const u = record(`u${users.size}`, input.username);
      users.set(u.id, u);
      return u;
    },
    delete: async (u: UserRecord) => void users.delete(u.id),
    setPassword: async (u: UserRecord, password: string) => {
      if (password.length < 8) throw new AppError('USR-40002');
      passwords.set(u.id, password);
    },
  };
  const claimValues = {
    set: async (u: UserRecord, values: Record<string, string | null>) => {
      if (refuseClaims) throw new AppError('CLM-40001');
      claimWrites.push(values);
      // The two state claims write the security state, as ClaimValueService does.
      if (CLAIMS.accountDisabled in values) patch(u, { accountDisabled: values[CLAIMS.accountDisabled] === 'true' });
      if (values[CLAIMS.accountLocked]) patch(u, { accountLocked: values[CLAIMS.accountLocked] === 'true' });
    },
  };
  const securityStore = { get: async (u: UserRecord) => stateOf(u), update: async (u: UserRecord, p: SecurityPatch) => void patch(u, p) };
  const service = new UserAdminService({
    users: fakeUsers as unknown as UserService,
    claimValues: claimValues as unknown as ClaimValueService,
    security: securityStore as unknown as SecurityStateStore,
    audit: { record: async (e) => void events.push(e) },
    endSessions: async (userId, keep) => void ended.push([userId, keep]),
    removeLinks: async (u) => void linksRemoved.push(u.id),
    // The credentials layer's reset (credentials/totp/): its own tests cover what it removes.
    resetTotp: async (u) => {
      totpResets.push(u.id);
      patch(u, { lastTotpStep: null, failedTotpAttempts: 0 });
    },
    // The credentials layer's importSecret: it refuses a bad secret by naming the field, as the real one does.
    importTotp: async (u, input) => {
      if (!/^[A-Z2-7]+$/.test(input.secret)) throw new AppError('PCS-40001', { description: 'secret: Not Base32.' });
      imports.push([u.id, input]);
    },
  });
  const bob = record('b1', 'bob');
  users.set(bob.id, bob);
  return { service, bob, users, claimWrites, totpResets, imports, security, events, ended, linksRemoved, passwords, stateOf, refuse: () => (refuseClaims = true) };
}

test('each use-case writes one audit event naming the admin; only the ones that take something away end sessions', async () => {
  const cases: [string, (s: UserAdminService, u: UserRecord) => Promise<unknown>, string, boolean][] = [
    ['disable', (s, u) => s.disable(req, u), 'account.disabled', true],
    ['enable', (s, u) => s.enable(req, u), 'account.enabled', false],
    ['lock', (s, u) => s.lock(req, u), 'account.locked', true],
    ['unlock', (s, u) => s.unlock(req, u), 'account.unlocked', false],
    ['set password', (s, u) => s.setPassword(req, u, 'a new passphrase'), 'password.changed', true],
    ['reset TOTP', (s, u) => s.resetTotp(req, u), 'totp.reset', true],
    ['import TOTP', (s, u) => s.importTotp(req, u, { secret: 'JBSWY3DPEHPK3PXP', encoding: 'Base32', algorithm: 'SHA1', digits: 6, period: 30 }), 'totp.imported', true],
    ['profile update', (s, u) => s.update(req, u, { claims: { [CLAIMS.givenName]: 'Bob' } }), 'user.updated', false],
    ['delete', (s, u) => s.delete(req, u), 'user.deleted', true],
  ];
  for (const [name, run, event, ends] of cases) {
    const { service, bob, events, ended, linksRemoved } = setup();
    await run(service, bob);
    assert.deepEqual(linksRemoved, name === 'delete' ? [bob.id] : [], `${name}: linked accounts ${name === 'delete' ? 'removed' : 'kept'}`);
    assert.deepEqual(events.map((e) => e.event), [event], name);
    assert.deepEqual(events[0]!.actor, admin, `${name}: the actor has its own field`);
    assert.equal(events[0]!.user?.id, bob.id, name);
    assert.equal(events[0]!.application, 'Console', name);
    assert.equal(events[0]!.traceId, 'trace-1', name);
    assert.deepEqual(ended, ends ? [[bob.id, undefined]] : [], `${name}: sessions ${ends ? 'end' : 'stay'}`);
  }
});

test('create writes the claims and audits; a refused claim leaves no user behind and no event', async () => {
  const { service, users, events, ended, refuse } = setup();
  const carol = await service.create(req, { username: 'carol', password: 'long enough', claims: { [CLAIMS.email]: 'c@example.com' } });
  assert.equal(users.get(carol.id)?.username, 'carol');
  assert.deepEqual(events.map((e) => [e.event, e.actor?.username]), [['user.created', 'admin']]);
  assert.deepEqual(ended, []);
  refuse();
  await assert.rejects(service.create(req, { username: 'dave', password: 'long enough', claims: { [CLAIMS.email]: 'bad' } }), /Invalid claim/);
  assert.ok(![...users.values()].some((u) => u.username === 'dave'));
  assert.equal(events.length, 1);
});

test("an admin's own password change keeps the session it was made from; another user's ends everything", async () => {
  const { service, bob, ended } = setup();
  await service.setPassword(req, admin, 'a new passphrase');
  await service.setPassword(req, bob, 'a new passphrase');
  assert.deepEqual(ended, [
    [admin.id, 'admin-session'],
    [bob.id, undefined],
  ]);
});

test('update: a weak password or the protected admin is refused before anything changes', async () => {
  const { service, bob, claimWrites, events, ended } = setup();
  await assert.rejects(service.update(req, bob, { claims: { [CLAIMS.givenName]: 'B' }, password: 'short' }), (e: unknown) => e instanceof AppError && e.code === 'USR-40002');
  for (const changes of [{ active: false }, { locked: true }, { claims: { [CLAIMS.givenName]: 'A', [CLAIMS.accountDisabled]: 'true' } }]) {
    await assert.rejects(service.update(req, admin, changes), (e: unknown) => e instanceof AppError && e.code === 'USR-40301');
  }
  await assert.rejects(service.delete(req, admin), (e: unknown) => e instanceof AppError && e.code === 'USR-40301');
  assert.deepEqual([claimWrites, events, ended], [[], [], []]);
});

test('update: the accountDisabled and accountLocked claims become disable and lock, only when the state changes', async () => {
  const { service, bob, events, ended, stateOf } = setup();
  await service.update(req, bob, { claims: { [CLAIMS.givenName]: 'Bob', [CLAIMS.accountDisabled]: 'true', [CLAIMS.accountLocked]: 'true' } });
  assert.deepEqual(events.map((e) => e.event), ['user.updated', 'account.disabled', 'account.locked']);
  assert.equal(events[0]!.reason, 'givenname', 'the profile event names the changed claims, never their values');
  assert.deepEqual(ended, [
    [bob.id, undefined],
    [bob.id, undefined],
  ]);
  assert.deepEqual([stateOf(bob).accountDisabled, stateOf(bob).accountLocked], [true, true]);
  await service.update(req, bob, { active: false, locked: true });
  assert.equal(events.length, 3, 'no change, no event');
  await service.update(req, bob, { claims: { [CLAIMS.accountDisabled]: null }, locked: false });
  assert.deepEqual(events.slice(3).map((e) => e.event), ['account.enabled', 'account.unlocked']);
  await assert.rejects(service.update(req, bob, { claims: { [CLAIMS.accountLocked]: 'maybe' } }), /Invalid claim/);
});

test('reset TOTP goes through the credentials layer, ends sessions and leaves the password counter alone', async () => {
  const { service, bob, claimWrites, totpResets, security, ended, events } = setup();
  security.set(bob.id, { ...INITIAL_SECURITY_STATE, lastTotpStep: 1234, failedTotpAttempts: 3, failedLoginAttempts: 2 });
  await service.resetTotp(req, bob);
  assert.deepEqual(totpResets, [bob.id]);
  assert.deepEqual(claimWrites, [], 'no claim is written around the credential');
  assert.deepEqual(ended, [[bob.id, undefined]]);
  assert.deepEqual(events.map((e) => e.event), ['totp.reset']);
  const s = security.get(bob.id)!;
  assert.deepEqual([s.lastTotpStep, s.failedTotpAttempts, s.failedLoginAttempts], [null, 0, 2]);
});

test('import TOTP goes through the credentials layer; the audit reason names the parameters, never the secret', async () => {
  const { service, bob, imports, events, ended } = setup();
  const input: TotpImport = { secret: 'JBSWY3DPEHPK3PXP', encoding: 'Base32', algorithm: 'SHA256', digits: 8, period: 60 };
  await service.importTotp(req, bob, input);
  assert.deepEqual(imports, [[bob.id, input]]);
  assert.deepEqual(ended, [[bob.id, undefined]]);
  assert.equal(events[0]?.reason, 'Base32 SHA256 8 digits 60s');
  assert.doesNotMatch(JSON.stringify(events), /JBSWY3DPEHPK3PXP/);
});

test('CSV import: header skipped, good lines imported, bad ones reported by line number with nothing of the secret', async () => {
  const { service, users, imports, events } = setup();
  const carol = record('c1', 'carol');
  users.set(carol.id, carol);
  const csv = ['username,secret,algorithm,digits,period', 'bob,JBSWY3DPEHPK3PXP', '', 'nobody,JBSWY3DPEHPK3PXP', 'carol,not-base32!', 'carol,GEZDGNBVGY3TQOJQ,SHA512,8,60', 'bob', 'bob,JBSWY3DPEHPK3PXP,MD5'].join('\r\n');
  const report = await service.importTotpCsv(req, csv);
  assert.equal(report.imported, 2);
  assert.deepEqual(
    report.failed.map((f) => [f.line, f.username, f.code]),
    [
      [4, 'nobody', 'USR-40401'],
      [5, 'carol', 'PCS-40001'],
      [7, 'bob', 'PCS-40001'],
      [8, 'bob', 'PCS-40001'],
    ],
  );
  assert.match(report.failed[1]!.description, /^secret/);
  assert.match(report.failed[3]!.description, /^algorithm/);
  assert.deepEqual(imports[1], [carol.id, { secret: 'GEZDGNBVGY3TQOJQ', encoding: 'Base32', algorithm: 'SHA512', digits: 8, period: 60 }]);
  assert.equal(events.filter((e) => e.event === 'totp.imported').length, 2, 'one event per imported line');
  assert.doesNotMatch(JSON.stringify([report, events]), /JBSWY3DPEHPK3PXP|not-base32|GEZDGNBVGY3TQOJQ/);
});
