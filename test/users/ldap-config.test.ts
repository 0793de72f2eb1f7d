// [[user_store]] type = "ldap" / "active_directory" in deployment.toml: WSO2's keys, defaults per kind, the
// environment reference for the bind password, and refusals that name the key without showing a secret.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../src/config/load.ts';
import { randomBytes } from 'node:crypto';
import { Keyring } from '../../src/crypto/keyring.ts';
import { ldapSettingsOf } from '../../src/users/ldap/ldap-settings.ts';
import { encryptConnectionPassword, secretOf } from '../../src/users/store-secrets.ts';

const parse = (toml: string) => parseConfigText(toml, 'deployment.toml');

test('an LDAP store and an AD store, with WSO2 key names and defaults per kind', () => {
  const config = parse(`
[[user_store]]
type = "read_only_ldap_unique_id"
domain = "ldap"
connection_url = "ldap://ldap.example.com:389"
connection_name = "cn=admin,dc=example,dc=com"
connection_password = "$env{PCS_TEST_LDAP_PW}"
start_tls = true
user_search_base = "ou=people,dc=example,dc=com"
read_only = true
operation_timeout = 1500
attributes = { mail = "mail", givenName = "givenName", mobile = "mobile" }

[[user_store]]
type = "active_directory"
domain = "AD"
connection_url = "ldaps://dc1.corp.example:636"
connection_name = "CN=svc,CN=Users,DC=corp,DC=example"
connection_password = "s3cret"
user_search_base = "CN=Users,DC=corp,DC=example"
user_name_attribute = "userPrincipalName"
`);
  const [ldap, ad] = config.user_store;
  const s = ldapSettingsOf(ldap!, { PCS_TEST_LDAP_PW: 'from-env' });
  assert.equal(s.kind, 'ldap');
  assert.equal(s.domain, 'LDAP');
  assert.equal(s.bindPassword, 'from-env');
  assert.equal(s.startTls, true);
  assert.equal(s.readOnly, true);
  assert.equal(s.operationTimeoutMs, 1500);
  assert.equal(s.usernameAttribute, 'uid');
  assert.equal(s.usernameSearchFilter, '(&(objectClass=inetOrgPerson)(uid=?))');
  assert.equal(s.idAttribute, 'entryUUID');
  assert.deepEqual(s.attributes, { mail: 'mail', givenName: 'givenName', mobile: 'mobile' });
  const a = ldapSettingsOf(ad!);
  assert.equal(a.kind, 'active_directory');
  assert.equal(a.usernameAttribute, 'userPrincipalName');
  assert.equal(a.usernameSearchFilter, '(&(objectClass=user)(userPrincipalName=?))');
  assert.equal(a.idAttribute, 'objectGUID');
  assert.equal(a.attributes.mail, 'mail', 'default attribute mapping');
  assert.throws(() => ldapSettingsOf(ldap!, {}), /PCS_TEST_LDAP_PW/);
});

test('refusals name the key and never show the bind password', () => {
  const refuses = (toml: string, pattern: RegExp) => assert.throws(() => parse(toml), (e: Error) => pattern.test(e.message) && !e.message.includes('s3cret'));
  const base = 'connection_password = "s3cret"\n';
  refuses(`[[user_store]]\ntype = "ldap"\ndomain = "LDAP"\n${base}user_search_base = "dc=x"`, /connection_url.*required/);
  refuses(`[[user_store]]\ntype = "ldap"\ndomain = "LDAP"\n${base}connection_url = "ldap://h:389"`, /user_search_base.*required/);
  refuses(`[[user_store]]\ntype = "ldap"\ndomain = "LDAP"\n${base}connection_url = "http://h"\nuser_search_base = "dc=x"`, /connection_url/);
  refuses(`[[user_store]]\ntype = "ldap"\ndomain = "LDAP"\n${base}connection_url = "ldaps://h:636"\nstart_tls = true\nuser_search_base = "dc=x"`, /start_tls/);
  refuses(`[[user_store]]\ntype = "ldap"\ndomain = "LDAP"\n${base}connection_url = "ldap://h"\nuser_search_base = "dc=x"\nuser_name_search_filter = "(uid=bob)"`, /user_name_search_filter/);
  refuses(`[[user_store]]\ntype = "ldap"\ndomain = "LDAP"\n${base}connection_url = "ldap://h"\nuser_search_base = "dc=x"\nattributes = { mail = "ma il" }`, /attributes\.mail/);
});

test('a JDBC store still needs its url; an LDAP store does not', () => {
  assert.throws(() => parse('[[user_store]]\ndomain = "JDBC"'), /url.*required/);
  assert.equal(parse('[[user_store]]\ntype = "ldap"\ndomain = "L"\nconnection_url = "ldap://h:389"\nuser_search_base = "dc=x"').user_store[0]!.type, 'ldap');
});

test('an enc: connection_password is decrypted with the server keyring, bound to that use', () => {
  const keyring = new Keyring([randomBytes(32)]);
  const decrypt = (v: string, ad: string) => keyring.decryptString(v, ad);
  const sealed = encryptConnectionPassword((p, ad) => keyring.encrypt(p, ad), 's3cret-bind');
  assert.match(sealed, /^enc:/);
  assert.ok(!sealed.includes('s3cret'));
  assert.equal(secretOf(sealed, {}, decrypt), 's3cret-bind');
  const config = parse(`[[user_store]]\ntype = "ldap"\ndomain = "L"\nconnection_url = "ldap://h:389"\nuser_search_base = "dc=x"\nconnection_password = "${sealed}"`);
  assert.equal(ldapSettingsOf(config.user_store[0]!, {}, decrypt).bindPassword, 's3cret-bind');
  // Another key, or a value encrypted for another purpose, does not decrypt; the error shows no value.
  const other = new Keyring([randomBytes(32)]);
  assert.throws(() => secretOf(sealed, {}, (v, ad) => other.decryptString(v, ad)), (e: Error) => /cannot be decrypted/.test(e.message) && !e.message.includes(sealed));
  assert.throws(() => secretOf(`enc:${keyring.encrypt('x', 'elsewhere')}`, {}, decrypt), /cannot be decrypted/);
  assert.throws(() => secretOf(sealed, {}), /no keyring/);
});
