import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Keyring } from '../crypto/keyring.ts';
import { settingsOf, type DeclaredStore } from './jdbc/jdbc-settings.ts';
import { encryptConnectionPassword, isIndirectSecret, urlWithSecret } from './store-secrets.ts';

const declared = (over: Partial<DeclaredStore>): DeclaredStore => ({
  domain: 'jdbc', tenant: 'carbon.super', url: 'postgres://app@db.example:5432/users', username: '', password: '', read_only: false, pool_size: 5,
  connect_timeout: 3000, query_timeout: 10000, table: '', id_column: 'id', username_column: 'username', password_column: 'password', salt_column: '', attribute_columns: {},
  ...over,
});

test("a JDBC store's password takes $env{NAME} and enc:..., as LDAP's connection_password does", () => {
  const keyring = new Keyring([randomBytes(32)]);
  const decrypt = (v: string, ad: string) => keyring.decryptString(v, ad);
  assert.equal(settingsOf(declared({ password: '$env{DB_PW}' }), { DB_PW: 'from-env' }).password, 'from-env');
  const sealed = encryptConnectionPassword((p, ad) => keyring.encrypt(p, ad), 'sealed-pw');
  assert.equal(settingsOf(declared({ password: sealed }), {}, decrypt).password, 'sealed-pw');
  assert.equal(settingsOf(declared({ password: 'as written' }), {}).password, 'as written');
  assert.throws(() => settingsOf(declared({ password: '$env{MISSING_PW}' }), {}), (e: Error) => /MISSING_PW \(password\) is not set/.test(e.message));
});

test('the password inside a JDBC url takes the same forms; other URLs are left alone', () => {
  const keyring = new Keyring([randomBytes(32)]);
  const decrypt = (v: string, ad: string) => keyring.decryptString(v, ad);
  assert.equal(settingsOf(declared({ url: 'postgres://app:$env{DB_PW}@db.example:5432/users' }), { DB_PW: 'p@ss:w/rd' }).url, 'postgres://app:p%40ss%3Aw%2Frd@db.example:5432/users');
  const sealed = encryptConnectionPassword((p, ad) => keyring.encrypt(p, ad), 'in-url');
  assert.equal(urlWithSecret(`mysql://app:${encodeURIComponent(sealed)}@db:3306/u`, {}, decrypt), 'mysql://app:in-url@db:3306/u');
  assert.equal(urlWithSecret('mysql://app:plain@db:3306/u', {}), 'mysql://app:plain@db:3306/u');
  assert.equal(urlWithSecret('not a url', {}), 'not a url');
  assert.throws(() => urlWithSecret('postgres://app:$env{NOPE}@db/u', {}), (e: Error) => /NOPE \(url password\)/.test(e.message) && !e.message.includes('db/u'));
});

test('isIndirectSecret tells the file-only forms from a secret itself', () => {
  assert.deepEqual(['$env{X}', 'enc:v1:abc', 'plain', 'env{X}', ''].map(isIndirectSecret), [true, true, false, false, false]);
});
