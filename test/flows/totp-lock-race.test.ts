// The TOTP lock and the code check are one decision: 50 wrong codes fired at once from 50 logins lock the account
// after exactly allowed_failed_attempts of them, and a correct code afterwards is refused, on SQLite and on
// PostgreSQL. And a correct code already past the early lock check when the lock lands is refused too: the
// acceptance is one UPDATE conditional on the lock state (SecurityStateStore.acceptTotpStep).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { claimOf, setMyAccountSteps, setTotpParams, tenantOf } from '../support/fixtures.ts';
import { enrolledUser } from '../support/enrolment.ts';
import { alertText, awayFromStepEdge, codeAt, LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';

const ALLOWED = 5;
const WRONG = 50;

for (const type of ['sqlite', 'postgres'] as const) {
  const available = await isAvailable(type);
  describe(`TOTP lock under concurrent guesses on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let database: TestDatabase;
    let server: TestServer;

    before(async () => {
      database = await createTestDatabase(type);
      // 51 logins of one user in a few seconds: lift the rate limits, which are not what this test is about.
      const toml = `[identity_mgt.account_locking]\nallowed_failed_attempts = ${ALLOWED}\n[rate_limit]\nper_ip_per_minute = 100000\nper_account_per_minute = 100000`;
      server = await startTestServer({ database, toml });
      await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
      await setTotpParams(server, { showAuthFailureReason: false });
    });
    after(async () => {
      await server?.close();
      await database?.drop();
    });

    test(`${WRONG} concurrent wrong codes lock the account; a correct code then is refused`, async () => {
      const { user, username, password, totp } = await enrolledUser(server);
      const logins: { browser: LoginBrowser; page: Page }[] = [];
      for (let i = 0; i <= WRONG; i++) {
        const browser = new LoginBrowser(server.client());
        const page = await browser.login(await browser.open('/myaccount'), username, password);
        assert.equal(page.name, 'totp.do');
        logins.push({ browser, page });
      }
      const last = logins.pop()!;
      await awayFromStepEdge(totp.period, 8);
      const wrong = String((Number(codeAt(totp)) + 500_000) % 1_000_000).padStart(6, '0');
      const results = await Promise.all(logins.map(({ browser, page }) => browser.submit(page, { token: wrong })));
      // Failures are counted atomically: at most ALLOWED - 1 were told to retry (fewer when a request counted
      // before the lock but looked at the account after it), every other login ended as locked.
      const retries = results.filter((p) => p.name === 'totp.do').length;
      assert.ok(retries <= ALLOWED - 1, results.map((p) => p.name).join(','));
      assert.equal(results.filter((p) => p.name === 'totp_error.do').length, WRONG - retries);
      assert.ok(results.filter((p) => p.name === 'totp_error.do').every((p) => /account is locked/.test(alertText(p))));
      assert.equal(await claimOf(server, user, CLAIMS.accountLocked), 'true');

      const done = await last.browser.submit(last.page, { token: codeAt(totp) });
      assert.notEqual(done.name, 'myaccount', 'the correct code must not log in to a locked account');
      assert.equal(done.name, 'totp_error.do');
      assert.match(alertText(done), /account is locked/);
      const events = await server.services.audit.list((await tenantOf(server)).id, { userId: user.id, event: 'account.locked', offset: 0, limit: 10 });
      assert.equal(events.total, 1, 'the account locked once');
    });

    test('a correct code that passed the early check is refused when the lock lands before it is accepted', async () => {
      const { user, username, password, totp } = await enrolledUser(server);
      const browser = new LoginBrowser(server.client());
      const page = await browser.login(await browser.open('/myaccount'), username, password);
      assert.equal(page.name, 'totp.do');
      // The interleaving a burst produces, made deterministic: the authenticator's early read sees the account
      // usable, and a concurrent failure locks it right after that read (the same LockoutService instance the
      // authenticator holds, wrapped for this one call).
      const { lockout, security } = server.services;
      const original = lockout.accountState;
      let armed = true;
      lockout.accountState = async function (this: typeof lockout, u, now) {
        const state = await original.call(this, u, now);
        if (armed && u.id === user.id) {
          armed = false;
          await security.registerFailure(u, 'totp', { maxAttempts: 1, reason: 'MAX_TOTP_ATTEMPTS_EXCEEDED', durationMs: () => 300_000 }, now);
        }
        return state;
      };
      try {
        await awayFromStepEdge(totp.period, 8);
        const done = await browser.submit(page, { token: codeAt(totp) });
        assert.equal(armed, false, 'the lock landed after the early check');
        assert.equal(done.name, 'totp_error.do', 'refused as locked, not logged in and not "already used"');
        assert.match(alertText(done), /account is locked/);
      } finally {
        lockout.accountState = original;
      }
    });
  });
}
