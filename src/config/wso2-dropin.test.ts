// Reading WSO2's deployment.toml: what is mapped, what is warned about (once per key, naming it), what is
// refused (typos in our sections, H2 holding data, other engines, pages we do not serve), and --strict.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import forge from 'node-forge';
import { createSelfSigned } from '../crypto/certificates.ts';
import { isConfigError } from './errors.ts';
import { readConfigText, type ReadOptions } from './load.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'wso2');
const read = (text: string, options: ReadOptions = {}) => readConfigText(text, 'deployment.toml', options);

function refusal(text: string, options: ReadOptions = {}): string {
  try {
    read(text, options);
  } catch (error) {
    if (isConfigError(error)) return error.message;
    throw error;
  }
  assert.fail('expected the file to be refused');
}

test('every stock WSO2 IS 5.11 to 7.2 deployment.toml is read, with one warning per key it cannot use', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.deployment.toml'));
  assert.ok(files.length >= 7, files.join());
  for (const file of files) {
    const { config, warnings } = read(readFileSync(join(FIXTURES, file), 'utf8'));
    assert.equal(config.database.identity_db.type, 'sqlite', file);
    assert.equal(config.server.base_path, '', `${file}: the stock base_path is the default URL`);
    assert.equal(config.keystore.primary.file_name, '', `${file}: the stock keystore is not here`);
    const keys = warnings.map((w) => /^deployment\.toml:\d+: (.+?):/.exec(w)?.[1]);
    assert.ok(keys.every((k) => k !== undefined), `every warning has a line and a key:\n${warnings.join('\n')}`);
    assert.equal(new Set(keys).size, keys.length, `${file}: one warning per key`);
    assert.ok(keys.includes('[server] node_ip') && keys.includes('[truststore] password'), file);
    assert.ok(!warnings.some((w) => w.includes('66cd9688') || w.includes('dashboard')), `${file}: no value in a warning`);
  }
});

test('--strict, or [config] strict, refuses the WSO2 keys instead', () => {
  const text = readFileSync(join(FIXTURES, 'is-7.0.0.deployment.toml'), 'utf8');
  const message = refusal(text, { strict: true });
  assert.match(message, /deployment\.toml:3: \[server\] node_ip: .*no effect.*refused in strict mode/);
  assert.match(message, /deployment\.toml:37: \[account_recovery\.endpoint\.auth\] hash: /);
  assert.match(refusal(`[config]\nstrict = true\n[server]\nnode_ip = "127.0.0.1"\n`), /:4: \[server\] node_ip: .*refused in strict mode/);
  assert.deepEqual(read('[config]\nstrict = true\n[server]\nport = 9444\n').warnings, []);
});

test('a typo in one of our sections is still refused with a did-you-mean, beside accepted WSO2 keys', () => {
  const message = refusal('[server]\nnode_ip = "127.0.0.1"\nprot = 9443\n[output_adapter.emial]\nhostname = "x"\n[truststore]\ntype = "JKS"\n');
  assert.match(message, /:3: unknown key "prot" in \[server\] \(did you mean "port"\?\)/);
  assert.match(message, /:4: unknown section \[output_adapter\.emial\] \(did you mean \[output_adapter\.email\]\?\)/);
  assert.doesNotMatch(message, /node_ip|truststore/);
  // A WSO2 table one letter from ours is WSO2's, not a typo.
  const { warnings } = read('[admin_service.wsdl]\nenable = true\n[transport.http]\nenabled = false\n');
  assert.deepEqual(warnings.map((w) => w.split(':').slice(0, 3).join(':')), ['deployment.toml:2: [admin_service.wsdl] enable', 'deployment.toml:4: [transport.http] enabled']);
  assert.match(refusal('[sample_ap]\nport = 1\n'), /unknown section \[sample_ap\] \(did you mean \[sample_app\]\?\)/);
});

test('[[arrays of tables]] WSO2 has are one warning each', () => {
  const { warnings } = read('[[session.nonce.cookies.whitelist.authenticators]]\nname = "a"\n[[session.nonce.cookies.whitelist.authenticators]]\nname = "b"\n');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^deployment\.toml:1: \[\[session\.nonce\.cookies\.whitelist\.authenticators\]\]: a WSO2 setting/);
});

