// Logging in as users of a JDBC store on PostgreSQL, through the real login pages: an existing table with
// bcrypt, PBKDF2 and WSO2 salted SHA-256 hashes; JDBC/carol enrols TOTP in My Account (password, then TOTP)
// and signs in again with a code; a legacy hash becomes argon2id after a login; a bare name in two stores is
// refused; a store that is down answers quickly while PRIMARY users still sign in; readiness names the stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { createUser, setMyAccountSteps, setTotpParams, tenantOf } from '../support/fixtures.ts';
import { createLegacyTable, insertLegacyUser, legacyStoreToml } from '../support/jdbc-tables.ts';
import { enrolAtLogin } from '../support/enrolment.ts';
import { alertText, awayFromStepEdge, codeAt, LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';

// Independent vectors: bcrypt from libxcrypt, PBKDF2 and SHA-256 from Python's hashlib (see legacy-hash.test.ts).
const CAROL_BCRYPT = { login: 'carol', pass: '$2b$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i', password: 'abc' };
const DAN_PBKDF2 = { login: 'Dan', pass: '$pbkdf2-sha256$29000$MDEyMzQ1Njc4OWFiY2RlZg$uHVoxjLD1v3uqpdY8ehNPGUYMiKj8ROQSRwMSE033NY', password: 'correct horse' };
const ERIN_WSO2 = { login: 'erin', pass: '2WpmaGj4YkXqsFAIhAnRSiWNZgIxj8WgdDgYLPIRXTI=', salt: 'c2FsdHNhbHRzYWx0c2FsdA==', password: 'wso2pass' };

const skip = skipUnless(await isAvailable('postgres'), 'postgres is not reachable');

describe('logging in as users of a JDBC store', { skip }, () => {
  let server: TestServer;
  let database: TestDatabase;

  before(async () => {
    database = await createTestDatabase('postgres');
    await createLegacyTable('postgres', database.url);
    for (const row of [CAROL_BCRYPT, DAN_PBKDF2, ERIN_WSO2, { login: 'alice', pass: DAN_PBKDF2.pass }]) await insertLegacyUser('postgres', database.url, row);
    server = await startTestServer({
      toml: `${legacyStoreToml(database.url, { attributes: { mail: 'email' } })}
[[user_store]]
type = "database"
domain = "DOWN"
url = "postgres://nobody@127.0.0.1:1/none"
connect_timeout = 500
query_timeout = 1000
read_only = true
`,
    });
    await server.services.users.create(await tenantOf(server), { username: 'alice', password: 'alice primary pass' });
  });
  after(async () => {
    await server?.close();
    await database?.drop();
  });

  async function signIn(username: string, password: string): Promise<{ browser: LoginBrowser; page: Page }> {
    const browser = new LoginBrowser(server.client());
    const login = await browser.open('/myaccount');
    assert.equal(login.name, 'login.do');
    return { browser, page: await browser.login(login, username, password) };
  }

  async function passOf(login: string): Promise<{ pass: string; salt: string }> {
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    try {
      return (await c.query<{ pass: string; salt: string }>('select pass, salt from legacy_users where login = $1', [login])).rows[0]!;
    } finally {
      await c.end();
    }
  }

  test('JDBC/carol signs in with her bcrypt password; a wrong one is refused like any other', async () => {
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    assert.equal((await signIn('JDBC/carol', 'abd')).page.name, 'login.do');
    const { page } = await signIn('JDBC/carol', CAROL_BCRYPT.password);
    assert.equal(page.name, 'myaccount');
    assert.match((await passOf('carol')).pass, /^\$argon2id\$/, 'the bcrypt hash was upgraded');
  });

  test('a PBKDF2 hash is upgraded to argon2id at login and the password still works', async () => {
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    assert.equal((await passOf('Dan')).pass, DAN_PBKDF2.pass);
    assert.equal((await signIn('JDBC/dan', DAN_PBKDF2.password)).page.name, 'myaccount');
    assert.match((await passOf('Dan')).pass, /^\$argon2id\$v=19\$/);
    assert.equal((await signIn('JDBC/DAN', DAN_PBKDF2.password)).page.name, 'myaccount');
    assert.equal((await signIn('JDBC/dan', 'correct horse!')).page.name, 'login.do');
  });

  test("WSO2's salted SHA-256: a bare name found only in JDBC signs in; the salt is cleared with the upgrade", async () => {
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    assert.equal((await signIn('erin', ERIN_WSO2.password)).page.name, 'myaccount');
    const after = await passOf('erin');
    assert.match(after.pass, /^\$argon2id\$/);
    assert.equal(after.salt, '');
    assert.equal((await signIn('JDBC/erin', ERIN_WSO2.password)).page.name, 'myaccount');
  });

  test('a bare name in PRIMARY and JDBC is refused as ambiguous; each qualified name works', async () => {
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    const { page } = await signIn('alice', 'alice primary pass');
    assert.equal(page.name, 'login.do');
    assert.match(alertText(page), /more than one user store/);
    assert.equal((await signIn('PRIMARY/alice', 'alice primary pass')).page.name, 'myaccount');
    assert.equal((await signIn('JDBC/alice', DAN_PBKDF2.password)).page.name, 'myaccount');
  });

  test('a store that is down: its users are told quickly, PRIMARY users still sign in', async () => {
    await setMyAccountSteps(server, [['BasicAuthenticator']]);
    const started = performance.now();
    const { page } = await signIn('DOWN/bob', 'whatever pass');
    assert.ok(performance.now() - started < 3000, 'answered quickly');
    assert.equal(page.name, 'login.do');
    assert.match(alertText(page), /not available right now/);
    const primary = await createUser(server);
    assert.equal((await signIn(primary.username, primary.password)).page.name, 'myaccount');
    // A bare name found nowhere while a store is down may be in that store: said plainly, not "wrong password".
    assert.match(alertText((await signIn('nobody-here', 'whatever pass')).page), /not available right now/);
  });

  test('/health/ready is ready and names every store; the store that is down is DOWN with a reason', async () => {
    const res = await server.client().get('/health/ready');
    assert.equal(res.status, 200);
    const body = res.json<{ status: string; checks: { userStores: { domain: string; status: string; reason?: string; tenant?: string }[] } }>();
    assert.equal(body.status, 'UP');
    assert.deepEqual(
      body.checks.userStores.map((s) => [s.domain, s.tenant, s.status, s.reason]),
      [
        ['PRIMARY', undefined, 'UP', undefined],
        ['JDBC', 'carbon.super', 'UP', undefined],
        ['DOWN', 'carbon.super', 'DOWN', 'connection refused'],
      ],
    );
    assert.ok(!res.text.includes('127.0.0.1'), 'no URL in the report');
  });

  test('JDBC/carol enrols TOTP in My Account (password, then TOTP), then signs in with a code', async () => {
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    await setTotpParams(server, { enrolUserInAuthenticationFlow: true, authenticationMandatory: true });
    const totp = await enrolAtLogin(server, 'JDBC/carol', CAROL_BCRYPT.password);

    const again = await signIn('JDBC/carol', CAROL_BCRYPT.password);
    assert.equal(again.page.name, 'totp.do');
    const wrong = await again.browser.submit(again.page, { token: codeAt(totp) === '000000' ? '111111' : '000000' });
    assert.equal(wrong.name, 'totp.do');
    await awayFromStepEdge(30);
    const next = await again.browser.submit(wrong, { token: codeAt(totp, 1) });
    assert.equal(next.name, 'myaccount');
  });
});
