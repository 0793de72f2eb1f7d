// Moving a WSO2 IS server over (issue 13, item 4), on PostgreSQL and on MariaDB: the test builds a WSO2-shaped
// database (WSO2's tables and columns, rows as WSO2 writes them, TOTP secrets encrypted the way each release
// does: AES-GCM under [encryption] totpKey / key / the stock key with 16- and 128-byte IVs, RSA-OAEP for a
// certificate of a PKCS#12 keystore made here), runs `import:wso2` against a running server's database, then
// logs imported users in through the real login pages with their old password and a code from their old secret,
// checks the hash became argon2id, and runs the import again to see that nothing is duplicated.
import assert from 'node:assert/strict';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { stringify } from 'smol-toml';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { runCli } from '../../src/import/wso2/cli.ts';
import type { ImportReport } from '../../src/import/wso2/report.ts';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { claimOf, setMyAccountSteps, tenantOf } from '../support/fixtures.ts';
import { awayFromStepEdge, LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { completedApp, startLogin, TestFront } from '../support/test-front.ts';
import { makeKeystore, STOCK_KEY, wso2AesGcm, wso2RsaOaep, wso2Salt, wso2Sha256 } from './wso2-crypto.ts';
import { Wso2Database } from './wso2-database.ts';

const SUPER = -1234;
const ACME = 1;
/** IS 7.1's hex form of [encryption] key, and IS 7.0's [encryption] totpKey (32 characters, used as text bytes). */
const ENCRYPTION_KEY = randomBytes(32).toString('hex');
const TOTP_KEY = 'Q7m2Vx9Lp4Rt8Wz1Kc6Nf3Hs5Jd0Gb2Y';
const I = 'http://wso2.org/claims/identity/';

interface Person {
  id: number;
  name: string;
  password: string;
  /** The Base32 (or Base64) text WSO2 encrypted: what the user's authenticator app holds. */
  secret?: string;
}

const alice: Person = { id: 1, name: 'alice', password: 'Alice-old-pass-1', secret: 'JBSWY3DPEHPK3PXPJBSWY3DP' };
const bob: Person = { id: 2, name: 'bob', password: 'Bob-old-pass-22', secret: 'KRSXG5CTMVRXEZLUKRSXG5CT' };
const carol: Person = { id: 3, name: 'carol', password: 'Carol-old-pass-3', secret: 'MFRGGZDFMZTWQ2LKMFRGGZDF' };
const dave: Person = { id: 4, name: 'dave', password: 'Dave-old-pass-44', secret: 'GEZDGNBVGY3TQOJQGEZDGNBV' };
const admin: Person = { id: 5, name: 'admin', password: 'wso2-admin-pass' };
/** Never signs in until the last test: the hash an import wrote is still WSO2's. */
const frank: Person = { id: 7, name: 'frank', password: 'Frank-old-pass-7' };
/** A tenant user whose tenant writes secrets as Base64 with 60-second steps (its registry document). */
const erin: Person = { id: 6, name: 'erin', password: 'Erin-old-pass-66', secret: Buffer.from('0123456789', 'utf8').toString('base64') };

const TENANT_XML = `<AuthenticatorConfig name="totp" enabled="true">
  <Parameter name="encodingMethod">Base64</Parameter>
  <Parameter name="timeStepSize">60</Parameter>
  <Parameter name="windowSize">3</Parameter>
  <Parameter name="authenticationMandatory">true</Parameter>
  <Parameter name="enrolUserInAuthenticationFlow">true</Parameter>
  <Parameter name="usecase">local</Parameter>
  <Parameter name="Issuer">Acme</Parameter>
  <Parameter name="someFutureWso2Parameter">x</Parameter>
</AuthenticatorConfig>`;

function totpOf(person: Person, encoding: 'Base32' | 'Base64' = 'Base32', period = 30): OTPAuth.TOTP {
  const secret = encoding === 'Base32' ? OTPAuth.Secret.fromBase32(person.secret!) : new OTPAuth.Secret({ buffer: Uint8Array.from(Buffer.from(person.secret!, 'base64')).buffer });
  return new OTPAuth.TOTP({ secret, algorithm: 'SHA1', digits: 6, period });
}

for (const engine of ['postgres', 'mysql'] as const) {
  const skip = skipUnless(await isAvailable(engine), `${engine} is not reachable`);
  // One PasswordDigest per run, as a WSO2 store has one: SHA-256 (the default) on PostgreSQL, PBKDF2 on MariaDB.
  const digest = engine === 'postgres' ? 'SHA-256' : 'PBKDF2';

  describe(`importing a WSO2 server from ${engine}`, { skip }, () => {
    let wso2Database: TestDatabase;
    let ourDatabase: TestDatabase;
    let server: TestServer;
    let dir: string;
    let firstRun: Report;
    const keystore = makeKeystore('keystore-pw');

    function hashOf(password: string, salt: string): string {
      if (digest === 'SHA-256') return wso2Sha256(password, salt);
      // PBKDF2WithHmacSHA256, 10000 rounds, 256 bits; the salt's Base64 *text* as its bytes (crypto-formats.md 5).
      return pbkdf2Sync(Buffer.from(password, 'utf8'), Buffer.from(salt, 'utf8'), 10000, 32, 'sha256').toString('base64');
    }

    async function buildWso2(db: Wso2Database): Promise<void> {
      await db.createTables();
      const now = new Date('2025-06-01T10:00:00Z');
      await db.insert('UM_TENANT', { UM_ID: ACME, UM_DOMAIN_NAME: 'acme.com', UM_EMAIL: 'it@acme.com', UM_ACTIVE: true, UM_CREATED_DATE: now, UM_USER_CONFIG: Buffer.from('<UserManager><Realm><Configuration><AdminUser><UserName>acmeadmin</UserName></AdminUser></Configuration></Realm></UserManager>') });
      const users: [number, Person][] = [[SUPER, alice], [SUPER, bob], [SUPER, carol], [SUPER, dave], [SUPER, admin], [ACME, erin], [SUPER, frank]];
      for (const [tenant, p] of users) {
        const salt = wso2Salt();
        await db.insert('UM_USER', { UM_ID: p.id, UM_USER_ID: `uuid-${p.id}`, UM_USER_NAME: p.name, UM_USER_PASSWORD: hashOf(p.password, salt), UM_SALT_VALUE: salt, UM_REQUIRE_CHANGE: false, UM_CHANGED_TIME: now, UM_TENANT_ID: tenant });
      }
      // The local dialect's PRIMARY mappings (mail, givenName); nickName is an attribute no claim maps.
      for (const [tenant, base] of [[SUPER, 1], [ACME, 10]] as const) {
        await db.insert('IDN_CLAIM_DIALECT', { ID: base, DIALECT_URI: 'http://wso2.org/claims', TENANT_ID: tenant });
        await db.insert('IDN_CLAIM', { ID: base, DIALECT_ID: base, CLAIM_URI: CLAIMS.email, TENANT_ID: tenant });
        await db.insert('IDN_CLAIM', { ID: base + 1, DIALECT_ID: base, CLAIM_URI: CLAIMS.givenName, TENANT_ID: tenant });
        await db.insert('IDN_CLAIM_MAPPED_ATTRIBUTE', { ID: base, LOCAL_CLAIM_ID: base, USER_STORE_DOMAIN_NAME: 'PRIMARY', ATTRIBUTE_NAME: 'mail', TENANT_ID: tenant });
        await db.insert('IDN_CLAIM_MAPPED_ATTRIBUTE', { ID: base + 1, LOCAL_CLAIM_ID: base + 1, USER_STORE_DOMAIN_NAME: 'PRIMARY', ATTRIBUTE_NAME: 'givenName', TENANT_ID: tenant });
      }
      let attr = 1;
      const attribute = (userId: number, tenant: number, name: string, value: string) =>
        db.insert('UM_USER_ATTRIBUTE', { UM_ID: attr++, UM_ATTR_NAME: name, UM_ATTR_VALUE: value, UM_PROFILE_ID: 'default', UM_USER_ID: userId, UM_TENANT_ID: tenant });
      await attribute(alice.id, SUPER, 'mail', 'alice@example.org');
      await attribute(alice.id, SUPER, 'givenName', 'Alice');
      await attribute(alice.id, SUPER, 'nickName', 'Al');
      await attribute(erin.id, ACME, 'mail', 'erin@acme.com');
      // Identity data: each secret encrypted as that release and tenant would.
      const data = (tenant: number, user: string, key: string, value: string) => db.insert('IDN_IDENTITY_USER_DATA', { TENANT_ID: tenant, USER_NAME: user, DATA_KEY: key, DATA_VALUE: value });
      await data(SUPER, 'alice', `${I}secretkey`, wso2AesGcm(alice.secret!, TOTP_KEY, { ivLength: 128 })); // IS 7.0+: totpKey, super tenant
      await data(SUPER, 'alice', `${I}totpEnabled`, 'true');
      await data(SUPER, 'alice', `${I}failedLoginAttempts`, '0');
      await data(SUPER, 'alice', `${I}accountLocked`, 'false');
      await data(SUPER, 'bob', `${I}secretkey`, wso2RsaOaep(bob.secret!, keystore)); // asymmetric deployment
      await data(SUPER, 'carol', `${I}secretkey`, wso2AesGcm(carol.secret!, randomBytes(16).toString('hex'))); // a key nobody gave
      await data(SUPER, 'dave', `${I}secretkey`, wso2AesGcm(dave.secret!, STOCK_KEY, { ivLength: 16 })); // IS 5.11, stock key
      await data(ACME, 'erin', `${I}secretkey`, wso2AesGcm(erin.secret!, ENCRYPTION_KEY, { keyId: true })); // IS 7.1 hex key
      // Identity providers: the resident LOCAL one per tenant with its local authenticators, and a federated one.
      await db.insert('IDP', { ID: 1, TENANT_ID: SUPER, NAME: 'LOCAL' });
      await db.insert('IDP', { ID: 2, TENANT_ID: SUPER, NAME: 'Google' });
      await db.insert('IDP', { ID: 3, TENANT_ID: ACME, NAME: 'LOCAL' });
      const authenticators = [[1, SUPER, 1, 'BasicAuthenticator'], [2, SUPER, 1, 'totp'], [3, SUPER, 2, 'GoogleOIDCAuthenticator'], [4, ACME, 3, 'BasicAuthenticator'], [5, ACME, 3, 'totp']] as const;
      for (const [id, tenant, idp, name] of authenticators) await db.insert('IDP_AUTHENTICATOR', { ID: id, TENANT_ID: tenant, IDP_ID: idp, NAME: name, IS_ENABLED: '1', DISPLAY_NAME: name });
      const app = (id: number, tenant: number, name: string, authType: string) =>
        db.insert('SP_APP', { ID: id, TENANT_ID: tenant, APP_NAME: name, USER_STORE: 'PRIMARY', USERNAME: 'admin', DESCRIPTION: `${name} from WSO2`, AUTH_TYPE: authType, UUID: `app-${id}` });
      await app(1, SUPER, 'wso2carbon-local-sp', 'default');
      await app(2, SUPER, 'travel-app', 'flow');
      await app(3, SUPER, 'google-app', 'flow');
      await app(4, SUPER, 'plain-app', 'default');
      await app(5, ACME, 'acme-portal', 'flow');
      const steps = [[1, SUPER, 2, 1, '1', '1', 1], [2, SUPER, 2, 2, '0', '0', 2], [3, SUPER, 3, 1, '1', '1', 3], [4, ACME, 5, 1, '1', '1', 4], [5, ACME, 5, 2, '0', '0', 5]] as const;
      for (const [id, tenant, appId, order, subject, attributeStep, authenticator] of steps) {
        await db.insert('SP_AUTH_STEP', { ID: id, TENANT_ID: tenant, STEP_ORDER: order, APP_ID: appId, IS_SUBJECT_STEP: subject, IS_ATTRIBUTE_STEP: attributeStep });
        await db.insert('SP_FEDERATED_IDP', { ID: id, TENANT_ID: tenant, AUTHENTICATOR_ID: authenticator });
      }
      await db.insert('SP_INBOUND_AUTH', { ID: 1, TENANT_ID: SUPER, INBOUND_AUTH_KEY: 'travelocity.com', INBOUND_AUTH_TYPE: 'samlsso', INBOUND_CONFIG_TYPE: 'standardAPP', PROP_NAME: null, PROP_VALUE: null, APP_ID: 2 });
      // acme.com's TOTP document in its registry, at /_system/governance/totp (with an older version below it).
      await db.insert('REG_PATH', { REG_PATH_ID: 1, REG_PATH_VALUE: '/_system/governance/totp', REG_PATH_PARENT_ID: null, REG_TENANT_ID: ACME });
      await db.insert('REG_CONTENT', { REG_CONTENT_ID: 1, REG_CONTENT_DATA: Buffer.from(TENANT_XML.replace('60', '90')), REG_TENANT_ID: ACME });
      await db.insert('REG_CONTENT', { REG_CONTENT_ID: 2, REG_CONTENT_DATA: Buffer.from(TENANT_XML), REG_TENANT_ID: ACME });
      for (const version of [1, 2]) {
        await db.insert('REG_RESOURCE', { REG_PATH_ID: 1, REG_NAME: 'application-authentication.xml', REG_VERSION: version, REG_MEDIA_TYPE: 'application/xml', REG_CREATOR: 'acmeadmin', REG_CREATED_TIME: now, REG_LAST_UPDATOR: 'acmeadmin', REG_LAST_UPDATED_TIME: now, REG_DESCRIPTION: null, REG_CONTENT_ID: version, REG_TENANT_ID: ACME, REG_UUID: `uuid-reg-${version}` });
      }
    }

    type Report = ReturnType<ImportReport['toJSON']>;

    /** Runs the command as an operator would (same config as the server), returning its JSON report. */
    async function runImport(passwordDigest = digest): Promise<Report> {
      const { code, out } = await runCommand(wso2Database.url, passwordDigest);
      assert.equal(code, 0, out);
      return JSON.parse(out) as Report;
    }

    async function runCommand(db: string, passwordDigest = digest): Promise<{ code: number; out: string }> {
      let out = '';
      const argv = ['--db', db, '--config', join(dir, 'deployment.toml'), '--password-digest', passwordDigest, '--json'];
      // The key material two ways: as options and environment variables (PostgreSQL run), or read from WSO2's own
      // deployment.toml with the keystore where WSO2 keeps it (MariaDB run).
      const keyEnv = engine === 'postgres' ? { WSO2_KEYSTORE_PASSWORD: keystore.password, WSO2_ENCRYPTION_KEY: ENCRYPTION_KEY, WSO2_TOTP_KEY: TOTP_KEY } : {};
      if (engine === 'postgres') argv.push('--keystore', join(dir, 'wso2carbon.p12'));
      else argv.push('--wso2-config', join(dir, 'wso2is', 'repository', 'conf', 'deployment.toml'));
      const code = await runCli(argv, { out: (t) => (out += t), env: keyEnv });
      return { code, out };
    }

    async function counts(): Promise<Record<string, number>> {
      const db = server.services.storage.db;
      const n = async (table: 'tenants' | 'users' | 'applications' | 'totp_credentials' | 'import_origins' | 'user_attributes') =>
        Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      return { tenants: await n('tenants'), users: await n('users'), applications: await n('applications'), totp: await n('totp_credentials'), origins: await n('import_origins'), attributes: await n('user_attributes') };
    }

    async function hashOfUser(tenantDomain: string, name: string): Promise<string> {
      const tenant = await tenantOf(server, tenantDomain);
      const row = await server.services.storage.db.selectFrom('users').select('password_hash').where('tenant_id', '=', tenant.id).where('username_key', '=', name).executeTakeFirstOrThrow();
      return row.password_hash ?? '';
    }

    before(async () => {
      wso2Database = await createTestDatabase(engine);
      ourDatabase = await createTestDatabase(engine);
      const db = await Wso2Database.open(engine, wso2Database.url);
      try {
        await buildWso2(db);
      } finally {
        await db.close();
      }
      server = await startTestServer({ database: ourDatabase });
      dir = mkdtempSync(join(tmpdir(), 'pcs-wso2-import-'));
      writeFileSync(join(dir, 'wso2carbon.p12'), keystore.p12);
      mkdirSync(join(dir, 'wso2is', 'repository', 'conf'), { recursive: true });
      mkdirSync(join(dir, 'wso2is', 'repository', 'resources', 'security'), { recursive: true });
      writeFileSync(join(dir, 'wso2is', 'repository', 'resources', 'security', 'wso2carbon.p12'), keystore.p12);
      writeFileSync(
        join(dir, 'wso2is', 'repository', 'conf', 'deployment.toml'),
        `[server]\nhostname = "localhost"\n\n[encryption]\nkey = "${ENCRYPTION_KEY}"\ntotpKey = "${TOTP_KEY}"\n\n[keystore.primary]\nfile_name = "wso2carbon.p12"\npassword = "${keystore.password}"\n`,
      );
      // The command reads the same settings as the server: its database and its data directory (the keyring).
      writeFileSync(join(dir, 'deployment.toml'), stringify({ server: { data_dir: server.dataDir }, password_hashing: { memory_cost: 1024, time_cost: 1 }, database: { identity_db: { type: engine, url: ourDatabase.url } } }));
      firstRun = await runImport();
    });
    after(async () => {
      await server?.close();
      await ourDatabase?.drop();
      await wso2Database?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('the report says what was imported and what was skipped, and why', () => {
      assert.deepEqual([firstRun.tenants!.imported, firstRun.users!.imported, firstRun['totp secrets']!.imported, firstRun.applications!.imported, firstRun['totp settings']!.imported], [1, 6, 4, 3, 1]);
      assert.deepEqual(Object.values(firstRun.users!.reasons).map((r) => r.names), [['admin']], 'our own admin is not overwritten by WSO2 admin');
      const secretReasons = Object.entries(firstRun['totp secrets']!.reasons);
      assert.equal(secretReasons.length, 1);
      assert.match(secretReasons[0]![0], /cannot decrypt: no given symmetric key decrypts the value/);
      assert.deepEqual(secretReasons[0]![1].names, ['carol']);
      const appReasons = firstRun.applications!.reasons;
      assert.deepEqual(Object.values(appReasons).flatMap((r) => r.names).sort(), ['google-app', 'wso2carbon-local-sp']);
      assert.ok(Object.keys(appReasons).some((r) => /federated identity providers are not supported here \(Google in step 1\)/.test(r)));
      assert.deepEqual(Object.values(firstRun.applications!.notes).flatMap((r) => r.names), ['travel-app: travelocity.com']);
      assert.ok(Object.keys(firstRun.claims!.reasons).some((r) => /"nickName" has no claim/.test(r)));
      // alice's mail, givenName and accountLocked, erin's mail; WSO2's counters are its own bookkeeping.
      assert.equal(firstRun.claims!.imported, 4);
      assert.ok(Object.keys(firstRun.claims!.reasons).some((r) => r.startsWith(`${I}failedLoginAttempts: WSO2's own bookkeeping`)));
      assert.ok(Object.keys(firstRun['totp settings']!.notes).some((r) => /someFutureWso2Parameter/.test(r)));
      assert.deepEqual(firstRun.warnings, []);
      // Never a secret, a hash or a claim value in the report.
      const text = JSON.stringify(firstRun);
      for (const p of [alice, bob, carol, dave, erin]) {
        assert.ok(!text.includes(p.secret!) && !text.includes(p.password), `nothing of ${p.name}'s secrets in the report`);
      }
      assert.ok(!text.includes('alice@example.org'));
    });

    test('claims came over through the dialect; the tenant, its admin name and its TOTP settings too', async () => {
      const tenant = await tenantOf(server);
      const aliceHere = (await server.services.users.find(tenant, 'alice'))!;
      assert.equal(await claimOf(server, aliceHere, CLAIMS.email), 'alice@example.org');
      assert.equal(await claimOf(server, aliceHere, CLAIMS.givenName), 'Alice');
      const acme = await tenantOf(server, 'acme.com');
      assert.equal(acme.adminUsername, 'acmeadmin');
      const params = await server.services.totpSettings.forTenant(acme);
      assert.deepEqual([params.encodingMethod, params.timeStepSize, params.Issuer], ['Base64', 60, 'Acme'], 'the newest registry version');
      const sequence = (await server.services.applications.findByName(acme.id, 'acme-portal'))!.authenticationSequence;
      assert.deepEqual(sequence.steps.map((s) => s.options.map((o) => o.authenticator)), [['BasicAuthenticator'], ['totp']]);
    });

    test("alice signs in to the imported application with her old password and a code from her old secret; her hash becomes argon2id", async () => {
      assert.match(await hashOfUser('carbon.super', 'alice'), /^\$wso2-/);
      const front = TestFront.install(server);
      const app = (await server.services.applications.findByName((await tenantOf(server)).id, 'travel-app'))!;
      const browser = new LoginBrowser(server.client());
      const login = await startLogin(server, browser, app);
      assert.equal(login.name, 'login.do');
      assert.equal((await browser.login(login, 'alice', 'wrong-password')).name, 'login.do', 'a wrong password is refused');
      const codePage = await browser.login(await startLogin(server, browser, app), 'alice', alice.password);
      assert.equal(codePage.name, 'totp.do', 'the imported second step asks for a code, not an enrolment');
      const totp = totpOf(alice);
      await awayFromStepEdge(totp.period);
      const done = await browser.submit(codePage, { token: totp.generate() });
      assert.equal(completedApp(done), 'travel-app');
      assert.equal(front.results.at(-1)?.user.username, 'alice');
      assert.match(await hashOfUser('carbon.super', 'alice'), /^\$argon2id\$/);
    });

    async function myAccount(base: string, person: Person, totp: OTPAuth.TOTP): Promise<Page> {
      const browser = new LoginBrowser(server.client());
      const codePage = await browser.login(await browser.open(base), person.name, person.password);
      assert.equal(codePage.name, 'totp.do', `${person.name} is asked for a code`);
      await awayFromStepEdge(totp.period);
      return browser.submit(codePage, { token: totp.generate() });
    }

    test('bob (RSA-OAEP, keystore), dave (stock key, 16-byte IV) and erin@acme.com (Base64, 60 s steps) sign in to My Account', async () => {
      await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
      await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']], 'acme.com');
      assert.equal((await myAccount('/myaccount', bob, totpOf(bob))).name, 'myaccount');
      assert.equal((await myAccount('/myaccount', dave, totpOf(dave))).name, 'myaccount');
      assert.equal((await myAccount('/t/acme.com/myaccount', erin, totpOf(erin, 'Base64', 60))).name, 'myaccount');
      assert.match(await hashOfUser('acme.com', 'erin'), /^\$argon2id\$/);
    });

    test('carol, whose secret could not be read, is imported without TOTP: she enrols at her next login', async () => {
      await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
      const browser = new LoginBrowser(server.client());
      const page = await browser.login(await browser.open('/myaccount'), 'carol', carol.password);
      assert.equal(page.name, 'totp_enroll.do');
    });

    test('running the import again duplicates nothing and undoes nothing', async () => {
      const before = await counts();
      const hash = await hashOfUser('carbon.super', 'alice');
      const again = await runImport();
      assert.deepEqual(await counts(), before);
      assert.equal(await hashOfUser('carbon.super', 'alice'), hash, "alice's upgraded hash is kept");
      assert.deepEqual([again.tenants!.imported, again.users!.imported, again['totp secrets']!.imported, again.applications!.imported, again['totp settings']!.imported], [0, 0, 0, 0, 0]);
      assert.deepEqual([again.tenants!.alreadyImported, again.users!.alreadyImported, again['totp secrets']!.alreadyImported, again.applications!.alreadyImported, again['totp settings']!.alreadyImported], [1, 6, 4, 3, 1]);
      assert.deepEqual(again.users!.notes, {}, 'the same digest reads the same hashes');
      // carol's secret is still unreadable (the key was never given): said again, not imported as anything else.
      assert.deepEqual(Object.values(again['totp secrets']!.reasons).flatMap((r) => r.names), ['carol']);
    });

    test('a database that is not WSO2\'s is refused before anything is written', async () => {
      const before = await counts();
      const { code, out } = await runCommand(ourDatabase.url);
      assert.equal(code, 2);
      assert.match(out, /no UM_USER or UM_TENANT table/);
      assert.deepEqual(await counts(), before);
    });

    test('a wrong --password-digest is corrected by running again with the right one, for users who have not signed in', async () => {
      await setMyAccountSteps(server, [['BasicAuthenticator']]);
      const signIn = async (p: Person) => {
        const browser = new LoginBrowser(server.client());
        return (await browser.login(await browser.open('/myaccount'), p.name, p.password)).name;
      };
      const aliceHash = await hashOfUser('carbon.super', 'alice');
      const wrong = await runImport('SHA-512');
      assert.deepEqual(Object.values(wrong.users!.notes).flatMap((n) => n.names), ['frank'], 'only the user who never signed in');
      assert.equal(await signIn(frank), 'login.do', 'read with the wrong digest, the password does not verify');
      assert.equal(await hashOfUser('carbon.super', 'alice'), aliceHash, 'a user who signed in keeps argon2id');
      const right = await runImport();
      assert.deepEqual(Object.values(right.users!.notes).flatMap((n) => n.names), ['frank']);
      assert.equal(await signIn(frank), 'myaccount');
      assert.match(await hashOfUser('carbon.super', 'frank'), /^\$argon2id\$/);
    });
  });
}
