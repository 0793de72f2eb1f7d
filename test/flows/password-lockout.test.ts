// The password step through the one password policy: a locked or disabled account is refused before the
// password is compared, so the right password on a locked account reads exactly like a wrong one; only a tenant
// that turned on showAuthFailureReason lets the page name the lock (for any password typed).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { ManualClock } from '../../src/time/clock.ts';
import { claimOf, createUser, setMyAccountSteps, setTotpParams } from '../support/fixtures.ts';
import { alertText, LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('password step and lockout', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());

  before(async () => {
    server = await startTestServer({ clock });
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
  });
  after(async () => server?.close());

  async function login(username: string, password: string): Promise<Page> {
    const browser = new LoginBrowser(server.client());
    return browser.login(await browser.open('/myaccount'), username, password);
  }

  /** What a visitor can see of a refusal: the page, its message, and the page URL without the login's id. */
  function answer(page: Page) {
    const url = new URL(page.url, 'https://x');
    url.searchParams.delete('sessionDataKey');
    return { name: page.name, status: page.status, alert: alertText(page), query: url.search };
  }

  async function lockByPasswords(username: string): Promise<void> {
    for (let i = 0; i < 5; i++) await login(username, `wrong-${i}`);
  }

  test('a locked account answers the right password exactly as a wrong one, and does not count either', async () => {
    await setTotpParams(server, { showAuthFailureReason: false });
    const { user, username, password } = await createUser(server);
    await lockByPasswords(username);
    assert.equal(await claimOf(server, user, CLAIMS.accountLocked), 'true');
    const right = answer(await login(username, password));
    const wrong = answer(await login(username, 'another wrong one'));
    const unknown = answer(await login('nobody-here', 'whatever it is'));
    assert.equal(right.name, 'login.do');
    assert.deepEqual(right, wrong);
    assert.deepEqual(right, unknown);
    assert.doesNotMatch(right.alert, /locked/);
    assert.doesNotMatch(right.query, /17003/);
    assert.equal(await claimOf(server, user, CLAIMS.failedLoginAttempts), '0', 'guesses during the lock are not compared, so not counted');
    // When the lock runs out, the right password works again.
    clock.advance(5 * 60_000 + 1000);
    assert.equal((await login(username, password)).name, 'myaccount');
  });

  test('a disabled account answers the right password as a wrong one', async () => {
    const { user, username, password } = await createUser(server);
    await server.services.claimValues.set(user, { [CLAIMS.accountDisabled]: 'true' });
    const right = answer(await login(username, password));
    const wrong = answer(await login(username, 'not the password'));
    assert.equal(right.name, 'login.do');
    assert.deepEqual(right, wrong);
    await server.services.claimValues.set(user, { [CLAIMS.accountDisabled]: 'false' });
    assert.equal((await login(username, password)).name, 'myaccount');
  });

  test('with showAuthFailureReason, a locked account says so and until when, whatever password is typed', async () => {
    await setTotpParams(server, { showAuthFailureReason: true });
    try {
      const { username, password } = await createUser(server);
      await lockByPasswords(username);
      for (const typed of [password, 'a wrong password']) {
        const page = await login(username, typed);
        assert.equal(page.name, 'login.do');
        assert.match(alertText(page), /account is locked/);
        assert.match(alertText(page), /Try again in about \d+ minutes/);
        assert.match(page.url, /errorCode=17003/);
        assert.match(page.url, /unlockTime=5(&|$)/);
        assert.match(page.url, /lockedReason=MAX_ATTEMPTS_EXCEEDED/);
      }
      // A name that does not exist still reads as a plain failure.
      assert.doesNotMatch(alertText(await login('nobody-at-all', 'x-password')), /locked/);
    } finally {
      await setTotpParams(server, { showAuthFailureReason: false });
    }
  });
});