test('H2: the stock embedded database means the embedded SQLite; an H2 database elsewhere stops the start', () => {
  const stock = read('[database.identity_db]\ntype = "h2"\nurl = "jdbc:h2:./repository/database/WSO2IDENTITY_DB;DB_CLOSE_ON_EXIT=FALSE"\nusername = "wso2carbon"\npassword = "wso2carbon"\n');
  assert.equal(stock.config.database.identity_db.type, 'sqlite');
  assert.equal(stock.config.database.identity_db.url, '');
  assert.match(stock.warnings.join('\n'), /:2: \[database\.identity_db\] type: WSO2's embedded H2 database .* SQLite .* nothing stored in WSO2's H2 files is carried over/);
  const message = refusal('[database.identity_db]\ntype = "h2"\nurl = "jdbc:h2:tcp://db.example.com/~/identity;USER=sa"\n');
  assert.match(message, /:2: \[database\.identity_db\] type: H2 is a Java database this server cannot open.*Use type = "sqlite".*"postgre"\/"mysql"/);
  assert.doesNotMatch(message, /db\.example\.com|USER=sa/, 'the URL is a secret');
  assert.match(refusal('[database.identity_db]\ntype = "mssql"\nurl = "jdbc:sqlserver://h:1433;databaseName=x"\n'), /:2: .* Microsoft SQL Server is not supported.*"postgre"/);
});

test('jdbc: URLs of PostgreSQL, MySQL and MariaDB become our URLs; JDBC driver parameters are named and left out', () => {
  const pg = read('[database.identity_db]\ntype = "postgre"\nurl = "jdbc:postgresql://127.0.0.1:5432/WSO2_IDENTITY_DB?sslmode=require"\nusername = "wso2"\npassword = "p"\n[database.identity_db.pool_options]\nmaxActive = "80"\nvalidationQuery = "SELECT 1"\n');
  assert.equal(pg.config.database.identity_db.type, 'postgres');
  assert.equal(pg.config.database.identity_db.url, 'postgres://wso2:p@127.0.0.1:5432/WSO2_IDENTITY_DB?sslmode=require');
  assert.equal(pg.config.database.identity_db.username, 'wso2');
  assert.equal(pg.config.database.identity_db.pool_size, 80, 'maxActive is the pool size');
  assert.match(pg.warnings.join('\n'), /\[database\.identity_db\.pool_options\] validationQuery: a WSO2 setting/);
  const my = read('[database.identity_db]\ntype = "mysql"\nurl = "jdbc:mysql://db:3306/IDENTITY?useSSL=false&amp;autoReconnect=true"\n');
  assert.equal(my.config.database.identity_db.url, 'mysql://db:3306/IDENTITY');
  assert.match(my.warnings.join('\n'), /:3: \[database\.identity_db\] url: JDBC driver parameters useSSL, amp;autoReconnect have no effect/);
  const inUrl = read('[database.identity_db]\ntype = "postgre"\nurl = "jdbc:postgresql://db:5432/IDN?user=wso2&password=pw-in-url"\n');
  assert.equal(inUrl.config.database.identity_db.url, 'postgres://wso2:pw-in-url@db:5432/IDN');
  assert.equal(inUrl.config.database.identity_db.username, 'wso2');
  assert.equal(inUrl.config.database.identity_db.password, 'pw-in-url', 'JDBC credentials in the URL become username and password');
  assert.deepEqual(inUrl.warnings, []);
  const maria = read('[database.identity_db]\nurl = "jdbc:mariadb://db:3306/IDENTITY"\n');
  assert.equal(maria.config.database.identity_db.type, 'mysql');
  assert.match(refusal('[database.identity_db]\ntype = "postgre"\nurl = "jdbc:postgresql:IDENTITY"\n'), /:3: \[database\.identity_db\] url: a JDBC URL this server cannot use \(value not shown: secret\)/);
});

