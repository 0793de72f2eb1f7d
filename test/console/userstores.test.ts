// The console's user stores pages over HTTP, against a real slapd: add an LDAP store with the form (testing the
// connection first, with a wrong and then the right bind password), see it UP in the list, LDAP/bob signs in,
// edit it (the empty password field keeps the password), a bad value is shown beside the form naming the
// property, delete needs the confirmation box, and a form without the session's CSRF token changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setMyAccountSteps } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { PEOPLE, ROOT_DN, ROOT_PASSWORD, Slapd, slapdAvailable } from '../support/slapd.ts';
import { ConsoleBrowser, noticeOf, problemOf } from './console-browser.ts';

const BOB = { uid: 'bob', password: 'bob-Ldap-pass1' };
const skip = skipUnless(slapdAvailable(), 'slapd (OpenLDAP) is not installed');

describe('console: user stores', { skip }, () => {
  let server: TestServer;
  let slapd: Slapd;
  let admin: ConsoleBrowser;

  before(async () => {
    slapd = await Slapd.start({ users: [BOB] });
    server = await startTestServer();
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    admin = new ConsoleBrowser(server);
    await admin.signIn('admin', 'admin');
  });
  after(async () => {
    await server?.close();
    await slapd?.close();
  });

  const bobSignsIn = async () => {
    const browser = new LoginBrowser(server.client());
    return (await browser.login(await browser.open('/myaccount'), 'LDAP/bob', BOB.password)).name;
  };
  const ldapFields = (password: string) => ({ name: 'LDAP', description: 'people', ConnectionURL: slapd.url, ConnectionName: ROOT_DN, ConnectionPassword: password, UserSearchBase: PEOPLE, ReadOnly: 'true' });

  test('add an LDAP store: test the connection, add it, see it UP; LDAP/bob signs in', async () => {
    const list = await admin.open('/console/userstores');
    assert.equal(list.status, 200);
    assert.match(list.html, /No secondary user stores/);
    const form = await admin.open('/console/userstores/new?type=ldap');
    assert.match(form.html, /<label for="p-connection_url">ConnectionURL<\/label>/);

    const failed = await admin.post(form, '/console/userstores/store', ldapFields('wrong-password'), ['action', 'test']);
    assert.match(failed.html, /Connection failed/);
    assert.ok(!failed.html.includes('wrong-password'), 'the password is not put back into the page');
    const works = await admin.post(form, '/console/userstores/store', ldapFields(ROOT_PASSWORD), ['action', 'test']);
    assert.match(works.html, /Connection works/);
    assert.equal(await bobSignsIn(), 'login.do', 'a test registers nothing');

    const added = await admin.post(form, '/console/userstores/store', ldapFields(ROOT_PASSWORD), ['action', 'add']);
    assert.match(noticeOf(added), /user store was added/);
    assert.match(added.html, /data-health="UP"/);
    assert.ok(!added.html.includes(ROOT_PASSWORD));
    assert.equal(await bobSignsIn(), 'myaccount');
  });

  test('edit: the empty password field keeps the password; a bad value is named beside the form', async () => {
    const edit = await admin.open('/console/userstores/store?domain=LDAP');
    assert.equal(edit.status, 200);
    assert.match(edit.html, /Set\. Leave empty to keep it\./);
    assert.ok(!edit.html.includes(ROOT_PASSWORD), 'secrets are never filled in');
    const saved = await admin.post(edit, '/console/userstores/store', { description: 'all the people' }, ['action', 'save']);
    assert.match(noticeOf(saved), /user store was saved/);
    assert.match(saved.html, /all the people/);
    assert.equal(await bobSignsIn(), 'myaccount', 'the password was kept');

    const bad = await admin.post(edit, '/console/userstores/store', { UserSearchBase: '' }, ['action', 'save']);
    assert.equal(bad.status, 400);
    assert.match(problemOf(bad), /UserSearchBase: required/);
  });

  test('delete needs the confirmation box; then LDAP/bob cannot sign in; a form without the CSRF token is refused', async () => {
    const forged = await admin.postRaw('/console/userstores/delete', 'domain=LDAP&confirm=yes');
    assert.equal(forged.status, 403);
    const list = await admin.open('/console/userstores');
    const unconfirmed = await admin.post(list, '/console/userstores/delete', { domain: 'LDAP' });
    assert.equal(unconfirmed.status, 400);
    assert.match(problemOf(unconfirmed), /Tick the box/);
    assert.equal(await bobSignsIn(), 'myaccount');
    const deleted = await admin.post(list, '/console/userstores/delete', { domain: 'LDAP', confirm: 'yes' });
    assert.match(noticeOf(deleted), /user store was deleted/);
    assert.equal(await bobSignsIn(), 'login.do');
  });
});
