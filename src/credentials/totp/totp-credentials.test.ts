// The TOTP credential operations on every database: enrolment is proven before it counts, refresh keeps the old
// secret working, each credential is checked with its own parameters, replay and lock rules hold atomically.
// Codes are computed with the independent otpauth library.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { ALL_DATABASES, isAvailable, openTestStorage } from '../../../test/support/databases.ts';
import { skipUnless } from '../../../test/support/services.ts';
import { totpParameters, validateSection, type TotpParameters } from '../../config/index.ts';
import { Keyring } from '../../crypto/keyring.ts';
import { ManualClock } from '../../time/clock.ts';
import { LockoutService } from '../../users/lockout.ts';
import { SecurityStateStore } from '../../users/security-state.ts';
import type { UserRecord } from '../../users/user-store.ts';
import { createCredentials } from '../registry.ts';
import type { TotpCredentials, TotpSecret } from './index.ts';

const newUser = (): UserRecord => ({ id: randomUUID(), tenantId: 't1', storeDomain: 'PRIMARY', username: `u-${randomUUID()}`, createdAt: 0, updatedAt: 0 });
const tenant = (overrides: Record<string, unknown> = {}): TotpParameters => validateSection(totpParameters, overrides, 'totp').value;

/** What an authenticator app holding `s` shows at `at`. */
function code(s: Pick<TotpSecret, 'key' | 'algorithm' | 'digits' | 'period'>, at: number): string {
  return new OTPAuth.TOTP({ secret: new OTPAuth.Secret({ buffer: new Uint8Array(s.key).buffer }), algorithm: s.algorithm, digits: s.digits, period: s.period }).generate({ timestamp: at });
}

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describe(`TOTP credentials on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let storage: Awaited<ReturnType<typeof openTestStorage>>;
    let security: SecurityStateStore;
    let totp: TotpCredentials;
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 10));
    const step = 30_000;

    before(async () => {
      storage = await openTestStorage(type);
      security = new SecurityStateStore(storage.db);
      const lockout = new LockoutService(security, { enabled: true, allowedFailedAttempts: 3, autoUnlockAfterMinutes: 5, incrementRatio: 1 });
      totp = createCredentials({ db: storage.db, keyring: new Keyring([randomBytes(32)]), security, lockout, clock }).totp;
    });
    after(async () => storage?.close());

    test('enrolment: a wrong code keeps the secret pending and counts; the right one makes it active', async () => {
      const user = newUser();
      const params = tenant();
      assert.deepEqual(await totp.status(user), { enrolled: false, pending: false });
      const pending = await totp.beginEnrolment(user, params);
      assert.deepEqual([pending.algorithm, pending.digits, pending.period, pending.encoding, pending.explicit], ['SHA1', 6, 30, 'Base32', true]);
      assert.deepEqual(await totp.status(user), { enrolled: false, pending: true });
      const now = clock.now();
      const wrong = code(pending, now) === '000000' ? '111111' : '000000';
      assert.deepEqual(await totp.confirmEnrolment(user, wrong, now, params), { ok: false, reason: 'invalid', lockedNow: false, unlockTime: null, remaining: 2 });
      assert.deepEqual(await totp.status(user), { enrolled: false, pending: true });
      assert.deepEqual(await totp.verify(user, code(pending, now), now, params), { ok: false, reason: 'none' }, 'a pending secret does not pass a login');
      assert.deepEqual(await totp.confirmEnrolment(user, code(pending, now), now, params), { ok: true });
      assert.deepEqual(await totp.status(user), { enrolled: true, pending: false });
      assert.equal((await security.get(user)).failedTotpAttempts, 0, 'a success restarts the counter');
      assert.equal((await totp.active(user, params))!.text, pending.text);
      assert.deepEqual(await totp.verify(user, code(pending, now + step), now + step, params), { ok: true });
    });

    test('a code is accepted once; the replay is refused and counted', async () => {
      const user = newUser();
      const params = tenant();
      const s = await totp.beginEnrolment(user, params);
      const now = clock.now();
      assert.equal((await totp.confirmEnrolment(user, code(s, now), now, params)).ok, true);
      const replay = await totp.verify(user, code(s, now), now, params);
      assert.equal(replay.ok, false);
      assert.equal(!replay.ok && replay.reason, 'reused');
      assert.equal((await security.get(user)).failedTotpAttempts, 1);
    });

    test('refresh: the old secret keeps working until the new one is proven, then only the new one works', async () => {
      const user = newUser();
      const params = tenant();
      let now = clock.now();
      const old = await totp.beginEnrolment(user, params);
      assert.equal((await totp.confirmEnrolment(user, code(old, now), now, params)).ok, true);
      const fresh = await totp.refresh(user, params);
      assert.notEqual(fresh.text, old.text);
      assert.deepEqual(await totp.status(user), { enrolled: true, pending: true });
      now += step;
      assert.equal((await totp.verify(user, code(old, now), now, params)).ok, true, 'old secret still logs in');
      now += step;
      assert.equal((await totp.confirmEnrolment(user, code(old, now), now, params)).ok, false, 'the old code does not prove the new secret');
      assert.equal((await totp.confirmEnrolment(user, code(fresh, now), now, params)).ok, true);
      now += step;
      assert.equal((await totp.verify(user, code(old, now), now, params)).ok, false, 'old secret gone');
      now += step;
      assert.equal((await totp.verify(user, code(fresh, now), now, params)).ok, true);
    });

    test('a credential keeps its parameters when the tenant changes digits and algorithm', async () => {
      const user = newUser();
      const before = tenant();
      const s = await totp.beginEnrolment(user, before);
      let now = clock.now();
      assert.equal((await totp.confirmEnrolment(user, code(s, now), now, before)).ok, true);
      const after = tenant({ digits: 8, algorithm: 'SHA256' });
      now += step;
      assert.equal((await totp.verify(user, code(s, now), now, after)).ok, true, 'the 6-digit SHA1 code still passes');
      const later = newUser();
      const s2 = await totp.beginEnrolment(later, after);
      assert.deepEqual([s2.algorithm, s2.digits], ['SHA256', 8]);
      assert.equal(code(s2, now).length, 8);
      assert.equal((await totp.confirmEnrolment(later, code(s2, now), now, after)).ok, true);
      assert.deepEqual([(await totp.active(later, before))!.algorithm, (await totp.active(later, before))!.digits], ['SHA256', 8], 'stored, not taken from the tenant');
    });

    test('reset removes both secrets, marks TOTP off and restarts the step and counter', async () => {
      const user = newUser();
      const params = tenant();
      const s = await totp.beginEnrolment(user, params);
      const now = clock.now();
      assert.equal((await totp.confirmEnrolment(user, code(s, now), now, params)).ok, true);
      await totp.refresh(user, params);
      await security.update(user, { failedTotpAttempts: 2 });
      await totp.reset(user);
      assert.deepEqual(await totp.status(user), { enrolled: false, pending: false });
      const st = await security.get(user);
      assert.deepEqual([st.lastTotpStep, st.failedTotpAttempts], [null, 0]);
      const enabled = await storage.db.selectFrom('identity_claims').select('value').where('user_id', '=', user.id).where('claim_uri', '=', 'http://wso2.org/claims/identity/totpEnabled').executeTakeFirst();
      assert.equal(enabled?.value, 'false');
      assert.deepEqual(await totp.verify(user, code(s, now + step), now + step, params), { ok: false, reason: 'none' });
    });

    test('import: Base32 and Base64 secrets with their own parameters log in; bad input is a 400', async () => {
      const key = randomBytes(20);
      const params = tenant();
      const now = clock.now();
      const a = newUser();
      await totp.importSecret(a, { secret: new OTPAuth.Secret({ buffer: new Uint8Array(key).buffer }).base32.toLowerCase(), encoding: 'Base32', algorithm: 'SHA512', digits: 8, period: 60 });
      const sa = (await totp.active(a, params))!;
      assert.deepEqual([sa.algorithm, sa.digits, sa.period, sa.encoding], ['SHA512', 8, 60, 'Base32']);
      assert.ok(sa.key.equals(key));
      assert.equal((await totp.verify(a, code({ key, algorithm: 'SHA512', digits: 8, period: 60 }, now), now, params)).ok, true);
      const b = newUser();
      await totp.importSecret(b, { secret: key.toString('base64'), encoding: 'Base64', algorithm: 'SHA256', digits: 6, period: 30 });
      assert.equal((await totp.active(b, params))!.text, key.toString('base64'));
      assert.equal((await totp.verify(b, code({ key, algorithm: 'SHA256', digits: 6, period: 30 }, now), now, params)).ok, true);
      await assert.rejects(totp.importSecret(newUser(), { secret: '!!not base32', encoding: 'Base32', algorithm: 'SHA1', digits: 6, period: 30 }), (e: { code?: string }) => e.code === 'PCS-40001');
      await assert.rejects(totp.importSecret(newUser(), { secret: key.toString('base64'), encoding: 'Base64', algorithm: 'MD5' as 'SHA1', digits: 6, period: 30 }), (e: { code?: string }) => e.code === 'PCS-40001');
    });

    test('a locked account is refused a correct code in the accepting statement itself, and the step stays unused', async () => {
      const user = newUser();
      const params = tenant();
      const s = await totp.beginEnrolment(user, params);
      let now = clock.now();
      assert.equal((await totp.confirmEnrolment(user, code(s, now), now, params)).ok, true);
      now += step;
      const before = (await security.get(user)).lastTotpStep;
      // Locked after any read a caller made: only acceptTotpStep's condition stands between the code and success.
      await security.update(user, { accountLocked: true, lockedReason: 'AdminInitiated' });
      assert.deepEqual(await totp.verify(user, code(s, now), now, params), { ok: false, reason: 'unusable' });
      assert.equal((await security.get(user)).lastTotpStep, before);
      // Wrong codes lock the account on the third failure.
      const other = newUser();
      const s2 = await totp.beginEnrolment(other, params);
      assert.equal((await totp.confirmEnrolment(other, code(s2, now), now, params)).ok, true);
      const window = [0, 1, 2].map((i) => code(s2, now + i * step));
      const bad = ['123456', '654321', '111111', '222222'].find((c) => !window.includes(c))!;
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await totp.verify(other, bad, now + step, params));
      assert.deepEqual(results.map((r) => !r.ok && r.lockedNow), [false, false, true]);
      assert.deepEqual(await totp.verify(other, code(s2, now + step), now + step, params), { ok: false, reason: 'unusable' });
    });
  });
}
