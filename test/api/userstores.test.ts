// Issue 10, item 3: secondary user stores added at run time through /api/server/v1/userstores. An LDAP store on a
// real slapd and JDBC stores on PostgreSQL and MariaDB are added by the tenant admin; their users sign in at once,
// and after DELETE their sessions are gone and they cannot sign in. Secrets are write-only (never in a response,
// kept when a PUT leaves them out); bad input is a 400 naming the property; a used domain is a 409; a store
// declared in deployment.toml is read-only here; another tenant's admin neither sees nor reaches the stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';

type DatabaseType = 'postgres' | 'mysql';
import { setMyAccountSteps } from '../support/fixtures.ts';
import { createLegacyTable, insertLegacyUser } from '../support/jdbc-tables.ts';
import { LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { ROOT_PASSWORD, Slapd, slapdAvailable } from '../support/slapd.ts';
import { provisionTenant } from '../support/tenants.ts';
import { ldapStoreBody, storeId as idOf, USERSTORES as BASE } from '../support/userstores.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const BOSS: [string, string] = ['boss', 'a long password'];
const BOB = { uid: 'bob', password: 'bob-Ldap-pass1' };
// bcrypt of "abc" (libxcrypt), as in jdbc-login.test.ts.
const CAROL = { login: 'carol', pass: '$2b$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i', password: 'abc' };

const skip = skipUnless(slapdAvailable() && (await isAvailable('postgres')) && (await isAvailable('mysql')), 'slapd, PostgreSQL and MariaDB are needed');

describe('user stores API', { skip }, () => {
  let server: TestServer;
  let slapd: Slapd;
  const databases: Partial<Record<DatabaseType, TestDatabase>> = {};
  const present = () => Object.values(databases).filter((d): d is TestDatabase => d !== undefined);
  /** Every response body, to check that no secret was ever returned. */
  const seen: string[] = [];

  before(async () => {
    slapd = await Slapd.start({ users: [BOB] });
    for (const type of ['postgres', 'mysql'] as const) {
      const db = (databases[type] = await createTestDatabase(type));
      await createLegacyTable(type, db.url);
      await insertLegacyUser(type, db.url, CAROL);
    }
    server = await startTestServer({ toml: '[[user_store]]\ntype = "jdbc"\ndomain = "DECL"\nurl = "postgres://nobody@127.0.0.1:1/none"\nread_only = true\n' });
    await provisionTenant(server, 'alpha.com');
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    await setMyAccountSteps(server, [['BasicAuthenticator']], 'alpha.com');
  });
  after(async () => {
    await server?.close();
    await slapd?.close();
    for (const db of present()) await db.drop();
  });

  async function call(method: string, path: string, body?: unknown, auth: [string, string] = ADMIN) {
    const res = await server.client().request(path, { method, auth, ...(body === undefined ? {} : { json: body }) });
    seen.push(res.text, JSON.stringify(res.headers));
    return res;
  }

  const ldapStore = (name: string, password?: string) => ldapStoreBody(slapd, name, password);
  const jdbcStore = (name: string, type: DatabaseType) => ({
    typeId: idOf('UniqueIDJDBCUserStoreManager'),
    name,
    properties: [
      { name: 'url', value: databases[type]!.url },
      { name: 'driverName', value: type === 'postgres' ? 'org.postgresql.Driver' : 'org.mariadb.jdbc.Driver' },
      { name: 'table', value: 'legacy_users' },
      { name: 'id_column', value: 'user_id' },
      { name: 'username_column', value: 'login' },
      { name: 'password_column', value: 'pass' },
      { name: 'salt_column', value: 'salt' },
      { name: 'ReadOnly', value: 'true' },
    ],
  });

  async function signIn(username: string, password: string, tenantPath = ''): Promise<{ browser: LoginBrowser; page: Page }> {
    const browser = new LoginBrowser(server.client());
    const login = await browser.open(`${tenantPath}/myaccount`);
    assert.equal(login.name, 'login.do');
    return { browser, page: await browser.login(login, username, password) };
  }

  test('meta/types names the WSO2 managers, with each type\'s properties', async () => {
    const res = await call('GET', `${BASE}/meta/types`);
    assert.equal(res.status, 200);
    const types = res.json<{ typeId: string; typeName: string; properties: { mandatory: { name: string }[] } }[]>();
    assert.deepEqual(types.map((t) => t.typeName).sort(), ['UniqueIDActiveDirectoryUserStoreManager', 'UniqueIDJDBCUserStoreManager', 'UniqueIDReadOnlyLDAPUserStoreManager', 'UniqueIDReadWriteLDAPUserStoreManager']);
    const ldap = types.find((t) => t.typeName === 'UniqueIDReadOnlyLDAPUserStoreManager')!;
    assert.equal(ldap.typeId, idOf(ldap.typeName));
    assert.deepEqual(ldap.properties.mandatory.map((p) => p.name), ['ConnectionURL', 'UserSearchBase']);
  });

  test('an LDAP store added through the API: LDAP/bob signs in at once; after DELETE his session is over and he cannot sign in', async () => {
    const created = await call('POST', BASE, ldapStore('LDAP'));
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.location, `${server.url}${BASE}/${idOf('LDAP')}`);
    const body = created.json<{ id: string; typeName: string; properties: { name: string; value: string }[] }>();
    assert.equal(body.id, idOf('LDAP'));
    assert.equal(body.properties.find((p) => p.name === 'ConnectionPassword')?.value, '********');
    assert.equal(body.properties.find((p) => p.name === 'ReadOnly')?.value, 'true', 'the read-only manager');

    const { browser, page } = await signIn('LDAP/bob', BOB.password);
    assert.equal(page.name, 'myaccount');
    const list = (await call('GET', BASE)).json<{ name: string; source: string; typeName: string; self: string }[]>();
    assert.deepEqual(list.map((s) => [s.name, s.source]), [['DECL', 'deployment.toml'], ['LDAP', 'api']]);

    const audit = await server.services.audit.list((await server.services.tenants.findByDomain('carbon.super'))!.id, { event: 'userstore.added', offset: 0, limit: 50 });
    assert.ok(audit.events.some((e) => e.reason === 'LDAP' && e.actor === 'admin'), 'audited with the admin as actor');

    assert.equal((await call('DELETE', `${BASE}/${idOf('LDAP')}`)).status, 204);
    assert.equal((await browser.open('/myaccount')).name, 'login.do', 'the SSO session ended with the store');
    assert.equal((await signIn('LDAP/bob', BOB.password)).page.name, 'login.do');
    assert.equal((await call('GET', `${BASE}/${idOf('LDAP')}`)).status, 404);
  });

  for (const type of ['postgres', 'mysql'] as const) {
    test(`a JDBC store on ${type}: JDBC/carol signs in; a PUT without the url keeps it; after DELETE she cannot sign in`, async () => {
      const name = `J${type.toUpperCase()}`;
      const created = await call('POST', BASE, jdbcStore(name, type));
      assert.equal(created.status, 201, created.text);
      assert.equal((await signIn(`${name}/carol`, CAROL.password)).page.name, 'myaccount');

      const { properties, ...rest } = jdbcStore(name, type);
      const replaced = await call('PUT', `${BASE}/${idOf(name)}`, { ...rest, description: 'legacy users', properties: properties.filter((p) => p.name !== 'url') });
      assert.equal(replaced.status, 200, replaced.text);
      assert.equal(replaced.json<{ description: string }>().description, 'legacy users');
      assert.equal((await signIn(`${name}/carol`, CAROL.password)).page.name, 'myaccount', 'the url was kept');

      assert.equal((await call('DELETE', `${BASE}/${idOf(name)}`)).status, 204);
      assert.equal((await signIn(`${name}/carol`, CAROL.password)).page.name, 'login.do');
    });
  }

  test('test-connection: ok with the right bind password, a reason without it; nothing is registered', async () => {
    const ok = await call('POST', `${BASE}/test-connection`, ldapStore('PROBE'));
    assert.deepEqual(ok.json(), { connection: true });
    const bad = await call('POST', `${BASE}/test-connection`, ldapStore('PROBE', 'not-the-password'));
    assert.equal(bad.status, 200);
    assert.equal(bad.json<{ connection: boolean }>().connection, false);
    assert.ok(!bad.text.includes('not-the-password'));
    assert.equal((await call('GET', `${BASE}/${idOf('PROBE')}`)).status, 404);
  });

  test('bad input is a 400 naming the property; nothing is stored', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...ldapStore('BAD'), properties: [...ldapStore('BAD').properties, { name: 'Colour', value: 'red' }] }, /^Colour: unknown property/],
      [{ ...ldapStore('BAD'), properties: ldapStore('BAD').properties.filter((p) => p.name !== 'UserSearchBase') }, /^UserSearchBase: required/],
      [{ ...ldapStore('BAD'), properties: [...ldapStore('BAD').properties, { name: 'ReadOnly', value: 'maybe' }] }, /^ReadOnly: /],
      [{ ...ldapStore('BAD'), properties: [...ldapStore('BAD').properties, { name: 'table', value: 'users' }] }, /^table: does not apply/],
      [ldapStore('BAD', '$env{HOME}'), /^ConnectionPassword: .*deployment\.toml/],
      [{ ...ldapStore('BAD'), typeName: 'MagicManager' }, /^typeName: /],
      [{ ...jdbcStore('BAD', 'postgres'), properties: [{ name: 'url', value: 'http://example.com/' }] }, /^url: must start with postgres/],
      [{ ...ldapStore('bad name!') }, /^name: /],
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', BASE, body);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json<{ code: string }>().code, 'USR-40006');
      assert.match(res.json<{ description: string }>().description, message);
    }
    assert.equal((await call('POST', BASE, { name: 'X', properties: [{ name: 'a' }] })).status, 400, 'schema');
    assert.ok(!(await call('GET', BASE)).text.includes('BAD'));
  });

  test('a domain in use is a 409; a store from deployment.toml is read-only here', async () => {
    assert.equal((await call('POST', BASE, ldapStore('TWICE'))).status, 201);
    const again = await call('POST', BASE, ldapStore('twice'));
    assert.deepEqual([again.status, again.json<{ code: string }>().code], [409, 'USR-40903']);
    for (const name of ['PRIMARY', 'DECL']) assert.equal((await call('POST', BASE, ldapStore(name))).json<{ code: string }>().code, 'USR-40903', name);
    const decl = await call('GET', `${BASE}/${idOf('DECL')}`);
    assert.equal(decl.json<{ source: string }>().source, 'deployment.toml');
    assert.equal((await call('PUT', `${BASE}/${idOf('DECL')}`, jdbcStore('DECL', 'postgres'))).json<{ code: string }>().code, 'USR-40904');
    assert.equal((await call('DELETE', `${BASE}/${idOf('DECL')}`)).json<{ code: string }>().code, 'USR-40904');
    assert.equal((await call('GET', `${BASE}/not*base64`)).status, 404);
    assert.equal((await call('DELETE', `${BASE}/${idOf('TWICE')}`)).status, 204);
  });

  test("tenant isolation: alpha.com's admin neither sees nor reaches carbon.super's stores, and its users are not resolved there", async () => {
    assert.equal((await call('POST', BASE, ldapStore('SUPERLDAP'))).status, 201);
    const alpha = `/t/alpha.com${BASE}`;
    const list = await call('GET', alpha, undefined, BOSS);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json(), []);
    for (const method of ['GET', 'DELETE']) assert.equal((await call(method, `${alpha}/${idOf('SUPERLDAP')}`, undefined, BOSS)).status, 404, method);
    assert.equal((await call('PUT', `${alpha}/${idOf('SUPERLDAP')}`, ldapStore('SUPERLDAP'), BOSS)).status, 404);
    // Testing by name in alpha.com finds no stored password to reuse: the bind without one fails.
    const probe = await call('POST', `${alpha}/test-connection`, { ...ldapStore('SUPERLDAP'), properties: ldapStore('SUPERLDAP').properties.filter((p) => p.name !== 'ConnectionPassword') }, BOSS);
    assert.equal(probe.json<{ connection: boolean }>().connection, false);
    assert.equal((await call('GET', alpha, undefined, ADMIN)).status, 401, "carbon.super's admin is no one in alpha.com");
    assert.equal((await signIn('SUPERLDAP/bob', BOB.password, '/t/alpha.com')).page.name, 'login.do');
    assert.equal((await signIn('SUPERLDAP/bob', BOB.password)).page.name, 'myaccount');
  });

  test('no response ever held a secret', () => {
    const all = seen.join('\n');
    assert.ok(!all.includes(ROOT_PASSWORD), 'the bind password');
    for (const db of present()) assert.ok(!all.includes(db.url), 'the JDBC url');
  });
});
