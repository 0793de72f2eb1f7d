// My Profile over HTTP without JavaScript: the editable claims come from claim metadata; an email change needs
// the current password (or a sign-in within five minutes); claim errors show on the form; CSRF is checked
// before anything changes; every change is an audit event naming the user as actor and My Account.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { ManualClock } from '../../src/time/clock.ts';
import { claimOf, createUser, setMyAccountSteps } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { codeNow, csrfOf, enableTotp, errorText, noticeText, signIn } from './support.ts';

describe('My Account: My Profile', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());

  before(async () => {
    server = await startTestServer({ clock });
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
  });
  after(async () => server?.close());

  /** Signs in, then lets the sign-in age past the five minutes that stand in for the password. */
  async function signedInLongAgo(options: { email?: string } = {}) {
    const created = await createUser(server, { email: options.email ?? 'old@example.com', givenName: 'Ada' });
    const { browser } = await signIn(server, created.username, created.password);
    clock.advance(6 * 60_000);
    return { ...created, browser, page: await browser.open('/myaccount') };
  }

  test('shows the editable claims (never identity, read-only or secret claims) and saves a name change', async () => {
    const { user, browser, page } = await signedInLongAgo();
    assert.equal(page.status, 200);
    for (const uri of [CLAIMS.givenName, CLAIMS.lastName, CLAIMS.email]) assert.match(page.html, new RegExp(`name="${uri}"`));
    for (const uri of [CLAIMS.username, CLAIMS.totpEnabled, CLAIMS.secretKey, CLAIMS.accountLocked, CLAIMS.created]) assert.doesNotMatch(page.html, new RegExp(`name="${uri}"`));
    assert.match(page.html, /value="Ada"/);
    const saved = await browser.submit(page, { [CLAIMS.givenName]: 'Grace', [CLAIMS.lastName]: 'Hopper' }, ['action', 'save-profile']);
    assert.equal(saved.status, 200);
    assert.match(noticeText(saved), /saved/);
    assert.equal(await claimOf(server, user, CLAIMS.givenName), 'Grace');
    assert.equal(await claimOf(server, user, CLAIMS.lastName), 'Hopper');
    assert.equal(await claimOf(server, user, CLAIMS.email), 'old@example.com', 'fields not changed stay');
    const tenant = await server.services.tenants.requireActive('carbon.super');
    const { events } = await server.services.audit.list(tenant.id, { userId: user.id, event: 'user.updated', offset: 0, limit: 5 });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.actorId, user.id, 'the user acted on itself');
    assert.equal(events[0]!.application, 'My Account');
    assert.match(events[0]!.reason ?? '', /givenname/);
  });

  test('an email change is refused without the current password or with a wrong one, and saved with it', async () => {
    const { user, username, browser, page } = await signedInLongAgo();
    assert.match(page.html, /name="currentPassword"/);
    const missing = await browser.submit(page, { [CLAIMS.email]: 'new@example.com' }, ['action', 'save-profile']);
    assert.equal(missing.status, 400);
    assert.match(errorText(missing), /current password/);
    assert.match(missing.html, /value="new@example.com"/, 'the form keeps what was typed');
    const wrong = await browser.submit(missing, { [CLAIMS.email]: 'new@example.com', currentPassword: 'not the password' }, ['action', 'save-profile']);
    assert.equal(wrong.status, 400);
    assert.match(errorText(wrong), /not right/);
    assert.equal(await claimOf(server, user, CLAIMS.email), 'old@example.com');
    assert.equal(await claimOf(server, user, CLAIMS.failedLoginAttempts), '1', 'a wrong password counts toward the lock');
    const right = await browser.submit(wrong, { [CLAIMS.email]: 'new@example.com', currentPassword: 'correct horse battery' }, ['action', 'save-profile']);
    assert.match(noticeText(right), /saved/, `${username}: ${errorText(right)}`);
    assert.equal(await claimOf(server, user, CLAIMS.email), 'new@example.com');
  });

  test('within five minutes of signing in, the email changes without the password', async () => {
    const { user, username, password } = await createUser(server, { email: 'a@example.com' });
    const { browser, page } = await signIn(server, username, password);
    assert.doesNotMatch(page.html, /name="currentPassword"/);
    const saved = await browser.submit(page, { [CLAIMS.email]: 'b@example.com' }, ['action', 'save-profile']);
    assert.match(noticeText(saved), /saved/);
    assert.equal(await claimOf(server, user, CLAIMS.email), 'b@example.com');
  });

  test('a value the claim refuses is shown on the form, not as an error page, and nothing is saved', async () => {
    const { user, browser, page } = await signedInLongAgo();
    const bad = await browser.submit(page, { [CLAIMS.email]: 'not an email', [CLAIMS.givenName]: 'Changed', currentPassword: 'correct horse battery' }, ['action', 'save-profile']);
    assert.equal(bad.status, 400);
    assert.equal(bad.name, 'profile');
    assert.match(errorText(bad), /Email has an invalid format/);
    assert.match(bad.html, /name="csrf"/, 'the form is shown again');
    assert.equal(await claimOf(server, user, CLAIMS.email), 'old@example.com');
    assert.equal(await claimOf(server, user, CLAIMS.givenName), 'Ada');
  });

  test('a missing or another session\'s CSRF token is refused with 403 and changes nothing', async () => {
    const a = await signedInLongAgo();
    const b = await signedInLongAgo();
    const post = (token: string | undefined) =>
      a.browser.client.post('/myaccount/profile', { form: { ...(token === undefined ? {} : { csrf: token }), [CLAIMS.givenName]: 'Mallory' } });
    assert.equal((await post(undefined)).status, 403);
    assert.equal((await post(csrfOf(b.page))).status, 403);
    assert.equal((await post('x'.repeat(43))).status, 403);
    assert.equal(await claimOf(server, a.user, CLAIMS.givenName), 'Ada');
    // Without any session a POST is refused too (it never starts a login).
    const anonymous = await server.client().post('/myaccount/profile', { form: { csrf: csrfOf(a.page), [CLAIMS.givenName]: 'Mallory' } });
    assert.equal(anonymous.status, 403);
    assert.equal(await claimOf(server, a.user, CLAIMS.givenName), 'Ada');
    // The real token works.
    assert.equal((await post(csrfOf(a.page))).status, 303);
    assert.equal(await claimOf(server, a.user, CLAIMS.givenName), 'Mallory');
  });

  test('an enrolled user\'s email change also needs a current code unless the session proved one (codes by email stand in for the app)', async () => {
    const created = await createUser(server, { email: 'before@example.com' });
    const { browser: first } = await signIn(server, created.username, created.password);
    const { totp } = await enableTotp(first, clock);
    clock.advance(30_000);
    // Another browser, with the password only, long enough ago that the password is asked for too.
    const { browser } = await signIn(server, created.username, created.password);
    clock.advance(6 * 60_000);
    const page = await browser.open('/myaccount');
    assert.match(page.html, /name="token"/);
    const noCode = await browser.submit(page, { [CLAIMS.email]: 'thief@example.com', currentPassword: created.password }, ['action', 'save-profile']);
    assert.equal(noCode.status, 400);
    assert.match(errorText(noCode), /current code/);
    assert.equal(await claimOf(server, created.user, CLAIMS.email), 'before@example.com');
    const withCode = await browser.submit(noCode, { [CLAIMS.email]: 'after@example.com', currentPassword: created.password, token: codeNow(totp, clock) }, ['action', 'save-profile']);
    assert.match(noticeText(withCode), /saved/, errorText(withCode));
    assert.equal(await claimOf(server, created.user, CLAIMS.email), 'after@example.com');
  });

  test('pages are not cached', async () => {
    const { browser } = await signedInLongAgo();
    const res = await browser.client.get('/myaccount');
    assert.equal(res.headers['cache-control'], 'no-store');
  });
});
