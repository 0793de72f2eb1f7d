// My Account's Security page over HTTP without JavaScript: enable TOTP (only a right code finishes, a reload
// shows the same pending QR), refresh (the old key works at sign-in until the new one is proven, then only the
// new one), cancel, disable (a current code or a fresh sign-in), CSRF on every form, audit events. Time moves
// on a ManualClock: a code is accepted once, so each use of a code is in a new time step.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { ManualClock } from '../../src/time/clock.ts';
import { claimOf, createUser, setMyAccountSteps, tenantOf } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { TestFront } from '../support/test-front.ts';
import { appFromPage, codeNow, csrfOf, enableTotp, errorText, loginWithCode, mfaApp, noticeText, signIn, statusText, STEP_MS } from './support.ts';

describe('My Account: Security (TOTP)', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());

  before(async () => {
    server = await startTestServer({ clock });
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    TestFront.install(server);
  });
  after(async () => server?.close());

  const nextStep = () => clock.advance(STEP_MS);

  async function events(userId: string, event: string) {
    const tenant = await tenantOf(server);
    return (await server.services.audit.list(tenant.id, { userId, event, offset: 0, limit: 20 })).events;
  }

  test('enable: a wrong code leaves TOTP off; a reload shows the same QR; the right code enables it and sign-ins ask for it', async () => {
    const { user, username, password } = await createUser(server);
    const { browser } = await signIn(server, username, password);
    const security = await browser.open('/myaccount/security');
    assert.equal(statusText(security), 'Not set up');
    assert.equal(security.status, 200);
    const pending = await browser.submit(security, {}, ['action', 'enable']);
    assert.equal(pending.name, 'security', 'POST-redirect-GET back to the page');
    assert.match(noticeText(pending), /Scan the QR code/);
    const totp = appFromPage(pending);
    assert.doesNotMatch(pending.html, /otpauth:|secret=/i, 'the secret is in the image and the key only, never a URL');

    const wrongCode = String((Number(codeNow(totp, clock)) + 1) % 1_000_000).padStart(6, '0');
    const wrong = await browser.submit(pending, { token: wrongCode }, ['action', 'confirm']);
    assert.equal(wrong.status, 400);
    assert.match(errorText(wrong), /not right/);
    assert.equal(statusText(wrong), 'Set-up not finished');
    assert.equal((await server.services.totpManagement.status(user)).enrolled, false);
    assert.equal(await claimOf(server, user, CLAIMS.failedTotpAttempts), '1', 'a wrong code counts toward the lock');

    const reloaded = await browser.open('/myaccount/security');
    assert.equal(appFromPage(reloaded).secret.base32, totp.secret.base32, 'the pending secret lives in the database');
    const res = await browser.client.get('/myaccount/security');
    assert.equal(res.headers['cache-control'], 'no-store', 'a page showing a secret is never cached');

    const done = await browser.submit(reloaded, { token: codeNow(totp, clock) }, ['action', 'confirm']);
    assert.equal(statusText(done), 'Enabled', errorText(done));
    assert.match(noticeText(done), /set up/);
    assert.equal(await claimOf(server, user, CLAIMS.totpEnabled), 'true');

    const app = await mfaApp(server);
    nextStep();
    assert.equal(await loginWithCode(server, app, username, password, '000000' === codeNow(totp, clock) ? '111111' : '000000'), 'asked-again');
    assert.equal(await loginWithCode(server, app, username, password, codeNow(totp, clock)), 'done', 'a new sign-in asks for the app\'s code and takes it');

    assert.equal((await events(user.id, 'totp.enrolment_started')).length, 1);
    const enrolled = await events(user.id, 'totp.enrolled');
    assert.deepEqual(enrolled.map((e) => e.outcome).sort(), ['failure', 'success']);
    assert.ok(enrolled.every((e) => e.application === 'My Account' && e.actorId === user.id));
  });

  test('refresh: the old key keeps working until a code from the new one is entered; then only the new one works', async () => {
    const { user, username, password } = await createUser(server);
    const { browser } = await signIn(server, username, password);
    const { totp: oldApp, page } = await enableTotp(browser, clock);
    const app = await mfaApp(server);

    const refreshed = await browser.submit(page, {}, ['action', 'refresh']);
    assert.match(refreshed.html, /Re-scan this QR code/);
    assert.match(refreshed.html, /current key keeps working/);
    assert.equal(statusText(refreshed), 'Enabled (new key waiting for a code)');
    const newApp = appFromPage(refreshed);
    assert.notEqual(newApp.secret.base32, oldApp.secret.base32);

    nextStep();
    assert.equal(await loginWithCode(server, app, username, password, codeNow(oldApp, clock)), 'done', 'the old key still signs in');
    nextStep();
    const oldForNew = await browser.submit(refreshed, { token: codeNow(oldApp, clock) }, ['action', 'confirm']);
    assert.equal(oldForNew.status, 400, 'a code of the old key does not prove the new one');
    assert.match(errorText(oldForNew), /new key/);
    nextStep();
    const proven = await browser.submit(oldForNew, { token: codeNow(newApp, clock) }, ['action', 'confirm']);
    assert.equal(statusText(proven), 'Enabled', errorText(proven));

    nextStep();
    assert.equal(await loginWithCode(server, app, username, password, codeNow(oldApp, clock)), 'asked-again', 'the old key is refused once the new one is proven');
    assert.equal(await loginWithCode(server, app, username, password, codeNow(newApp, clock)), 'done');
    assert.equal((await events(user.id, 'totp.enrolment_started')).length, 2);
  });

  test('cancel drops a pending refresh and keeps the current key', async () => {
    const { user, username, password } = await createUser(server);
    const { browser } = await signIn(server, username, password);
    const { totp, page } = await enableTotp(browser, clock);
    const refreshed = await browser.submit(page, {}, ['action', 'refresh']);
    const cancelled = await browser.submit(refreshed, {}, ['action', 'cancel']);
    assert.match(noticeText(cancelled), /cancelled/);
    assert.equal(statusText(cancelled), 'Enabled');
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: true, pending: false });
    nextStep();
    assert.equal(await loginWithCode(server, await mfaApp(server), username, password, codeNow(totp, clock)), 'done');
  });

  test('disable needs a current code once the session\'s last code is older than fifteen minutes; it signs out the other sessions only', async () => {
    const { user, username, password } = await createUser(server);
    const { browser } = await signIn(server, username, password);
    const { totp } = await enableTotp(browser, clock);
    const other = await signIn(server, username, password);
    // Two visits 8 minutes apart keep the session alive (15 minutes idle) while its last code gets older than 15.
    clock.advance(8 * 60_000);
    await browser.open('/myaccount/security');
    await other.browser.open('/myaccount');
    clock.advance(8 * 60_000);
    const page = await browser.open('/myaccount/security');
    assert.equal((await other.browser.client.get('/myaccount')).status, 200, 'the other session is alive before the disable');
    assert.match(page.html, /name="token"/);

    const noCode = await browser.submit(page, {}, ['action', 'disable']);
    assert.equal(noCode.status, 400);
    assert.match(errorText(noCode), /current code/);
    const wrongCode = String((Number(codeNow(totp, clock)) + 1) % 1_000_000).padStart(6, '0');
    const wrong = await browser.submit(noCode, { token: wrongCode }, ['action', 'disable']);
    assert.equal(wrong.status, 400);
    assert.match(errorText(wrong), /not right/);
    assert.equal((await server.services.totpManagement.status(user)).enrolled, true);

    const done = await browser.submit(wrong, { token: codeNow(totp, clock) }, ['action', 'disable']);
    assert.match(noticeText(done), /disabled/, errorText(done));
    assert.equal(statusText(done), 'Not set up');
    assert.equal(await claimOf(server, user, CLAIMS.totpEnabled), 'false');
    const otherNow = await other.browser.client.get('/myaccount');
    assert.equal(otherNow.status, 303);
    assert.match(otherNow.location ?? '', /login\.do/, 'the other session was ended (a new login starts)');
    assert.equal((await browser.client.get('/myaccount')).status, 200, 'this session stays');
    nextStep();
    assert.equal(await loginWithCode(server, await mfaApp(server), username, password, codeNow(totp, clock)), 'totp_enroll.do', 'no key any more: the login offers enrolment');
    const resets = await events(user.id, 'totp.reset');
    assert.equal(resets.length, 1);
    assert.equal(resets[0]!.actorId, user.id);
    assert.equal(resets[0]!.application, 'My Account');
  });

  test('right after a code was proven in this session (enabling), disable needs no code', async () => {
    const { user, username, password } = await createUser(server);
    const { browser } = await signIn(server, username, password);
    const { page } = await enableTotp(browser, clock);
    assert.doesNotMatch(page.html, /id="disable-token"/);
    const done = await browser.submit(page, {}, ['action', 'disable']);
    assert.equal(statusText(done), 'Not set up', errorText(done));
    assert.equal((await server.services.totpManagement.status(user)).enrolled, false);
  });

  test('a password-only session sees and changes nothing of an enrolled user\'s app until it confirms a current code', async () => {
    const { user, username, password } = await createUser(server);
    const first = await signIn(server, username, password);
    const { totp } = await enableTotp(first.browser, clock);
    nextStep();
    // A second browser with the password only (My Account's own sequence is password only).
    const { browser } = await signIn(server, username, password);
    const page = await browser.open('/myaccount/security');
    assert.equal(statusText(page), 'Enabled');
    assert.match(page.html, /Confirm it's you/);
    assert.doesNotMatch(page.html, /Refresh Secret Key/);
    const refresh = await browser.client.post('/myaccount/security/refresh', { form: { csrf: csrfOf(page) }, headers: { accept: 'text/html' } });
    assert.equal(refresh.status, 403);
    assert.match(refresh.text, /confirm it is you/);
    assert.deepEqual(await server.services.totpManagement.status(user), { enrolled: true, pending: false }, 'no new secret');
    const disable = await browser.submit(page, {}, ['action', 'disable']);
    assert.equal(disable.status, 400);
    assert.equal((await server.services.totpManagement.status(user)).enrolled, true);
    // A refresh started from the first browser is not shown to the second one.
    await server.services.totpManagement.refresh({ tenant: await tenantOf(server), actor: user, via: 'test' }, user);
    assert.doesNotMatch((await browser.open('/myaccount/security')).html, /class="qr"/, 'the pending QR is hidden');
    const verified = await browser.submit(page, { token: codeNow(totp, clock) }, ['action', 'verify']);
    assert.match(noticeText(verified), /can now change/, errorText(verified));
    assert.match(verified.html, /class="qr"/, 'after a current code, the pending QR shows');
  });

  test('wrong codes on the set-up form lock the account like wrong codes at sign-in; the session is then refused', async () => {
    const { user, username, password } = await createUser(server);
    const { browser } = await signIn(server, username, password);
    let page = await browser.submit(await browser.open('/myaccount/security'), {}, ['action', 'enable']);
    const totp = appFromPage(page);
    const wrongCode = String((Number(codeNow(totp, clock)) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 10 && !/locked/.test(errorText(page)); i++) page = await browser.submit(page, { token: wrongCode }, ['action', 'confirm']);
    assert.match(errorText(page), /locked/);
    assert.equal(await claimOf(server, user, CLAIMS.accountLocked), 'true');
    assert.equal((await events(user.id, 'account.locked')).length, 1);
    const after = await browser.client.get('/myaccount/security');
    assert.equal(after.status, 303, 'a locked account\'s session is not accepted');
    assert.match(after.location ?? '', /login\.do/);
    assert.equal((await server.services.totpManagement.status(user)).enrolled, false);
  });

  test('every Security form refuses a missing or another session\'s CSRF token (403) and changes nothing', async () => {
    const a = await createUser(server);
    const b = await createUser(server);
    const sa = await signIn(server, a.username, a.password);
    const sb = await signIn(server, b.username, b.password);
    const { totp } = await enableTotp(sa.browser, clock);
    for (const path of ['enable', 'refresh', 'cancel', 'confirm', 'disable']) {
      for (const csrf of [undefined, csrfOf(sb.page)]) {
        const res = await sa.browser.client.post(`/myaccount/security/${path}`, { form: { ...(csrf ? { csrf } : {}), token: codeNow(totp, clock) } });
        assert.equal(res.status, 403, `${path} with ${csrf ? "another session's" : 'no'} token`);
      }
    }
    assert.deepEqual(await server.services.totpManagement.status(a.user), { enrolled: true, pending: false });
    assert.equal((await events(a.user.id, 'totp.enrolment_started')).length, 1);
  });
});
