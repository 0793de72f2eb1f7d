// Issue 13, "done when": the deployment.toml shipped with WSO2 IS 7.0 and the seed guide's one (IS 5.11 with
// the guide's TOTP section and its 5.x page URLs) start the real server as they are, with one warning per
// WSO2 key that has no effect here, and a login through the travelocity sample works: password, enrolment and
// code, on the 5.x `totpauthenticationendpoint/*.jsp` pages for the seed guide's file.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import forge from 'node-forge';
import { createSelfSigned } from '../../src/crypto/certificates.ts';
import { autoPostForm, createScimUser, startSampleLogin, startWithSample } from '../e2e/sample-support.ts';
import { TestClient } from '../support/http-client.ts';
import { awayFromStepEdge, codeAt, LoginBrowser, totpFromQr } from '../support/login-browser.ts';
import { startNodeProcess, waitFor } from '../support/process.ts';
import { createTestDatabase } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'wso2');
const ACS = '/travelocity.com/home.jsp';

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** The server's JSON log lines at warn level, as messages. */
function logCollector() {
  const lines: string[] = [];
  return {
    stream: { write: (line: string) => void lines.push(line) },
    warnings: () => lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40).map((l) => l.msg),
  };
}

async function loginThroughSample(file: string, pages: { enrol: string; code: string; dir: string }) {
  const log = logCollector();
  // The stock file as shipped; the test only adds what any test server needs (port 0, a data dir, cheap hashing).
  const server = await startWithSample({ toml: `${fixture(file)}\n[logging]\nlevel = "warn"\n`, logStream: log.stream });
  try {
    const warnings = log.warnings();
    const user = await createScimUser(server, 'wso2user', { givenName: 'Wanda', familyName: 'Stock' });
    const idp = new LoginBrowser(server.client());
    const sample = new TestClient(server.sampleUrl);
    const login = await startSampleLogin(server.url, sample, idp);
    assert.equal(login.name, 'login.do');
    const enrol = await idp.login(login, user.username, user.password);
    assert.equal(enrol.name, pages.enrol, enrol.url);
    assert.ok(enrol.url.startsWith(`/${pages.dir}/${pages.enrol}?`), enrol.url);
    const totp = totpFromQr(enrol);
    // Any page path of this login shows the page its context is at: the 6/7 path sends to the configured one.
    const key = new URL(enrol.url, server.url).searchParams.get('sessionDataKey')!;
    const other = pages.dir === 'authenticationendpoint' ? '/totpauthenticationendpoint/totp.jsp' : '/authenticationendpoint/totp.do';
    const moved = await idp.client.get(`${other}?sessionDataKey=${key}`);
    assert.equal(moved.status, 303);
    assert.equal(moved.location, `/${pages.dir}/${pages.enrol}?sessionDataKey=${key}`);
    const codePage = await idp.submit(enrol, {}, ['ENABLE_TOTP', 'true']);
    assert.equal(codePage.name, pages.code);
    assert.ok(codePage.url.startsWith(`/${pages.dir}/${pages.code}?`), codePage.url);
    await awayFromStepEdge(totp.period);
    const post = autoPostForm(await idp.submit(codePage, { token: codeAt(totp) }));
    const accepted = await sample.post(ACS, { form: post.fields });
    assert.equal(accepted.status, 303, accepted.text);
    const home = await sample.get(ACS);
    assert.match(home.text, new RegExp(`You are logged in as <strong>${user.username}</strong>`));
    return { warnings, server };
  } finally {
    await server.close();
  }
}

/** Each warning names its key once; none carries a value from the file. */
function assertOncePerKey(warnings: readonly string[], file: string): void {
  const keys = warnings.map((w) => /^test\.toml: (\[[^\]]+\]\]? ?\S*):/.exec(w)?.[1] ?? w);
  assert.equal(new Set(keys).size, keys.length, `one warning per key:\n${warnings.join('\n')}`);
  for (const secret of ['66cd9688', 'dashboard', 'jdbc:h2', 'DB_CLOSE_ON_EXIT', 'uid=admin']) {
    assert.ok(!warnings.some((w) => w.includes(secret)), `${file}: no value in a warning (${secret})`);
  }
}

describe('WSO2 deployment.toml files start Portcullis', () => {
  test('IS 7.0 stock deployment.toml: starts with a warning per WSO2 key; a login through the sample works', async () => {
    const { warnings } = await loginThroughSample('is-7.0.0.deployment.toml', { enrol: 'totp_enroll.do', code: 'totp.do', dir: 'authenticationendpoint' });
    assertOncePerKey(warnings, 'IS 7.0');
    for (const key of ['[server] node_ip', '[database.identity_db] type', '[database.shared_db] url', '[keystore.primary] type', '[truststore] file_name', '[account_recovery.endpoint.auth] hash', '[identity.auth_framework.endpoint] app_password']) {
      assert.ok(warnings.some((w) => w.includes(`${key}:`)), `a warning names ${key}:\n${warnings.join('\n')}`);
    }
    assert.ok(warnings.some((w) => /H2 .*SQLite/.test(w)), 'the H2 database is explained');
    assert.ok(warnings.some((w) => /JKS keystore cannot be read.*keytool -importkeystore/.test(w)), 'the JKS keystore is explained');
    assert.ok(!warnings.some((w) => w.includes('[user_store] type')), 'database_unique_id is the primary store here: understood, no warning');
  });

  test("the seed guide's deployment.toml (IS 5.11 with the guide's TOTP section): the 5.x .jsp pages serve the login", async () => {
    const { warnings } = await loginThroughSample('seed-guide.deployment.toml', { enrol: 'enableTOTP.jsp', code: 'totp.jsp', dir: 'totpauthenticationendpoint' });
    assertOncePerKey(warnings, 'seed guide');
    assert.ok(warnings.some((w) => /\[user_store\] type: "read_write_ldap_unique_id" as the primary store/.test(w)));
    assert.ok(warnings.some((w) => w.includes('[user_store] connection_password:')));
    assert.ok(!warnings.some((w) => w.includes('parameters]')), `the guide's TOTP parameters are all understood:\n${warnings.join('\n')}`);
  });
});

