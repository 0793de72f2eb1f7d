// Signing in to the console at /console through the login engine (its own "Console" application), the
// default-password warning and the password change, the 403 for anyone but the tenant's admin, signing out,
// and a tenant's own console under /t/{tenant}/console.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser, tenantOf } from '../support/fixtures.ts';
import { alertText } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';
import { ConsoleBrowser, noticeOf } from './console-browser.ts';

const WARNING = /still has the password <code>admin<\/code>/;

describe('console: sign-in, admin only, password', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  test('the admin signs in with admin/admin and sees the overview with the default-password warning', async () => {
    const browser = new ConsoleBrowser(server);
    const overview = await browser.signIn('admin', 'admin');
    assert.equal(overview.status, 200);
    assert.equal(overview.url, '/console');
    assert.match(overview.html, /<h1>Overview<\/h1>/);
    assert.match(overview.html, WARNING);
    assert.match(overview.html, /<dt>Tenant<\/dt><dd>carbon\.super<\/dd>/);
    assert.match(overview.html, /<dt>Applications<\/dt><dd><a [^>]+>2<\/a>/, 'My Account and Console');
    // The console is an application like any other, with the default sequence (basic only).
    const tenant = await tenantOf(server);
    const consoleApp = await server.services.applications.findByName(tenant.id, 'Console');
    assert.equal(consoleApp?.kind, 'system');
    assert.deepEqual(consoleApp?.authenticationSequence.steps.map((s) => s.options.map((o) => o.authenticator)), [['BasicAuthenticator']]);
    // A later visit rides on the SSO session.
    const again = await browser.open('/console/users');
    assert.equal(again.url, '/console/users');
  });

  test('a page asked for before signing in is where the login ends', async () => {
    const page = await new ConsoleBrowser(server).signIn('admin', 'admin', '/console/audit?event=login.completed');
    assert.equal(page.url, '/console/audit?event=login.completed');
    assert.match(page.html, /<h1>Audit<\/h1>/);
  });

  test('a user who is not the admin gets a 403 page, and no SSO session', async () => {
    const { user, username, password } = await createUser(server);
    const browser = new ConsoleBrowser(server);
    const page = await browser.signIn(username, password);
    assert.equal(page.status, 403);
    assert.equal(page.name, 'forbidden');
    assert.match(alertText(page), /Only the administrator of carbon\.super may use the console/);
    assert.equal(browser.client.cookies.get('commonAuthId'), undefined, 'the console gave this user no SSO session');
    const denied = await server.services.audit.list((await tenantOf(server)).id, { event: 'access.denied', userId: user.id, offset: 0, limit: 5 });
    assert.equal(denied.total, 1);
  });

  test('a non-admin with an SSO session (from My Account) is refused too, and the session is not extended', async () => {
    const { username, password } = await createUser(server);
    const browser = new ConsoleBrowser(server);
    const login = await browser.open('/myaccount');
    const mine = await browser.login(login, username, password);
    assert.equal(mine.name, 'myaccount');
    const cookie = browser.client.cookies.get('commonAuthId')!;
    const tenant = await tenantOf(server);
    const before = await server.services.sso.findByCookie(cookie, tenant.id, Date.now());
    const page = await browser.open('/console');
    assert.equal(page.status, 403);
    assert.match(page.html, new RegExp(`signed in as <strong>${username}</strong>`));
    const afterwards = await server.services.sso.findByCookie(cookie, tenant.id, Date.now());
    assert.equal(afterwards?.version, before?.version, 'the SSO session was not changed');
    assert.deepEqual(afterwards?.state.participants.length, 1, 'only My Account takes part');
    // The 403 page offers to sign out, which ends the session.
    const out = await browser.post(page, '/console/logout');
    assert.equal(out.name, 'login.do');
    assert.equal(await server.services.sso.findByCookie(cookie, tenant.id, Date.now()), undefined);
  });

  test('signing out ends the SSO session; the next visit asks to sign in again', async () => {
    const browser = new ConsoleBrowser(server);
    const overview = await browser.signIn('admin', 'admin');
    const cookie = browser.client.cookies.get('commonAuthId')!;
    const out = await browser.post(overview, '/console/logout');
    assert.equal(out.name, 'login.do');
    assert.equal(await server.services.sso.findByCookie(cookie, (await tenantOf(server)).id, Date.now()), undefined);
    const my = await browser.open('/myaccount');
    assert.equal(my.name, 'login.do', 'the whole SSO session ended, not only the console');
  });

  test('changing the password: wrong current, mismatch and policy are shown beside the fields; then the warning is gone', async () => {
    const browser = new ConsoleBrowser(server);
    const overview = await browser.signIn('admin', 'admin');
    const wrong = await browser.post(overview, '/console/password', { current: 'nope', password: 'a better passphrase', repeat: 'a better passphrase' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.html, /<p class="field-error" id="current-note">The current password is not correct\.<\/p>/);
    const admin = (await server.services.users.find(await tenantOf(server), 'admin'))!;
    assert.equal((await server.services.security.get(admin)).failedLoginAttempts, 1, 'a wrong current password counts toward the lock (the one password policy)');
    const mismatch = await browser.post(overview, '/console/password', { current: 'admin', password: 'a better passphrase', repeat: 'a better passphrase!' });
    assert.match(mismatch.html, /id="repeat-note">The two new passwords are not the same/);
    const short = await browser.post(overview, '/console/password', { current: 'admin', password: 'short', repeat: 'short' });
    assert.match(short.html, /id="password-note">The password must have at least 8 characters/);
    assert.match(short.html, WARNING, 'nothing changed yet');

    const done = await browser.post(overview, '/console/password', { current: 'admin', password: 'a better passphrase', repeat: 'a better passphrase' });
    assert.equal(done.url, '/console?done=password-changed');
    assert.equal(noticeOf(done), 'The password was changed.');
    assert.doesNotMatch(done.html, WARNING);
    assert.doesNotMatch(done.html, /default password/);

    const tenant = await tenantOf(server);
    assert.equal(await server.services.users.authenticate(tenant, 'admin', 'admin'), undefined, 'the old password is refused');
    const fresh = new ConsoleBrowser(server);
    const login = await fresh.open('/console');
    const refused = await fresh.login(login, 'admin', 'admin');
    assert.equal(refused.name, 'login.do');
    assert.match(alertText(refused), /Login failed/);
    const ok = await fresh.login(refused, 'admin', 'a better passphrase');
    assert.equal(ok.url, '/console');
    assert.doesNotMatch(ok.html, WARNING);
  });
});

