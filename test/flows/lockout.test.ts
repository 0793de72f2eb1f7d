// Account locking after failed attempts: TOTP failures on their own counter, password failures on theirs,
// the half-finished login ended when the account locks, remaining attempts shown with showAuthFailureReason.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { claimOf, setMyAccountSteps, setTotpParams, tenantOf } from '../support/fixtures.ts';
import { enrolledUser } from '../support/enrolment.ts';
import { alertText, awayFromStepEdge, codeAt, LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('lockout', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
  });
  after(async () => server?.close());

  async function atCodePage(username: string, password: string): Promise<{ browser: LoginBrowser; page: Page }> {
    const browser = new LoginBrowser(server.client());
    const page = await browser.login(await browser.open('/myaccount'), username, password);
    return { browser, page };
  }

  const wrongCode = (code: string) => String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');

  test('five wrong codes lock the account, end the login and say so; the password step then refuses even the right password', async () => {
    await setTotpParams(server, { showAuthFailureReason: false });
    const { user, username, password, totp } = await enrolledUser(server);
    const { browser, page: codePage } = await atCodePage(username, password);
    let page = codePage;
    for (let i = 1; i <= 4; i++) {
      page = await browser.submit(page, { token: wrongCode(codeAt(totp)) });
      assert.equal(page.name, 'totp.do');
      assert.doesNotMatch(alertText(page), /Remaining attempts/, 'no details without showAuthFailureReason');
    }
    page = await browser.submit(page, { token: wrongCode(codeAt(totp)) });
    assert.equal(page.name, 'totp_error.do');
    assert.match(alertText(page), /account is locked/);
    assert.equal(await claimOf(server, user, CLAIMS.accountLocked), 'true');
    assert.equal(await claimOf(server, user, CLAIMS.lockedReason), 'MAX_TOTP_ATTEMPTS_EXCEEDED');
    assert.equal(await claimOf(server, user, CLAIMS.failedTotpAttempts), '0', 'the counter restarts after locking');
    assert.ok(Number(await claimOf(server, user, CLAIMS.unlockTime)) > Date.now() + 4 * 60_000);
    // The old login is over, even with the right code now.
    await awayFromStepEdge(30);
    const ended = await browser.submit(page, { token: codeAt(totp) });
    assert.notEqual(ended.name, 'myaccount');
    // A new login: the right password is refused exactly like a wrong one (the page does not confirm a guess).
    const again = new LoginBrowser(server.client());
    const refused = await again.login(await again.open('/myaccount'), username, password);
    assert.equal(refused.name, 'login.do');
    const other = new LoginBrowser(server.client());
    const wrong = await other.login(await other.open('/myaccount'), username, 'wrong password');
    assert.equal(alertText(refused), alertText(wrong));
    assert.doesNotMatch(alertText(refused), /locked/);
    const tenant = await tenantOf(server);
    const events = await server.services.audit.list(tenant.id, { userId: user.id, event: 'account.locked', offset: 0, limit: 10 });
    assert.equal(events.total, 1);
  });

  test('showAuthFailureReason shows remaining attempts and the unlock time; the lock lifts when its time passes', async () => {
    await setTotpParams(server, { showAuthFailureReason: true });
    const { user, username, password, totp } = await enrolledUser(server);
    const { browser, page: codePage } = await atCodePage(username, password);
    let page = await browser.submit(codePage, { token: wrongCode(codeAt(totp)) });
    assert.match(alertText(page), /Remaining attempts: 4/);
    assert.match(page.url, /errorCode=17002/);
    for (let i = 0; i < 4; i++) page = await browser.submit(page, { token: wrongCode(codeAt(totp)) });
    assert.equal(page.name, 'totp_error.do');
    assert.match(alertText(page), /Try again in about 5 minutes/);
    assert.match(page.url, /errorCode=17003/);
    assert.match(page.url, /lockedReason=MAX_TOTP_ATTEMPTS_EXCEEDED/);
    // Time passes: the lock has run out.
    await server.services.security.update(user, { unlockTime: Date.now() - 1000 });
    const next = await atCodePage(username, password);
    assert.equal(next.page.name, 'totp.do');
    assert.equal(await claimOf(server, user, CLAIMS.accountLocked), 'false');
  });

  test('wrong passwords count on their own counter and lock with their own reason', async () => {
    const { user, username, password, totp } = await enrolledUser(server);
    const b = new LoginBrowser(server.client());
    let page = await b.open('/myaccount');
    // A TOTP failure first: it must not add to the password counter.
    const codeStep = await atCodePage(username, password);
    await codeStep.browser.submit(codeStep.page, { token: wrongCode(codeAt(totp)) });
    for (let i = 0; i < 5; i++) page = await b.login(page, username, `wrong-${i}`);
    assert.equal(await claimOf(server, user, CLAIMS.accountLocked), 'true');
    assert.equal(await claimOf(server, user, CLAIMS.lockedReason), 'MAX_ATTEMPTS_EXCEEDED');
    assert.equal(await claimOf(server, user, CLAIMS.failedTotpAttempts), '1', 'the TOTP counter is separate');
    // An admin unlocks (WSO2: set accountLocked to false).
    await server.services.claimValues.set(user, { [CLAIMS.accountLocked]: 'false' });
    assert.equal((await atCodePage(username, password)).page.name, 'totp.do');
  });

  test('auto_unlock_after = 0 keeps the account locked until an admin unlocks it', async () => {
    await server.close();
    server = await startTestServer({ toml: '[identity_mgt.account_locking]\nauto_unlock_after = 0\nallowed_failed_attempts = 2' });
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    const { user, username, password, totp } = await enrolledUser(server);
    const { browser, page } = await atCodePage(username, password);
    await browser.submit(await browser.submit(page, { token: wrongCode(codeAt(totp)) }), { token: wrongCode(codeAt(totp)) });
    assert.equal(await claimOf(server, user, CLAIMS.accountLocked), 'true');
    assert.equal(await claimOf(server, user, CLAIMS.unlockTime), undefined);
  });
});