test('[keystore.primary] with a PKCS#12 keystore: its key and certificate serve HTTPS', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pcs-p12-'));
  try {
    const pair = await createSelfSigned({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(pair.privateKeyPem), [forge.pki.certificateFromPem(pair.certificatePem)], 'wso2carbon', { friendlyName: 'wso2carbon', algorithm: '3des' });
    const file = join(dir, 'wso2carbon.p12');
    writeFileSync(file, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
    const server = await startTestServer({ toml: `[keystore.primary]\nfile_name = ${JSON.stringify(file)}\npassword = "wso2carbon"\ntype = "PKCS12"\nalias = "wso2carbon"\n` });
    try {
      const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
      assert.equal(fingerprint(server.certificate), fingerprint(pair.certificatePem));
      // The client trusts only the keystore's certificate, so the TLS handshake proves which key serves.
      const ready = await new TestClient(server.url, pair.certificatePem).get('/health/ready');
      assert.equal(ready.status, 200);
      // As in WSO2, the primary keystore also signs SAML: the metadata's signing certificate is the keystore's.
      const metadata = await new TestClient(server.url, pair.certificatePem).get('/identity/metadata/saml2');
      const der = new X509Certificate(pair.certificatePem).raw.toString('base64');
      assert.ok(metadata.text.replace(/\s+/g, '').includes(der), 'the keystore certificate is in the SAML metadata');
      const tenant = await server.services.tenants.requireActive('carbon.super');
      const active = (await server.services.keys.keys(tenant, 'saml')).active;
      assert.equal(fingerprint(active.certificatePem), fingerprint(pair.certificatePem), 'and it is the active SAML signing key');
      assert.equal(await server.services.keys.adopt(tenant, 'saml', pair.certificatePem, pair.privateKeyPem), false, 'adopted once, not on every start');
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('npm start with a WSO2 deployment.toml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pcs-wso2-start-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // The IS 7.0 file as shipped, with a free port and a scratch data directory put into its [server] table.
  const config = join(dir, 'deployment.toml');
  writeFileSync(config, `${fixture('is-7.0.0.deployment.toml').replace('[server]\n', `[server]\nport = 0\ndata_dir = ${JSON.stringify(join(dir, 'data'))}\n`)}\n[sample_app]\nenabled = false\n`);
  const start = (...args: string[]) => startNodeProcess(['src/main.ts', ...args], { PORTCULLIS_CONFIG: config, PORTCULLIS_ENCRYPTION_KEY: '' });

  test('starts, logging one warning per WSO2 key with its line', async () => {
    const p = start();
    try {
      await waitFor(() => /Portcullis is serving (https:\/\/\S+) /.exec(p.out())?.[1], 60_000);
      const warnings = p.out().split('\n').filter((l) => l.includes('"level":40')).map((l) => (JSON.parse(l) as { msg: string }).msg);
      assert.ok(warnings.some((w) => /deployment\.toml:5: \[server\] node_ip: a WSO2 setting that has no effect/.test(w)), warnings.join('\n'));
      assert.equal(warnings.filter((w) => w.includes('[truststore] type')).length, 1);
      p.child.kill('SIGTERM');
      assert.equal(await p.exited, 0);
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  test('--strict refuses the WSO2 keys, naming each with its line', async () => {
    const p = start('--strict');
    assert.equal(await p.exited, 2);
    assert.match(p.err(), /deployment\.toml:5: \[server\] node_ip: .*refused in strict mode/);
    assert.match(p.err(), /deployment\.toml:\d+: \[identity\.auth_framework\.endpoint\] app_password: /);
    assert.doesNotMatch(p.err(), /dashboard|66cd9688/);
  });
});

for (const type of ['postgres', 'mysql'] as const) {
  test(`[database.identity_db] with WSO2's ${type === 'postgres' ? 'jdbc:postgresql' : 'jdbc:mysql'} URL: the server runs on that database`, async () => {
    const db = await createTestDatabase(type);
    try {
      const url = new URL(db.url);
      const jdbc = `jdbc:${type === 'postgres' ? 'postgresql' : 'mysql'}://${url.host}${url.pathname}${type === 'mysql' ? '?useSSL=false' : ''}`;
      const wso2Type = type === 'postgres' ? 'postgre' : 'mysql';
      const server = await startTestServer({ toml: `[database.identity_db]\ntype = "${wso2Type}"\nurl = "${jdbc}"\nusername = "${decodeURIComponent(url.username)}"\npassword = "${decodeURIComponent(url.password)}"\ndriver = "org.postgresql.Driver"\n` });
      try {
        assert.equal(server.services.config.database.identity_db.type, type);
        const created = await server.client().post('/scim2/Users', {
          auth: ['admin', 'admin'],
          headers: { 'content-type': 'application/scim+json' },
          json: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'jdbc-user', password: 'correct horse battery' },
        });
        assert.equal(created.status, 201, created.text);
      } finally {
        await server.close();
      }
    } finally {
      await db.drop();
    }
  });
}
