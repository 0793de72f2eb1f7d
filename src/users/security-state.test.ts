// Accepting a TOTP time step is one UPDATE conditional on the account being usable, on every database: a code
// cannot be accepted while the account is locked or disabled, however the lock and the acceptance interleave.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ALL_DATABASES, isAvailable, openTestStorage } from '../../test/support/databases.ts';
import { skipUnless } from '../../test/support/services.ts';
import { SecurityStateStore } from './security-state.ts';
import type { UserRecord } from './user-store.ts';

const newUser = (): UserRecord => ({ id: randomUUID(), tenantId: 't1', storeDomain: 'PRIMARY', username: `u-${randomUUID()}`, createdAt: 0, updatedAt: 0 });

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describe(`acceptTotpStep on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let storage: Awaited<ReturnType<typeof openTestStorage>>;
    let security: SecurityStateStore;

    before(async () => {
      storage = await openTestStorage(type);
      security = new SecurityStateStore(storage.db);
    });
    after(async () => storage?.close());

    test('a newer step is accepted once; an older or the same step is refused (RFC 6238 section 5.2)', async () => {
      const user = newUser();
      assert.equal(await security.acceptTotpStep(user, 100), true);
      assert.equal(await security.acceptTotpStep(user, 100), false);
      assert.equal(await security.acceptTotpStep(user, 99), false);
      assert.equal(await security.acceptTotpStep(user, 101), true);
    });

    test('nothing is accepted while the account is locked or disabled, with or without reuse prevention', async () => {
      for (const patch of [{ accountLocked: true }, { accountDisabled: true }]) {
        const user = newUser();
        await security.update(user, patch);
        assert.equal(await security.acceptTotpStep(user, 200), false);
        assert.equal(await security.acceptTotpStep(user, 200, { preventReuse: false }), false);
        assert.equal((await security.get(user)).lastTotpStep, null, 'no step was recorded');
        await security.update(user, { accountLocked: false, accountDisabled: false });
        assert.equal(await security.acceptTotpStep(user, 200), true);
      }
    });

    test('without reuse prevention the same step passes again, and the highest step is kept', async () => {
      const user = newUser();
      assert.equal(await security.acceptTotpStep(user, 300, { preventReuse: false }), true);
      assert.equal(await security.acceptTotpStep(user, 300, { preventReuse: false }), true);
      assert.equal(await security.acceptTotpStep(user, 299, { preventReuse: false }), true);
      assert.equal((await security.get(user)).lastTotpStep, 300);
    });

    test('an accepted step restarts the failed-code counter in the same single statement; a refused step does not', async () => {
      const user = newUser();
      const rule = { maxAttempts: 5, reason: 'MAX_TOTP_ATTEMPTS_EXCEEDED', durationMs: () => 300_000 };
      await security.registerFailure(user, 'totp', rule, 0);
      await security.registerFailure(user, 'totp', rule, 0);
      await security.registerFailure(user, 'login', rule, 0);
      const before = storage.statementCount();
      assert.equal(await security.acceptTotpStep(user, 500), true);
      assert.equal(storage.statementCount() - before, 1, 'one UPDATE when the row exists');
      const state = await security.get(user);
      assert.equal(state.failedTotpAttempts, 0);
      assert.equal(state.failedLoginAttempts, 1, 'the password counter is not the code counter');
      await security.registerFailure(user, 'totp', rule, 0);
      assert.equal(await security.acceptTotpStep(user, 500), false, 'the same step again');
      assert.equal((await security.get(user)).failedTotpAttempts, 1, 'a refused step resets nothing');
    });

    test('a user without a security row: the first step makes the row and is accepted', async () => {
      const user = newUser();
      assert.equal(await security.acceptTotpStep(user, 600, { preventReuse: false }), true);
      assert.equal((await security.get(user)).lastTotpStep, 600);
    });

    test('a burst of failures and a correct code at once: the code passes only if it came before the lock', async () => {
      const user = newUser();
      await security.ensureRow(user);
      const rule = { maxAttempts: 5, reason: 'MAX_TOTP_ATTEMPTS_EXCEEDED', durationMs: () => 300_000 };
      const failures = Array.from({ length: 50 }, () => security.registerFailure(user, 'totp', rule, 0));
      const accepted = await security.acceptTotpStep(user, 400);
      const results = await Promise.all(failures);
      assert.equal(results.filter((r) => r.lockedNow).length, 1, 'the account locked exactly once');
      assert.equal((await security.get(user)).accountLocked, true);
      // Whatever the interleaving, once locked no further step is accepted.
      assert.equal(await security.acceptTotpStep(user, 401), false);
      assert.equal((await security.get(user)).lastTotpStep, accepted ? 400 : null);
    });
  });
}