test('[server] offset, proxy_context_path and $ref{} mean what they mean in WSO2', () => {
  assert.equal(read('[server]\noffset = 1\n').config.server.port, 9444);
  assert.equal(read('[server]\noffset = "2"\nport = 8443\n').config.server.port, 8443);
  const proxied = read('[server]\nhostname = "id.example.com"\nproxy_context_path = "/is"\n[transport.https.properties]\nproxyPort = 443\n');
  assert.equal(proxied.config.server.base_path, 'https://id.example.com/is');
  assert.deepEqual(proxied.warnings, []);
  assert.equal(read('[server]\nhostname = "id.example.com"\nbase_path = "https://$ref{server.hostname}:${carbon.management.port}"\n').config.server.base_path, '');
  assert.equal(read('[server]\nhostname = "h.example"\nbase_path = "https://$ref{server.hostname}/auth"\n').config.server.base_path, 'https://h.example/auth');
  assert.match(refusal('[server]\nbase_path = "https://${carbon.local.ip}:9443"\n'), /:2: \[server\] base_path: the WSO2 system property \$\{carbon\.local\.ip\} is not known here/);
});

test("WSO2's single [user_store] table: a database store is our primary store; a directory is explained", () => {
  assert.deepEqual(read('[user_store]\ntype = "database_unique_id"\n').warnings, []);
  const ldap = read('[user_store]\ntype = "read_only_ldap"\nconnection_url = "ldap://h:389"\nconnection_password = "s3cret"\n');
  assert.match(ldap.warnings[0]!, /:2: \[user_store\] type: "read_only_ldap" as the primary store: .*\[\[user_store\]\] with type = "ldap"/);
  assert.match(ldap.warnings[2]!, /:4: \[user_store\] connection_password: /);
  assert.ok(!ldap.warnings.join().includes('s3cret'));
  assert.deepEqual(ldap.config.user_store, []);
});

test("a TOTP parameter only some WSO2 portals read is warned about; a misspelt one is still refused", () => {
  assert.match(read('[authentication.authenticator.totp.parameters]\ntotpEnrollInSinglePage = true\n').warnings.join(), /:2: .* totpEnrollInSinglePage: a WSO2 setting that has no effect/);
  assert.match(refusal('[authentication.authenticator.totp.parameters]\nwindowsize = 3\n'), /unknown key "windowsize" .* \(did you mean "windowSize"\?\)/);
});

test('encodingMethod is read as WSO2 reads it: exactly "Base64" is Base64, anything else Base32 (with a warning)', () => {
  const at = (value: string) => read(`[authentication.authenticator.totp.parameters]\nencodingMethod = ${JSON.stringify(value)}\n`);
  assert.equal(at('Base64').config.authentication.authenticator.totp.parameters.encodingMethod, 'Base64');
  assert.deepEqual(at('Base64').warnings, []);
  assert.deepEqual(at('Base32').warnings, []);
  for (const value of ['base64', 'BASE64', 'base32', 'hex']) {
    const { config, warnings } = at(value);
    assert.equal(config.authentication.authenticator.totp.parameters.encodingMethod, 'Base32', value);
    assert.match(warnings.join(), new RegExp(`:2: \\[authentication\\.authenticator\\.totp\\.parameters\\] encodingMethod: "${value}" is read as Base32, as WSO2 reads it`));
  }
});