describe('console: a tenant admin under /t/{tenant}/console', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await provisionTenant(server, 'example.com', { username: 'boss', password: 'a long password' });
    await createUser(server, { tenant: 'example.com', prefix: 'tenantuser' });
    await createUser(server, { prefix: 'superuser' });
  });
  after(async () => server?.close());

  test("shows only that tenant: its name, its users, its applications", async () => {
    const browser = new ConsoleBrowser(server);
    const overview = await browser.signIn('boss', 'a long password', '/t/example.com/console');
    assert.equal(overview.url, '/t/example.com/console');
    assert.match(overview.html, /<dt>Tenant<\/dt><dd>example\.com<\/dd>/);
    assert.match(overview.html, /<dt>Users<\/dt><dd><a href="\/t\/example\.com\/console\/users">2<\/a>/);
    assert.doesNotMatch(overview.html, /still has the password/, 'the tenant admin has no default password');
    assert.match(overview.html, /action="\/t\/example\.com\/console\/logout"/, 'links and forms stay in the tenant');
    const users = await browser.open('/t/example.com/console/users');
    assert.match(users.html, /tenantuser-/);
    assert.doesNotMatch(users.html, /superuser-|>admin</);
    // The super tenant's console is another application with another session: it asks to sign in.
    const superConsole = await browser.open('/console');
    assert.equal(superConsole.name, 'login.do');
  });

  test("the super tenant's admin is not a user of the tenant, and a tenant user is not its admin", async () => {
    const browser = new ConsoleBrowser(server);
    const page = await browser.signIn('admin', 'admin', '/t/example.com/console');
    assert.equal(page.name, 'login.do');
    const tenantUser = await createUser(server, { tenant: 'example.com' });
    const denied = await new ConsoleBrowser(server).signIn(tenantUser.username, tenantUser.password, '/t/example.com/console');
    assert.equal(denied.status, 403);
    assert.match(denied.html, /administrator of <strong>example\.com<\/strong>/);
  });
});
