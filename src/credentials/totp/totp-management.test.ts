// TotpManagement, the door every front outside the login goes through: begin reuses a pending secret, refresh
// makes a new one while the active keeps working, confirm and verify apply the credentials layer's rules, integer
// codes get their leading zeros back, and each act is one audit event naming the actor and the front.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { createUser, tenantOf } from '../../../test/support/fixtures.ts';
import { startTestServer, type TestServer } from '../../../test/support/server.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import { ManualClock } from '../../time/clock.ts';
import { decodeWso2QrPayload } from '../../totp/index.ts';
import type { UserRecord } from '../../users/user-store.ts';
import { codeText, type TotpQr, type TotpRequest } from './index.ts';

describe('TotpManagement', () => {
  let server: TestServer;
  let tenant: Tenant;
  let admin: UserRecord;
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 10));
  const app = (qr: TotpQr) => OTPAuth.URI.parse(decodeWso2QrPayload(qr.qrCodeUrl)) as OTPAuth.TOTP;
  const codeOf = (qr: TotpQr) => app(qr).generate({ timestamp: clock.now() });
  const req = (): TotpRequest => ({ tenant, actor: admin, via: 'unit', traceId: 'trace-1' });

  before(async () => {
    server = await startTestServer({ clock });
    tenant = await tenantOf(server);
    const found = await server.services.users.find(tenant, 'admin');
    assert.ok(found);
    admin = found;
  });
  after(async () => server?.close());

  test('codeText: strings stay exact; integers get their leading zeros back; out of range is a 400', () => {
    assert.equal(codeText('012345', 6), '012345');
    assert.equal(codeText(12345, 6), '012345');
    assert.equal(codeText(1234, 8), '00001234');
    for (const bad of [-1, 1_000_000, 1.5, Number.NaN]) assert.throws(() => codeText(bad, 6), /Invalid input/);
  });

  test('begin reuses the pending secret; refresh replaces it; confirm with the integer code makes it active', async () => {
    const { user } = await createUser(server);
    const m = server.services.totpManagement;
    const first = await m.begin(req(), user);
    assert.equal((await m.begin(req(), user)).secret.text, first.secret.text, 'INIT twice: the same pending secret');
    const second = await m.refresh(req(), user);
    assert.notEqual(second.secret.text, first.secret.text);
    assert.equal(await m.activeQr(tenant, user), undefined, 'nothing active before a code');
    assert.deepEqual(await m.confirm(req(), user, codeOf(first)), { ok: false, reason: 'invalid', lockedNow: false, unlockTime: null, remaining: 4 }, "the replaced secret's code proves nothing");
    const result = await m.confirm(req(), user, Number(codeOf(second)));
    assert.equal(result.ok, true);
    assert.equal((await m.activeQr(tenant, user))?.secret.text, second.secret.text);
    assert.deepEqual(await m.status(user), { enrolled: true, pending: false });
  });

  test('refresh keeps the active secret working until the new one is proven', async () => {
    const { user } = await createUser(server);
    const m = server.services.totpManagement;
    const old = await m.begin(req(), user);
    assert.equal((await m.confirm(req(), user, codeOf(old))).ok, true);
    clock.advance(30_000);
    const fresh = await m.refresh(req(), user);
    assert.equal((await m.verify(req(), user, codeOf(old))).ok, true, 'the old app still works');
    clock.advance(30_000);
    assert.equal((await m.confirm(req(), user, codeOf(fresh))).ok, true);
    clock.advance(30_000);
    assert.equal((await m.verify(req(), user, codeOf(old))).ok, false, 'the old app stops once the new one is proven');
    assert.equal((await m.verify(req(), user, codeOf(fresh))).ok, true);
  });

  test('secretText: the active secret, else the pending one, else a new pending one; a reset removes both', async () => {
    const { user } = await createUser(server);
    const m = server.services.totpManagement;
    const made = await m.secretText(req(), user);
    assert.deepEqual(await m.status(user), { enrolled: false, pending: true }, 'a new secret is pending, not active');
    assert.equal(await m.secretText(req(), user), made);
    await m.reset(req(), user);
    assert.deepEqual(await m.status(user), { enrolled: false, pending: false });
  });

  test('every act is audited with the actor and the front; no secret or code in the event', async () => {
    const { user } = await createUser(server);
    const m = server.services.totpManagement;
    const qr = await m.begin(req(), user);
    clock.advance(30_000);
    await m.confirm(req(), user, codeOf(qr) === '000000' ? '111111' : '000000');
    await m.confirm(req(), user, codeOf(qr));
    await m.secretText(req(), user);
    const { events } = await server.services.audit.list(tenant.id, { userId: user.id, offset: 0, limit: 50 });
    const seen = events.map((e) => `${e.event}:${e.outcome}:${e.actor}:${e.application}`).sort();
    assert.deepEqual(seen, ['totp.enrolled:failure:admin:unit', 'totp.enrolled:success:admin:unit', 'totp.enrolment_started:success:admin:unit', 'totp.secret_read:success:admin:unit']);
    assert.ok(!JSON.stringify(events).includes(qr.secret.text), 'the secret is not in the audit log');
  });
});
