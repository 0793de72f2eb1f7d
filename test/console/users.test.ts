// Users in the console: create, search by user name, the user page (claims without hidden ones, lock status),
// Unlock, Reset TOTP (the next login enrols again), delete; the admin cannot be deleted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { enrolledUser } from '../support/enrolment.ts';
import { claimOf, createUser, setMyAccountSteps, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ConsoleBrowser, noticeOf, problemOf } from './console-browser.ts';

describe('console: users', () => {
  let server: TestServer;
  let admin: ConsoleBrowser;
  let overview: Page;

  before(async () => {
    server = await startTestServer();
    admin = new ConsoleBrowser(server);
    overview = await admin.signIn('admin', 'admin');
  });
  after(async () => server?.close());

  async function userPage(id: string): Promise<Page> {
    return admin.open(`/console/users/${id}`);
  }

  test('create a user, find it by the start of its name, see its claims', async () => {
    assert.match(overview.html, /<dt>Users<\/dt><dd><a [^>]+>1<\/a>/);
    const name = `carol-${uniqueSuffix()}`;
    const form = await admin.open('/console/users/new');
    const created = await admin.post(form, '/console/users', { username: name, password: 'carol likes long passwords', email: 'carol@example.com', givenName: 'Carol', lastName: 'Danvers' });
    assert.match(created.url, /^\/console\/users\/[0-9a-f-]{36}\?done=user-created$/);
    assert.equal(noticeOf(created), 'The user was created.');
    assert.match(created.html, new RegExp(`<h1>${name}</h1>`));
    assert.match(created.html, /<dd>carol@example\.com<\/dd>/);
    assert.match(created.html, /<dd>Carol<\/dd>/);
    assert.match(created.html, /<dd>Danvers<\/dd>/);

    const tenant = await tenantOf(server);
    assert.ok(await server.services.users.authenticate(tenant, name, 'carol likes long passwords'), 'the password works');

    const found = await admin.open(`/console/users?q=${encodeURIComponent(name.slice(0, 8))}`);
    assert.match(found.html, new RegExp(`>${name}</a></td><td>PRIMARY</td><td>carol@example.com</td>`));
    assert.doesNotMatch(found.html, />admin<\/a>/, 'only names that start with the search');
    const none = await admin.open('/console/users?q=zz-nobody');
    assert.match(none.html, /No user name starts with &quot;zz-nobody&quot;/);
  });

  test('a refused user (bad email, short password, taken name) shows why and keeps the fields, creating nothing', async () => {
    const name = `dave-${uniqueSuffix()}`;
    const form = await admin.open('/console/users/new');
    const badEmail = await admin.post(form, '/console/users', { username: name, password: 'a long enough password', email: 'not an email' });
    assert.equal(badEmail.status, 400);
    assert.match(problemOf(badEmail), /Email has an invalid format/);
    assert.match(badEmail.html, new RegExp(`name="username" value="${name}"`), 'the form keeps what was typed');
    assert.doesNotMatch(badEmail.html, /a long enough password/, 'but never the password');
    const tenant = await tenantOf(server);
    assert.equal(await server.services.users.find(tenant, name), undefined, 'no half-made user');
    const short = await admin.post(form, '/console/users', { username: name, password: 'short' });
    assert.match(problemOf(short), /at least 8 characters/);
    const taken = await admin.post(form, '/console/users', { username: 'admin', password: 'a long enough password' });
    assert.match(problemOf(taken), /User exists/);
  });

  test('search pages through many users', async () => {
    const tenant = await tenantOf(server);
    const prefix = `page${uniqueSuffix()}`;
    for (let i = 0; i < 23; i++) await server.services.users.create(tenant, { username: `${prefix}-${String(i).padStart(2, '0')}`, password: 'correct horse battery' });
    const first = await admin.open(`/console/users?q=${prefix}`);
    assert.equal([...first.html.matchAll(new RegExp(`>${prefix}-\\d\\d</a>`, 'g'))].length, 20);
    assert.match(first.html, /Page 1 of 2 \(23 in all\)/);
    const next = /<a href="([^"]+)" rel="next">/.exec(first.html)![1]!.replace(/&amp;/g, '&');
    const second = await admin.open(next);
    assert.deepEqual([...second.html.matchAll(new RegExp(`>(${prefix}-\\d\\d)</a>`, 'g'))].map((m) => m[1]), [`${prefix}-20`, `${prefix}-21`, `${prefix}-22`]);
  });

  test('a locked user shows the lock, and Unlock clears it with the counters', async () => {
    const { user } = await createUser(server);
    const unlockTime = Date.now() + 3_600_000;
    await server.services.security.update(user, { accountLocked: true, lockedReason: 'MAX_ATTEMPTS_EXCEEDED', unlockTime, failedLoginAttempts: 2, failedTotpAttempts: 1 });
    const locked = await userPage(user.id);
    assert.match(locked.html, /<strong class="bad">Locked<\/strong>/);
    assert.match(locked.html, /<dt>Reason<\/dt><dd>MAX_ATTEMPTS_EXCEEDED<\/dd>/);
    assert.match(locked.html, new RegExp(`<dt>Unlocks</dt><dd>${new Date(unlockTime).toISOString()}</dd>`));
    assert.match(locked.html, /<dt>Failed password attempts<\/dt><dd>2<\/dd>/);
    const unlocked = await admin.post(locked, '/unlock');
    assert.equal(noticeOf(unlocked), 'The account was unlocked.');
    assert.match(unlocked.html, /<dt>Lock<\/dt><dd>Not locked<\/dd>/);
    assert.match(unlocked.html, /<dt>Failed password attempts<\/dt><dd>0<\/dd>/);
    const status = await server.services.lockout.status(user, Date.now());
    assert.equal(status.locked, false);
    const events = await server.services.audit.list(user.tenantId, { event: 'account.unlocked', userId: user.id, offset: 0, limit: 5 });
    assert.equal(events.events[0]?.actor, 'admin', 'the acting admin has its own column');
    assert.equal(events.events[0]?.reason, undefined, 'and is not written into the reason');
  });

  test('Reset TOTP clears the secret: the next login shows the enrolment page again', async () => {
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    const { user, username, password, totp } = await enrolledUser(server);
    const loginTo = async () => {
      const b = new LoginBrowser(server.client());
      return b.login(await b.open('/myaccount'), username, password);
    };
    assert.equal((await loginTo()).name, 'totp.do', 'enrolled: asked for a code');

    const page = await userPage(user.id);
    assert.match(page.html, /Authenticator app \(TOTP\)<\/h2>\s*<p>Enrolled\.<\/p>/);
    assert.ok(!page.html.includes(totp.secret.base32) && !page.html.includes('Secret Key'), 'hidden claims are never shown');
    const reset = await admin.post(page, '/reset-totp');
    assert.match(noticeOf(reset), /TOTP was reset/);
    assert.match(reset.html, /<p>Not enrolled/);
    assert.equal(await claimOf(server, user, CLAIMS.secretKey), undefined);
    assert.equal(await claimOf(server, user, CLAIMS.encoding), undefined);
    assert.equal(await claimOf(server, user, CLAIMS.totpEnabled), 'false');
    assert.equal((await loginTo()).name, 'totp_enroll.do', 'the next login enrols again');
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
  });

  test('delete asks for confirmation, ends the user\'s sessions; the admin cannot be deleted', async () => {
    const { user, username, password } = await createUser(server);
    const theirs = new LoginBrowser(server.client());
    assert.equal((await theirs.login(await theirs.open('/myaccount'), username, password)).name, 'myaccount');
    const page = await userPage(user.id);
    const unconfirmed = await admin.post(page, '/delete');
    assert.equal(unconfirmed.status, 400);
    assert.match(problemOf(unconfirmed), /Tick the box/);
    const deleted = await admin.post(page, '/delete', { confirm: 'yes' });
    assert.equal(deleted.url, '/console/users?done=user-deleted');
    assert.equal(await server.services.users.find(await tenantOf(server), username), undefined);
    assert.equal((await userPage(user.id)).status, 404);
    assert.equal((await theirs.open('/myaccount')).name, 'login.do', 'their SSO session ended');

    const adminUser = await server.services.users.find(await tenantOf(server), 'admin');
    const adminPage = await userPage(adminUser!.id);
    assert.match(adminPage.html, /the tenant's admin, who cannot be deleted/);
    const forced = await admin.postRaw(`/console/users/${adminUser!.id}/delete`, new URLSearchParams({ csrf: /name="csrf" value="([^"]+)"/.exec(adminPage.html)![1]!, confirm: 'yes' }).toString());
    assert.equal(forced.status, 400);
    assert.match(problemOf(forced), /cannot be deleted/);
    assert.ok(await server.services.users.find(await tenantOf(server), 'admin'));
  });
});