test('page URLs: the 5.x .jsp paths are accepted; a local path this server does not serve is refused, naming the key', () => {
  const { config } = read('[authentication.authenticator.totp.parameters]\nTOTPAuthenticationEndpointURL = "totpauthenticationendpoint/totp.jsp"\nTOTPAuthenticationEndpointErrorPage = "/totpauthenticationendpoint/totpError.jsp"\nTOTPAuthenticationEndpointEnableTOTPPage = "authenticationendpoint/enableTOTP.jsp"\n');
  assert.equal(config.authentication.authenticator.totp.parameters.TOTPAuthenticationEndpointURL, 'totpauthenticationendpoint/totp.jsp');
  const message = refusal('[authentication.authenticator.totp.parameters]\nTOTPAuthenticationEndpointURL = "customauth/totp.jsp"\ntotp_authentication_endpoint_enable_totp_page = "authenticationendpoint/totp.do"\nTOTPAuthenticationEndpointErrorPage = "https://login.example.com/error"\n');
  assert.match(message, /:2: \[authentication\.authenticator\.totp\.parameters\] TOTPAuthenticationEndpointURL: expected a page this server serves \("authenticationendpoint\/totp\.do" or "totpauthenticationendpoint\/totp\.jsp" or "authenticationendpoint\/totp\.jsp"\) or an absolute http\(s\) URL/);
  assert.match(message, /:3: .* totp_authentication_endpoint_enable_totp_page: expected a page this server serves \("authenticationendpoint\/totp_enroll\.do"/);
  assert.doesNotMatch(message, /:4:/, 'an external page is accepted');
});

test("WSO2's [encryption] key (32 hex characters) is not used to encrypt here and is warned about; another bad key is refused", () => {
  const wso2 = read('[encryption]\nkey = "03BAFEB27A8E871CAD83C5CD4E771DAB"\ninternal_crypto_provider = "org.wso2.carbon.crypto.provider.SymmetricKeyInternalCryptoProvider"\n');
  assert.equal(wso2.config.encryption.key, '');
  assert.match(wso2.warnings.join('\n'), /:2: \[encryption\] key: WSO2's encryption key \(value not shown: secret\)/);
  assert.match(wso2.warnings.join('\n'), /:3: \[encryption\] internal_crypto_provider: a WSO2 setting .*AES-256-GCM/);
  assert.ok(!wso2.warnings.join().includes('03BAFEB2'));
  assert.match(refusal('[encryption]\nkey = "0123"\n'), /:2: \[encryption\] key: expected 32 bytes/);
});

const dir = mkdtempSync(join(tmpdir(), 'pcs-keystore-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function writeP12(file: string, password: string, alias: string): Promise<string> {
  const pair = await createSelfSigned({ commonName: 'id.example.com', dnsNames: ['id.example.com'] });
  const key = forge.pki.privateKeyFromPem(pair.privateKeyPem);
  const cert = forge.pki.certificateFromPem(pair.certificatePem);
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, { friendlyName: alias, algorithm: '3des' });
  writeFileSync(join(dir, file), Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
  return pair.certificatePem;
}

test('[keystore.primary]: a PKCS#12 keystore is opened at load (found under repository/resources/security/ too); a wrong password or alias stops the start', async () => {
  const certificate = await writeP12('wso2carbon.p12', 'wso2carbon', 'wso2carbon');
  const text = '[keystore.primary]\nfile_name = "wso2carbon.p12"\npassword = "wso2carbon"\nalias = "wso2carbon"\ntype = "PKCS12"\n';
  const { config, warnings } = read(text, { cwd: dir });
  assert.equal(config.keystore.primary.file_name, join(dir, 'wso2carbon.p12'));
  assert.deepEqual(warnings, []);
  const { readPkcs12 } = await import('./wso2-keystore.ts');
  const entry = readPkcs12(config.keystore.primary.file_name, { password: 'wso2carbon', alias: 'WSO2Carbon' });
  assert.equal(forge.pki.certificateToPem(forge.pki.certificateFromPem(entry.certificatePem)), forge.pki.certificateToPem(forge.pki.certificateFromPem(certificate)));
  assert.match(entry.privateKeyPem, /BEGIN RSA PRIVATE KEY/);

  const wrong = refusal(text.replace('password = "wso2carbon"', 'password = "nope-secret"'), { cwd: dir });
  assert.match(wrong, /:2: \[keystore\.primary\] file_name: cannot open it: wrong password/);
  assert.doesNotMatch(wrong, /nope-secret/);
  assert.match(refusal(text.replace('alias = "wso2carbon"', 'alias = "other"'), { cwd: dir }), /has no key entry with alias "other" \(entries: wso2carbon\)/);
  mkdirSync(join(dir, 'repository', 'resources', 'security'), { recursive: true });
  renameSync(join(dir, 'wso2carbon.p12'), join(dir, 'repository', 'resources', 'security', 'wso2carbon.p12'));
  assert.equal(read(text, { cwd: dir }).config.keystore.primary.file_name, join(dir, 'repository', 'resources', 'security', 'wso2carbon.p12'));
  const missing = read('[keystore.primary]\nfile_name = "absent.p12"\npassword = "x"\n', { cwd: dir });
  assert.match(missing.warnings.join(), /:2: \[keystore\.primary\] file_name: "absent\.p12" was not found/);
  assert.equal(missing.config.keystore.primary.file_name, '');
});
