// An email code is used by one DELETE that also requires the account to be usable, on every database: a locked
// or disabled account cannot sign in with a code it was sent before the lock.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ALL_DATABASES, isAvailable, openTestStorage } from '../../../test/support/databases.ts';
import { skipUnless } from '../../../test/support/services.ts';
import { Keyring } from '../../crypto/keyring.ts';
import { SecurityStateStore } from '../../users/security-state.ts';
import type { UserRecord } from '../../users/user-store.ts';
import { EmailCodeStore } from './email-code.ts';

const NOW = Date.UTC(2026, 0, 1);
const newUser = (): UserRecord => ({ id: randomUUID(), tenantId: 't1', storeDomain: 'PRIMARY', username: `u-${randomUUID()}`, createdAt: 0, updatedAt: 0 });

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describe(`email codes on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let storage: Awaited<ReturnType<typeof openTestStorage>>;
    let codes: EmailCodeStore;
    let security: SecurityStateStore;

    before(async () => {
      storage = await openTestStorage(type);
      codes = new EmailCodeStore(storage.db, new Keyring([randomBytes(32)]));
      security = new SecurityStateStore(storage.db);
    });
    after(async () => storage?.close());

    async function issued(user: UserRecord): Promise<string> {
      const r = await codes.issue(user, 6, 60_000, NOW);
      assert.ok(r.issued);
      return r.code;
    }

    test('a code works once, for a usable account', async () => {
      const user = newUser();
      const code = await issued(user);
      assert.equal(await codes.consume(user, code, NOW + 1000), true);
      assert.equal(await codes.consume(user, code, NOW + 1000), false);
    });

    test('a locked or disabled account cannot use its code; it is still there once the account is usable', async () => {
      for (const patch of [{ accountLocked: true }, { accountDisabled: true }]) {
        const user = newUser();
        const code = await issued(user);
        await security.update(user, patch);
        assert.equal(await codes.consume(user, code, NOW + 1000), false);
        await security.update(user, { accountLocked: false, accountDisabled: false });
        assert.equal(await codes.consume(user, code, NOW + 1000), true);
      }
    });
  });
}
