// The console's Users pages across user stores (PRIMARY, LDAP on slapd, JDBC on PostgreSQL, a read-only JDBC
// store on MariaDB): the list shows each user's store and searches across stores (`LDAP/` narrows it to one);
// a new user is made in a store chosen from the writable ones; a profile edit, a new password and a deletion
// land in the directory and the tables; a read-only store's user page shows the fields read-only and says why,
// and forged posts to it change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setMyAccountSteps, tenantOf } from '../support/fixtures.ts';
import { LoginBrowser, type Page } from '../support/login-browser.ts';
import { StoreFixture, storesReady } from '../support/store-fixture.ts';
import { ConsoleBrowser, noticeOf, problemOf } from './console-browser.ts';

const skip = await storesReady();

/** The user names of a list page, with their store column. */
function rowsOf(page: Page): [string, string][] {
  return [...page.html.matchAll(/<tr><td><a href="[^"]+">([^<]+)<\/a><\/td><td>([^<]+)<\/td>/g)].map((m) => [m[1]!, m[2]!]);
}

describe('console: users across user stores', { skip }, () => {
  let fx: StoreFixture;
  let admin: ConsoleBrowser;

  before(async () => {
    fx = await StoreFixture.start();
    admin = new ConsoleBrowser(fx.server);
    await admin.signIn('admin', 'admin');
    await setMyAccountSteps(fx.server, [['BasicAuthenticator']]);
  });
  after(async () => fx?.close());

  async function pageOf(name: string): Promise<Page> {
    const user = await fx.server.services.users.find(await tenantOf(fx.server), name);
    assert.ok(user, `${name} exists`);
    return admin.open(`/console/users/${encodeURIComponent(user.id)}`);
  }
  async function signsIn(username: string, password: string): Promise<boolean> {
    const browser = new LoginBrowser(fx.server.client());
    return (await browser.login(await browser.open('/myaccount'), username, password)).name === 'myaccount';
  }

  test('the list spans the stores with a store column; a search by name spans them, LDAP/ narrows to one', async () => {
    const all = await admin.open('/console/users');
    assert.deepEqual(rowsOf(all), [
      ['admin', 'PRIMARY'], ['alice', 'PRIMARY'], ['cathy', 'PRIMARY'],
      ['LDAP/bob', 'LDAP'], ['LDAP/carla', 'LDAP'], ['LDAP/dave', 'LDAP'],
      ['JDBC/carol', 'JDBC'], ['JDBC/erin', 'JDBC'],
      ['ARCHIVE/cameron', 'ARCHIVE'], ['ARCHIVE/frank', 'ARCHIVE'],
    ]);
    assert.match(all.html, />LDAP\/bob<\/a><\/td><td>LDAP<\/td><td>bob@example\.com<\/td>/, 'the LDAP email is read through its mapping');
    assert.deepEqual(rowsOf(await admin.open('/console/users?q=ca')).map(([n]) => n), ['cathy', 'LDAP/carla', 'JDBC/carol', 'ARCHIVE/cameron']);
    assert.deepEqual(rowsOf(await admin.open('/console/users?q=LDAP%2F')).map(([n]) => n), ['LDAP/bob', 'LDAP/carla', 'LDAP/dave']);
    assert.deepEqual(rowsOf(await admin.open('/console/users?q=archive%2Ff')).map(([n]) => n), ['ARCHIVE/frank']);
    const unknown = await admin.open('/console/users?q=NOPE%2Fx');
    assert.match(problemOf(unknown), /Unknown user store/);
  });

  test('create offers only the writable stores, and the user lands in the chosen one', async () => {
    const form = await admin.open('/console/users/new');
    const options = [...form.html.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(options, ['PRIMARY', 'LDAP', 'JDBC'], 'ARCHIVE is read-only: not offered');
    const created = await admin.post(form, '/console/users', { store: 'LDAP', username: 'gina', password: 'gina-Ldap-pass1', email: 'gina@example.com', givenName: 'Gina', lastName: 'Green' });
    assert.equal(noticeOf(created), 'The user was created.');
    assert.match(created.html, /<h1>LDAP\/gina<\/h1>/);
    assert.deepEqual(fx.ldapEntry('gina'), { uid: 'gina', cn: 'gina', sn: 'Green', givenName: 'Gina', mail: 'gina@example.com' });
    assert.equal(await signsIn('LDAP/gina', 'gina-Ldap-pass1'), true);

    const inJdbc = await admin.post(form, '/console/users', { store: 'JDBC', username: 'hank', password: 'hank-Jdbc-pass1', email: 'hank@example.com' });
    assert.match(inJdbc.html, /<h1>JDBC\/hank<\/h1>/);
    assert.deepEqual(await fx.jdbcAttributes('hank'), { mail: 'hank@example.com' });

    const mismatch = await admin.post(form, '/console/users', { store: 'JDBC', username: 'LDAP/ivy', password: 'ivy-Ldap-pass1' });
    assert.equal(mismatch.status, 400);
    assert.match(problemOf(mismatch), /names the store LDAP, but JDBC is chosen/);
    const forged = await admin.post(form, '/console/users', { store: 'ARCHIVE', username: 'ivy', password: 'ivy-Archive-pass1' });
    assert.equal(forged.status, 400);
    assert.match(problemOf(forged), /ARCHIVE is read-only/);
    assert.equal(await fx.archiveRow('ivy'), undefined);
  });

  test("edit an LDAP user's profile and a JDBC user's; the values land in the directory and the table", async () => {
    const bob = await pageOf('LDAP/bob');
    assert.match(bob.html, /User store: <strong>LDAP<\/strong><\/p>/);
    const saved = await admin.post(bob, '/profile', { 'http://wso2.org/claims/givenname': 'Roberta', 'http://wso2.org/claims/emailaddress': 'roberta@example.com' });
    assert.equal(noticeOf(saved), 'The profile was saved.');
    assert.match(saved.html, /value="Roberta"/);
    assert.equal(fx.ldapEntry('bob')!.givenName, 'Roberta');
    assert.equal(fx.ldapEntry('bob')!.mail, 'roberta@example.com');

    const carol = await pageOf('JDBC/carol');
    await admin.post(carol, '/profile', { 'http://wso2.org/claims/lastname': 'Danvers', 'http://wso2.org/claims/givenname': '' });
    assert.deepEqual(await fx.jdbcAttributes('carol'), { mail: 'carol@example.com', sn: 'Danvers' }, 'an emptied field removes the value');
  });

  test('set a password for an LDAP user; delete a JDBC user', async () => {
    const carla = await pageOf('LDAP/carla');
    const set = await admin.post(carla, '/password', { password: 'carla-Console-pass2', repeat: 'carla-Console-pass2' });
    assert.match(noticeOf(set), /password was set/);
    assert.equal(await signsIn('LDAP/carla', 'carla-Console-pass2'), true);

    const erin = await pageOf('JDBC/erin');
    const deleted = await admin.post(erin, '/delete', { confirm: 'yes' });
    assert.equal(deleted.url, '/console/users?done=user-deleted');
    assert.equal(await fx.jdbcAttributes('erin'), undefined);
  });

  test("a read-only store's user page shows the fields read-only and says why; forged changes are refused", async () => {
    const page = await pageOf('ARCHIVE/cameron');
    assert.match(page.html, /User store: <strong>ARCHIVE<\/strong> \(read-only\)/);
    assert.match(page.html, /ARCHIVE is a read-only user store: its users&#39; profiles and passwords are changed where the store is kept/);
    assert.match(page.html, /name="http:\/\/wso2.org\/claims\/emailaddress" value="cameron@example.com" autocomplete="off" readonly/);
    assert.doesNotMatch(page.html, /Save profile|Set password|Delete user/);
    const before = await fx.archiveRow('cameron');

    const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const user = (await fx.server.services.users.find(await tenantOf(fx.server), 'ARCHIVE/cameron'))!;
    const path = `/console/users/${encodeURIComponent(user.id)}`;
    const forged = async (action: string, fields: Record<string, string>) => admin.postRaw(`${path}/${action}`, new URLSearchParams({ csrf, ...fields }).toString());
    for (const [action, fields] of [['profile', { 'http://wso2.org/claims/emailaddress': 'x@example.com' }], ['password', { password: 'cameron-New-pass2', repeat: 'cameron-New-pass2' }], ['delete', { confirm: 'yes' }]] as const) {
      const r = await forged(action, fields);
      assert.equal(r.status, 400, action);
      assert.match(problemOf(r), /ARCHIVE is read-only/, action);
    }
    assert.deepEqual(await fx.archiveRow('cameron'), before, 'the row is as it was');
  });
});
