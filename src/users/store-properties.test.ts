import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { checkProperties, declaredOf, MASK, maskedUrl, shownProperties, storeTypeOf, typeIdOf } from './store-properties.ts';

const ldap = (properties: { name: string; value: string }[]) => ({ domain: 'ldap', type: 'ldap' as const, readOnly: true, properties });
const base = [
  { name: 'ConnectionURL', value: 'ldap://dir.example:389' },
  { name: 'ConnectionPassword', value: 'bind-secret' },
  { name: 'UserSearchBase', value: 'ou=people,dc=example,dc=com' },
];
const refused = (fn: () => unknown, description: RegExp) => assert.throws(fn, (e: unknown) => e instanceof AppError && e.code === 'USR-40006' && description.test(e.description));

test('WSO2 property names map onto the [[user_store]] keys, with string values; secrets come out apart', () => {
  const { domain, settings, secrets } = checkProperties(ldap([...base, { name: 'ReadOnly', value: 'false' }, { name: 'max_search_results', value: '50' }]));
  assert.equal(domain, 'LDAP');
  assert.deepEqual([settings.connection_url, settings.user_search_base, settings.read_only, settings.max_search_results], ['ldap://dir.example:389', 'ou=people,dc=example,dc=com', false, 50]);
  assert.deepEqual(secrets, { connection_password: 'bind-secret' });
  assert.ok(!('connection_password' in settings));
  assert.equal(checkProperties(ldap(base)).settings.read_only, true, "the read-only manager's default");
});

test('refusals name the property as sent, and never show a secret', () => {
  refused(() => checkProperties(ldap([...base, { name: 'Colour', value: 'red' }])), /^Colour: unknown property/);
  refused(() => checkProperties(ldap(base.slice(0, 2))), /^UserSearchBase: required/);
  refused(() => checkProperties(ldap([...base, { name: 'connection_url', value: 'ldap://x' }])), /^connection_url: set twice/);
  refused(() => checkProperties(ldap([...base, { name: 'pool_size', value: '0' }])), /^pool_size: /);
  refused(() => checkProperties(ldap([...base, { name: 'tls_ca_file', value: '/etc/passwd' }])), /^tls_ca_file: does not apply/);
  refused(() => checkProperties(ldap([{ name: 'ConnectionPassword', value: 'enc:v1:abc' }, ...base.slice(0, 1), base[2]!])), /deployment\.toml/);
  refused(() => checkProperties({ domain: 'J', type: 'database', readOnly: false, properties: [{ name: 'url', value: 'postgres://u:$env{PW}@h/db' }] }), /^url: .*deployment\.toml/);
  refused(() => checkProperties({ domain: 'J', type: 'database', readOnly: false, properties: [{ name: 'url', value: 'ftp://u:hunter2@h/db' }] }), /^url: must start with postgres/);
  assert.throws(() => checkProperties({ domain: 'J', type: 'database', readOnly: false, properties: [{ name: 'url', value: 'ftp://u:hunter2@h/db' }] }), (e: AppError) => !e.description.includes('hunter2'));
});

test('an update keeps a secret left out or sent back masked; a new value replaces it', () => {
  const previous = { connection_password: 'old-secret' };
  const without = base.filter((p) => p.name !== 'ConnectionPassword');
  assert.equal(checkProperties(ldap(without), previous).secrets.connection_password, 'old-secret');
  assert.equal(checkProperties(ldap([...without, { name: 'ConnectionPassword', value: MASK }]), previous).secrets.connection_password, 'old-secret');
  assert.equal(checkProperties(ldap(base), previous).secrets.connection_password, 'bind-secret');
  const url = 'postgres://app:pw@db:5432/users';
  const jdbc = (value: string) => checkProperties({ domain: 'J', type: 'database', readOnly: false, properties: [{ name: 'url', value }] }, { url }).secrets.url;
  assert.equal(jdbc(maskedUrl(url)), url);
});

test('shown properties mask secrets; the url keeps its host but not its credentials', () => {
  const shown = shownProperties({ read_only: true }, { url: 'postgres://app:pw@db:5432/users?sslmode=require', password: 'x' });
  assert.deepEqual(shown, [{ name: 'ReadOnly', value: 'true' }, { name: 'url', value: 'postgres://********@db:5432/users' }, { name: 'password', value: MASK }]);
});

test('types by WSO2 typeName, typeId (base64url) or our names; a full table for the live store', () => {
  assert.equal(storeTypeOf('UniqueIDJDBCUserStoreManager').type, 'database');
  assert.equal(storeTypeOf(typeIdOf('UniqueIDActiveDirectoryUserStoreManager')).type, 'active_directory');
  assert.equal(storeTypeOf('jdbc').type, 'database');
  refused(() => storeTypeOf('Nope'), /^typeName: /);
  const full = declaredOf('LDAP', 'alpha.com', 'ldap', checkProperties(ldap(base)).settings, { connection_password: 'bind-secret' });
  assert.deepEqual([full.tenant, full.domain, full.connection_password, full.pool_size], ['alpha.com', 'LDAP', 'bind-secret', 5]);
});
