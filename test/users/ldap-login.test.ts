// Logging in as users of an LDAP store on a real OpenLDAP (slapd), through the real login pages and the SAML
// front: LDAP/bob signs in by bind, enrols TOTP in My Account (password, then TOTP; the TOTP state lives in
// Portcullis's database) and signs in to a SAML application with password and code; a bare name in PRIMARY and
// LDAP is refused as ambiguous; with slapd stopped LDAP users are told quickly, PRIMARY users still sign in and
// readiness names the store DOWN; slapd back, LDAP users sign in again without a server restart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUser, setMyAccountSteps, setTotpParams, tenantOf } from '../support/fixtures.ts';
import { enrolAtLogin } from '../support/enrolment.ts';
import { alertText, awayFromStepEdge, codeAt, LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { ldapStoreToml, ROOT_PASSWORD, Slapd, slapdAvailable } from '../support/slapd.ts';
import { idpMetadata, postedForm, samlApp, serviceProvider, startRedirect } from '../saml/support.ts';

const skip = skipUnless(slapdAvailable(), 'slapd (OpenLDAP) is not installed');

const BOB = { uid: 'bob', password: 'bob-Ldap-pass1', mail: 'bob@example.com', givenName: 'Bob' };
const ALICE = { uid: 'alice', password: 'alice-Ldap-pass1' };
// Active Directory's shape on OpenLDAP (the harness's AD-like schema): one account enabled, one disabled.
const JDOE = { uid: 'jdoe', password: 'jdoe-Ad-pass1', ad: { sAMAccountName: 'jdoe', userAccountControl: 512, objectGUID: Buffer.alloc(16, 0x11) } };
const GONE = { uid: 'gone', password: 'gone-Ad-pass1', ad: { sAMAccountName: 'gone', userAccountControl: 514, objectGUID: Buffer.alloc(16, 0x22) } };

describe('logging in as users of an LDAP store', { skip }, () => {
  let server: TestServer;
  let slapd: Slapd;

  before(async () => {
    slapd = await Slapd.start({ users: [BOB, ALICE, JDOE, GONE], groups: [{ cn: 'staff', members: ['bob', 'alice'] }] });
    process.env.PCS_TEST_SLAPD_PW = ROOT_PASSWORD;
    server = await startTestServer({
      toml: `
${ldapStoreToml(slapd, { read_only: true, connect_timeout: 1000, query_timeout: 1000, attributes: { mail: 'mail', givenName: 'givenName' } })}
${ldapStoreToml(slapd, { type: 'active_directory', domain: 'AD', read_only: true, connect_timeout: 1000, query_timeout: 1000 })}`,
    });
    await server.services.users.create(await tenantOf(server), { username: 'alice', password: 'alice primary pass' });
  });
  after(async () => {
    await server?.close();
    await slapd?.close();
    delete process.env.PCS_TEST_SLAPD_PW;
  });

  async function signIn(username: string, password: string): Promise<{ browser: LoginBrowser; page: Page }> {
    const browser = new LoginBrowser(server.client());
    const login = await browser.open('/myaccount');
    assert.equal(login.name, 'login.do');
    return { browser, page: await browser.login(login, username, password) };
  }

  test('LDAP/bob signs in with his directory password; a wrong one is refused like any other', async () => {
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    const wrong = await signIn('LDAP/bob', 'bob-Ldap-pass2');
    assert.equal(wrong.page.name, 'login.do');
    assert.doesNotMatch(alertText(wrong.page), /not available/);
    assert.equal((await signIn('LDAP/bob', BOB.password)).page.name, 'myaccount');
    assert.equal((await signIn('ldap/BOB', BOB.password)).page.name, 'myaccount');
    assert.equal((await signIn('bob', BOB.password)).page.name, 'myaccount', 'a bare name found only in LDAP');
    assert.equal((await signIn('LDAP/b*', BOB.password)).page.name, 'login.do', 'a name is not a pattern');
  });

  test('Active Directory mode: AD/jdoe signs in; AD/gone (ACCOUNTDISABLE) is refused as a disabled account', async () => {
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    assert.equal((await signIn('AD/jdoe', JDOE.password)).page.name, 'myaccount');
    const refused = await signIn('AD/gone', GONE.password);
    assert.equal(refused.page.name, 'login.do');
    // Refused as disabled before any password check: no failed attempt is counted against the account.
    const gone = (await server.services.users.find(await tenantOf(server), 'AD/gone'))!;
    assert.equal(gone.disabled, true);
    assert.equal((await server.services.security.get(gone)).failedLoginAttempts, 0);
    assert.equal((await signIn('AD/gone', 'wrong-Ad-pass1')).page.name, 'login.do');
    assert.equal((await server.services.security.get(gone)).failedLoginAttempts, 0);
  });

  test('a bare name in PRIMARY and LDAP is refused as ambiguous; each qualified name works', async () => {
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    const { page } = await signIn('alice', 'alice primary pass');
    assert.equal(page.name, 'login.do');
    assert.match(alertText(page), /more than one user store/);
    assert.equal((await signIn('PRIMARY/alice', 'alice primary pass')).page.name, 'myaccount');
    assert.equal((await signIn('LDAP/alice', ALICE.password)).page.name, 'myaccount');
  });

  test('LDAP/bob enrols TOTP in My Account, then signs in to a SAML application with password and code', async () => {
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    await setTotpParams(server, { enrolUserInAuthenticationFlow: true, authenticationMandatory: true });
    const totp = await enrolAtLogin(server, 'LDAP/bob', BOB.password);

    const app = await samlApp(server, { steps: [['BasicAuthenticator'], ['totp']] });
    const sp = serviceProvider(server, app, await idpMetadata(server));
    const saml = new LoginBrowser(server.client());
    const step2 = await saml.login(await startRedirect(saml, sp), 'LDAP/bob', BOB.password);
    assert.equal(step2.name, 'totp.do');
    await awayFromStepEdge(30);
    const form = postedForm(await saml.submit(step2, { token: codeAt(totp, 1) }));
    assert.ok(form, 'a Response is posted to the ACS');
    assert.equal(form.action, app.acs);
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    assert.match(String(profile?.nameID), /bob/i);
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
  });

  test('slapd stopped: LDAP users are told quickly, PRIMARY users sign in, readiness names LDAP DOWN; slapd back, LDAP works again', async () => {
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    await slapd.stop();
    const started = performance.now();
    const { page } = await signIn('LDAP/bob', BOB.password);
    // Generous for a loaded machine: connect_timeout and query_timeout are 1 s.
    assert.ok(performance.now() - started < 5000, 'answered within the timeout');
    assert.equal(page.name, 'login.do');
    assert.match(alertText(page), /not available right now/);
    const primary = await createUser(server);
    assert.equal((await signIn(primary.username, primary.password)).page.name, 'myaccount');
    assert.equal((await signIn('PRIMARY/alice', 'alice primary pass')).page.name, 'myaccount');

    const down = await server.client().get('/health/ready');
    assert.equal(down.status, 200, 'a secondary store down does not take the node out');
    const stores = down.json<{ checks: { userStores: { domain: string; status: string; reason?: string }[] } }>().checks.userStores;
    assert.deepEqual(stores.find((s) => s.domain === 'LDAP'), { domain: 'LDAP', tenant: 'carbon.super', status: 'DOWN', reason: 'connection refused' });
    assert.ok(!down.text.includes(String(slapd.port)) && !down.text.includes(ROOT_PASSWORD), 'no URL or secret in the report');

    await slapd.resume();
    const up = await server.client().get('/health/ready');
    assert.equal(up.json<{ checks: { userStores: { domain: string; status: string }[] } }>().checks.userStores.find((s) => s.domain === 'LDAP')?.status, 'UP');
    assert.equal((await signIn('LDAP/bob', BOB.password)).page.name, 'myaccount', 'no server restart needed');
  });
});
