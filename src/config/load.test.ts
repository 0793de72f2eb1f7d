// Loading: defaults, the shipped file, WSO2-style files, PORTCULLIS_CONFIG and environment overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './errors.ts';
import { loadConfig, parseConfigText } from './load.ts';
import type { SchemaNode } from './schema-dsl.ts';
import { configSchema, type Config } from './schema.ts';

const repoRoot = new URL('../..', import.meta.url).pathname;
const KEY_HEX = 'a'.repeat(64);
const KEY_B64 = Buffer.alloc(32, 7).toString('base64');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'portcullis-config-'));
}

test('no file: every key takes its default, and the result is frozen', () => {
  const config = loadConfig({ cwd: tempDir(), env: {} });
  assert.equal(config.server.hostname, 'localhost');
  assert.equal(config.server.port, 9443);
  assert.equal(config.server.bind_address, '127.0.0.1');
  assert.equal(config.database.identity_db.type, 'sqlite');
  assert.equal(config.super_admin.username, 'admin');
  assert.equal(config.password_hashing.memory_cost, 19456);
  assert.deepEqual(config.encryption.previous_keys, []);
  const totp = config.authentication.authenticator.totp;
  assert.equal(totp.enable, true);
  assert.equal(totp.parameters.timeStepSize, 30);
  assert.equal(totp.parameters.windowSize, 3);
  assert.equal(totp.parameters.encodingMethod, 'Base32');
  assert.equal(totp.parameters.digits, 6);
  assert.equal(totp.parameters.secretLength, 20);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(totp.parameters) && Object.isFrozen(config.encryption.previous_keys));
  assert.throws(() => {
    (config.server as { port: number }).port = 1;
  }, TypeError);
});

test('defaults in the result equal the schema defaults for every field', () => {
  const config = parseConfigText('', 'x.toml') as unknown as Record<string, unknown>;
  const walk = (node: SchemaNode, value: unknown, path: string): void => {
    if (node.node === 'field') return assert.deepEqual(value, node.default, path);
    for (const [name, child] of Object.entries(node.fields)) walk(child, (value as Record<string, unknown>)[name], `${path}.${name}`);
  };
  walk(configSchema, config, '');
});

test('the shipped config/deployment.toml loads', () => {
  const config = loadConfig({ cwd: repoRoot, env: {} });
  assert.equal(config.server.port, 9443);
  assert.equal(config.authentication.authenticator.totp.enable, true);
});

test('a WSO2-style TOTP section with string values and snake_case aliases loads and normalises', () => {
  const text = `
[database.identity_db]
type = "postgre"
url = "postgresql://wso2@127.0.0.1:5432/identity"

[authentication.authenticator.totp]
enable = true

[authentication.authenticator.totp.parameters]
encodingMethod = "Base32"
timeStepSize = "60"
windowSize = "5"
authenticationMandatory = "true"
enrolUserInAuthenticationFlow = "False"
usecase = "local"
secondaryUserstore = "primary, LDAP ,,"
totp_authentication_endpointURL = "authenticationendpoint/totp.do"
totp_authentication_endpoint_error_page = "https://login.example.com/totp_error.do"
totp_authentication_endpoint_enable_totp_page = "authenticationendpoint/totp_enroll.do"
Issuer = "WSO2"
UseCommonIssuer = "true"
hide_user_store_from_display_name_in_qr_url = "true"
enable_html_template_based_emails_for_totp = true
allow_sending_verification_code_by_email = "true"
digits = "8"
`;
  const config = parseConfigText(text, 'wso2.toml');
  assert.equal(config.database.identity_db.type, 'postgres');
  const p = config.authentication.authenticator.totp.parameters;
  assert.equal(p.timeStepSize, 60);
  assert.equal(p.windowSize, 5);
  assert.equal(p.authenticationMandatory, true);
  assert.equal(p.enrolUserInAuthenticationFlow, false);
  assert.equal(p.secondaryUserstore, 'primary,LDAP');
  assert.equal(p.TOTPAuthenticationEndpointErrorPage, 'https://login.example.com/totp_error.do');
  assert.equal(p.UseCommonIssuer, true);
  assert.equal(p.HideUserStoreFromDisplayInQRUrl, true);
  assert.equal(p.AllowSendingVerificationCodeByEmail, true);
  assert.equal(p.digits, 8);
  // Aliases are renamed, not kept beside the canonical keys.
  assert.ok(!Object.hasOwn(p, 'totp_authentication_endpointURL'));
  assert.ok(!Object.hasOwn(p, 'hide_user_store_from_display_name_in_qr_url'));
});

