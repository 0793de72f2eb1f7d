// A tenant keeping TOTP secrets in its users' own stores (issue 10, item 4), on a real writable OpenLDAP
// (slapd; the secretkey claim's attribute totpSecretkey is the directory's `description`, which inetOrgPerson
// allows) and a JDBC store on PostgreSQL (an existing users table with a totp_secret column). Users enrol at
// login through the real pages; the directory entry and the table row hold ciphertext (read with an LDAP client
// and SQL), never the Base32 secret, and it does not decrypt for another user; a code logs in; a reset clears the
// attribute; the choice switched either way strands nobody; a tenant with a read-only store cannot turn it on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from 'ldapts';
import pg from 'pg';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { secretAad } from '../../src/claims/secret-claims.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { createTenant } from '../../src/provisioning.ts';
import type { UserRecord } from '../../src/users/user-store.ts';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { claimOf, setMyAccountSteps, setTotpParams, tenantOf } from '../support/fixtures.ts';
import { createLegacyTable, insertLegacyUser, legacyStoreToml, runSql } from '../support/jdbc-tables.ts';
import { enrolAtLogin } from '../support/enrolment.ts';
import { awayFromStepEdge, codeAt, LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { PEOPLE, ROOT_DN, ROOT_PASSWORD, Slapd, slapdAvailable } from '../support/slapd.ts';
import type * as OTPAuth from 'otpauth';

const skip = skipUnless(slapdAvailable(), 'slapd (OpenLDAP) is not installed') || skipUnless(await isAvailable('postgres'), 'postgres is not reachable');

const BOB = { uid: 'bob', password: 'bob-Ldap-pass1' };
const ALICE = { uid: 'alice', password: 'alice-Ldap-pass1' };
const DAVE = { uid: 'dave', password: 'dave-Ldap-pass1' };
// bcrypt of "abc" (libxcrypt), as in jdbc-login.test.ts.
const CAROL = { login: 'carol', pass: '$2b$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i', password: 'abc' };
const STORAGE = '/api/server/v1/configs/authenticators/totp/secret-storage';
const ADMIN: [string, string] = ['admin', 'admin'];
const RO_ADMIN: [string, string] = ['admin', 'ro-Admin-pass1'];
const SEALED = /^v1:[0-9a-f]{16}:[A-Za-z0-9+/=]+$/;

describe('TOTP secrets kept in the user store (LDAP and JDBC)', { skip }, () => {
  let server: TestServer;
  let slapd: Slapd;
  let database: TestDatabase;

  before(async () => {
    slapd = await Slapd.start({ users: [BOB, ALICE, DAVE] });
    database = await createTestDatabase('postgres');
    await createLegacyTable('postgres', database.url);
    await runSql('postgres', database.url, ['alter table legacy_users add column totp_secret varchar(255)']);
    await insertLegacyUser('postgres', database.url, CAROL);
    process.env.PCS_TEST_SLAPD_PW = ROOT_PASSWORD;
    const ldap = (domain: string, tenant: string, readOnly: boolean) => `
[[user_store]]
type = "ldap"
domain = "${domain}"
tenant = "${tenant}"
connection_url = "${slapd.url}"
connection_name = "${ROOT_DN}"
connection_password = "$env{PCS_TEST_SLAPD_PW}"
user_search_base = "${PEOPLE}"
read_only = ${readOnly}
attributes = { mail = "mail", totpSecretkey = "description" }
`;
    server = await startTestServer({
      toml: `${ldap('LDAP', 'carbon.super', false)}${ldap('LDAPRO', 'ro.example', true)}${legacyStoreToml(database.url, { attributes: { mail: 'email', totpSecretkey: 'totp_secret' } })}`,
    });
    await createTenant(server.services, 'ro.example', { username: RO_ADMIN[0], password: RO_ADMIN[1] });
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    await setTotpParams(server, { enrolUserInAuthenticationFlow: true, authenticationMandatory: true });
  });
  after(async () => {
    await server?.close();
    await slapd?.close();
    await database?.drop();
    delete process.env.PCS_TEST_SLAPD_PW;
  });

  const userOf = async (name: string): Promise<UserRecord> => (await server.services.users.find(await tenantOf(server), name))!;

  async function setLocation(location: 'database' | 'user_store'): Promise<void> {
    const res = await server.client().request(STORAGE, { method: 'PUT', auth: ADMIN, json: { location } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json<{ location: string }>().location, location);
  }

  async function directoryValue(uid: string): Promise<string | undefined> {
    const client = new Client({ url: slapd.url });
    try {
      await client.bind(ROOT_DN, ROOT_PASSWORD);
      const { searchEntries } = await client.search(`uid=${uid},${PEOPLE}`, { scope: 'base', attributes: ['description'] });
      const v = searchEntries[0]?.description;
      const first = Array.isArray(v) ? v[0] : v;
      return first === undefined ? undefined : String(first);
    } finally {
      await client.unbind();
    }
  }

  async function columnValue(login: string): Promise<string | null> {
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    try {
      return (await c.query<{ totp_secret: string | null }>('select totp_secret from legacy_users where login = $1', [login])).rows[0]!.totp_secret;
    } finally {
      await c.end();
    }
  }

  /** Password then a current code at My Account's login; the step the enrolment used is forgotten first. */
  async function logsInWithCode(name: string, password: string, totp: OTPAuth.TOTP): Promise<void> {
    await server.services.security.update(await userOf(name), { lastTotpStep: null });
    const browser = new LoginBrowser(server.client());
    const step2 = await browser.login(await browser.open('/myaccount'), name, password);
    assert.equal(step2.name, 'totp.do', `${name} is asked for a code`);
    await awayFromStepEdge(totp.period);
    const done = await browser.submit(step2, { token: codeAt(totp) });
    assert.equal(done.name, 'myaccount', `${name} logs in with a code`);
  }

  test('the admin API shows where each store puts new secrets; a tenant with a read-only store cannot choose user stores', async () => {
    const view = await server.client().get(STORAGE, { auth: ADMIN });
    assert.equal(view.status, 200);
    assert.deepEqual(view.json(), {
      location: 'database',
      fileDefault: 'database',
      overridden: false,
      stores: [
        { domain: 'PRIMARY', location: 'database', readOnly: false },
        { domain: 'LDAP', location: 'database', readOnly: false },
        { domain: 'JDBC', location: 'database', readOnly: false },
      ],
    });
    const refused = await server.client().request(`/t/ro.example${STORAGE}`, { method: 'PUT', auth: RO_ADMIN, json: { location: 'user_store' } });
    assert.equal(refused.status, 400);
    assert.equal(refused.json<{ code: string }>().code, 'USR-40004');
    assert.match(refused.json<{ description: string }>().description, /LDAPRO is read-only/);
    assert.equal((await server.client().get(`/t/ro.example${STORAGE}`, { auth: RO_ADMIN })).json<{ location: string }>().location, 'database', 'nothing changed');
    const bad = await server.client().request(STORAGE, { method: 'PUT', auth: ADMIN, json: { location: 'ldap' } });
    assert.equal(bad.status, 400);
  });

  test('LDAP: the directory holds ciphertext bound to the user; a code logs in; switched to the database, still; a reset clears it', async () => {
    await setLocation('user_store');
    const totp = await enrolAtLogin(server, 'LDAP/bob', BOB.password);
    const sealed = (await directoryValue('bob'))!;
    assert.match(sealed, SEALED, 'ciphertext in the directory');
    assert.ok(!sealed.includes(totp.secret.base32), 'never the Base32 secret');
    const bob = await userOf('LDAP/bob');
    assert.equal(server.services.keyring.decryptString(sealed, secretAad(bob, CLAIMS.secretKey)), totp.secret.base32);
    const alice = await userOf('LDAP/alice');
    assert.throws(() => server.services.keyring.decryptString(sealed, secretAad(alice, CLAIMS.secretKey)), /decrypt/, 'does not decrypt for another user');
    assert.equal(await claimOf(server, bob, CLAIMS.secretKey), totp.secret.base32, 'the secretkey claim view reads it');
    const req = { tenant: await tenantOf(server), actor: bob, via: 'TOTPAdminService' };
    assert.equal(await server.services.totpManagement.secretText(req, bob), totp.secret.base32, "SOAP retrieveSecretKey's path reads it");
    await logsInWithCode('LDAP/bob', BOB.password, totp);

    await setLocation('database');
    await logsInWithCode('LDAP/bob', BOB.password, totp);
    assert.equal(await directoryValue('bob'), sealed, 'switching moves nothing by itself');

    await server.services.totpManagement.reset(req, bob);
    assert.equal(await directoryValue('bob'), undefined, 'the reset removed the attribute');
  });

  test('LDAP: enrolled while secrets went to the database, the user still logs in after the switch to user stores', async () => {
    await setLocation('database');
    const totp = await enrolAtLogin(server, 'LDAP/alice', ALICE.password);
    assert.equal(await directoryValue('alice'), undefined, 'the default keeps the directory untouched');
    await setLocation('user_store');
    await logsInWithCode('LDAP/alice', ALICE.password, totp);
  });

  test('JDBC: the table holds ciphertext; a code logs in; a reset clears the column', async () => {
    await setLocation('user_store');
    const totp = await enrolAtLogin(server, 'JDBC/carol', CAROL.password);
    const sealed = (await columnValue('carol'))!;
    assert.match(sealed, SEALED);
    assert.ok(!sealed.includes(totp.secret.base32));
    const bob = await userOf('LDAP/bob');
    assert.throws(() => server.services.keyring.decryptString(sealed, secretAad(bob, CLAIMS.secretKey)), /decrypt/);
    await logsInWithCode('JDBC/carol', CAROL.password, totp);
    const carol = await userOf('JDBC/carol');
    await server.services.totpManagement.reset({ tenant: await tenantOf(server), actor: carol, via: 'test' }, carol);
    assert.equal(await columnValue('carol'), null);
  });

  test('nothing outward echoes the stored ciphertext: the claim read of every audience (SCIM and console, My Account, SAML, email); no claim maps onto it', async () => {
    await setLocation('user_store');
    await enrolAtLogin(server, 'LDAP/dave', DAVE.password);
    const sealed = (await directoryValue('dave'))!;
    assert.match(sealed, SEALED);
    const dave = await userOf('LDAP/dave');
    const claims = (await server.services.claims.list(dave.tenantId)).map((c) => c.uri);
    for (const audience of ['admin', 'self', 'application', 'email'] as const) {
      const values = await server.services.claimValues.readReleasable(dave, claims, audience);
      assert.ok(!JSON.stringify(values).includes(sealed.slice(20, 60)), `${audience}: no ciphertext`);
    }
    // The secret's attribute is taken: another claim cannot be mapped onto it, in this store or by default.
    const tenant = await tenantOf(server);
    await assert.rejects(
      server.services.claims.add(tenant.id, { uri: 'http://wso2.org/claims/notes', displayName: 'Notes', description: '', attributeMappings: [{ userstore: 'LDAP', mappedAttribute: 'totpSecretkey' }] }),
      (e: unknown) => e instanceof AppError && e.code === 'CLM-40001' && /totpSecretkey.*holds a TOTP secret/.test(e.description),
    );
    // Nor can the secret be moved onto an attribute another claim reads (email reads mail in every store).
    const secretClaim = (await server.services.claims.get(tenant.id, CLAIMS.secretKey))!;
    await assert.rejects(
      server.services.claims.update(tenant.id, CLAIMS.secretKey, { ...secretClaim, attributeMappings: [...secretClaim.attributeMappings, { userstore: 'LDAP', mappedAttribute: 'mail' }] }),
      (e: unknown) => e instanceof AppError && e.code === 'CLM-40001' && /"mail" holds .*secretkey in the user store LDAP/.test(e.description),
    );
  });
});