test('other value aliases and normalisation', () => {
  const config = parseConfigText(
    '[database.identity_db]\ntype = "mariadb"\nurl = "mysql://root@127.0.0.1:3306/p"\n[server]\nbase_path = "https://id.example.com/auth/"\n',
    'x.toml',
  );
  assert.equal(config.database.identity_db.type, 'mysql');
  assert.equal(config.server.base_path, 'https://id.example.com/auth');
});

test('PORTCULLIS_CONFIG points at another file; the path option wins over it', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.toml'), '[server]\nport = 1111\n');
  writeFileSync(join(dir, 'b.toml'), '[server]\nport = 2222\n');
  assert.equal(loadConfig({ cwd: dir, env: { PORTCULLIS_CONFIG: 'a.toml' } }).server.port, 1111);
  assert.equal(loadConfig({ cwd: dir, env: { PORTCULLIS_CONFIG: join(dir, 'b.toml') } }).server.port, 2222);
  assert.equal(loadConfig({ cwd: dir, path: 'b.toml', env: { PORTCULLIS_CONFIG: 'a.toml' } }).server.port, 2222);
});

test('errors name the file as PORTCULLIS_CONFIG gave it', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.toml'), '[server]\n\nport = "x"\n');
  assert.throws(
    () => loadConfig({ cwd: dir, env: { PORTCULLIS_CONFIG: 'bad.toml' } }),
    (e: unknown) => e instanceof ConfigError && e.message.startsWith('bad.toml:3: [server] port:'),
  );
});

test('a missing file named by PORTCULLIS_CONFIG is an error; a missing default file is not', () => {
  const dir = tempDir();
  assert.throws(
    () => loadConfig({ cwd: dir, env: { PORTCULLIS_CONFIG: 'nope.toml' } }),
    (e: unknown) => e instanceof ConfigError && e.message === 'nope.toml: config file not found (named by PORTCULLIS_CONFIG)',
  );
  mkdirSync(join(dir, 'dir.toml'));
  assert.throws(() => loadConfig({ cwd: dir, path: 'dir.toml', env: {} }), /dir\.toml: config file is a directory/);
  assert.equal(loadConfig({ cwd: dir, env: { PORTCULLIS_CONFIG: '' } }).server.port, 9443);
});

test('the default file is read from the working directory', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config', 'deployment.toml'), '\uFEFF[server]\nprot = 1\n');
  assert.throws(
    () => loadConfig({ cwd: dir, env: {} }),
    (e: unknown) => e instanceof ConfigError && e.message === 'config/deployment.toml:2: unknown key "prot" in [server] (did you mean "port"?)',
  );
});

test('PORTCULLIS_ENCRYPTION_KEY overrides [encryption] key and is validated without being echoed', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'c.toml'), `[encryption]\nkey = "${KEY_HEX}"\nprevious_keys = ["${KEY_B64}"]\n`);
  assert.equal(loadConfig({ cwd: dir, path: 'c.toml', env: {} }).encryption.key, KEY_HEX);
  const config: Config = loadConfig({ cwd: dir, path: 'c.toml', env: { PORTCULLIS_ENCRYPTION_KEY: KEY_B64 } });
  assert.equal(config.encryption.key, KEY_B64);
  assert.ok(Object.isFrozen(config.encryption));
  assert.throws(
    () => loadConfig({ cwd: dir, path: 'c.toml', env: { PORTCULLIS_ENCRYPTION_KEY: 'short-hunter2' } }),
    (e: unknown) =>
      e instanceof ConfigError &&
      !e.message.includes('hunter2') &&
      e.message === 'PORTCULLIS_ENCRYPTION_KEY: expected 32 bytes written as 64 hex characters or as base64 (value not shown: secret)',
  );
});

test('the inferred Config type is precise', () => {
  const config: Config = parseConfigText('', 'x.toml');
  const type: 'sqlite' | 'postgres' | 'mysql' = config.database.identity_db.type;
  const digits: 6 | 8 = config.authentication.authenticator.totp.parameters.digits;
  const keys: readonly string[] = config.encryption.previous_keys;
  // @ts-expect-error -- keys that are not in the schema are not on the type
  assert.equal(config.server.prot, undefined);
  assert.deepEqual([type, digits, keys], ['sqlite', 6, []]);
});
