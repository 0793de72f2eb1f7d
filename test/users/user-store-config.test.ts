// [[user_store]] in deployment.toml: accepted shapes, defaults, and refusals that name the problem without
// showing a secret.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../src/config/load.ts';
import { settingsOf } from '../../src/users/jdbc/jdbc-settings.ts';

const parse = (toml: string) => parseConfigText(toml, 'deployment.toml');

test('no [[user_store]]: no secondary stores', () => {
  assert.deepEqual(parse('').user_store, []);
});

test('a managed store and a mapped one, with defaults and aliases', () => {
  const config = parse(`
[[user_store]]
type = "jdbc"
domain_name = "jdbc"
url = "postgres://ids@db.example:5432/users"

[[user_store]]
domain = "LEGACY"
tenant = "Example.COM"
url = "mysql://app:s3cret@db.example:3306/app"
read_only = true
table = "app.users"
id_column = "user_id"
username_column = "login"
password_column = "pass"
salt_column = "salt"
attribute_columns = { mail = "email", givenName = "first_name" }
`);
  const [jdbc, legacy] = config.user_store;
  assert.equal(jdbc!.domain, 'JDBC');
  assert.equal(jdbc!.type, 'database');
  assert.equal(jdbc!.tenant, 'carbon.super');
  assert.deepEqual(settingsOf(jdbc!), {
    domain: 'JDBC', tenant: 'carbon.super', url: 'postgres://ids@db.example:5432/users', readOnly: false, poolSize: 5, connectTimeoutMs: 3000, queryTimeoutMs: 10000,
  });
  assert.deepEqual(settingsOf(legacy!).mapped, {
    table: 'app.users', idColumn: 'user_id', usernameColumn: 'login', passwordColumn: 'pass', saltColumn: 'salt', attributeColumns: { mail: 'email', givenName: 'first_name' },
  });
  assert.equal(legacy!.tenant, 'example.com');
  assert.equal(legacy!.read_only, true);
});

test('refusals: missing domain or url, PRIMARY, another scheme, a bad column, twice the same domain; no secret shown', () => {
  const refuses = (toml: string, pattern: RegExp) => assert.throws(() => parse(toml), (e: Error) => pattern.test(e.message) && !e.message.includes('s3cret'));
  refuses('[[user_store]]\nurl = "postgres://a:s3cret@h/db"', /domain.*required/);
  refuses('[[user_store]]\ndomain = "JDBC"', /url.*required/);
  refuses('[[user_store]]\ndomain = "PRIMARY"\nurl = "postgres://a:s3cret@h/db"', /PRIMARY is the built-in store/);
  refuses('[[user_store]]\ndomain = "JDBC"\nurl = "oracle://a:s3cret@h/db"', /must start with postgres/);
  refuses('[[user_store]]\ndomain = "JDBC"\nurl = "postgres://a:s3cret@h/db"\ntable = "users; drop table x"', /table/);
  refuses('[[user_store]]\ndomain = "JDBC"\nurl = "postgres://a:s3cret@h/db"\nattribute_columns = { mail = "e mail" }', /attribute_columns\.mail/);
  refuses('[[user_store]]\ndomain = "JDBC"\nurl = "postgres://a:s3cret@h/db"\n[[user_store]]\ndomain = "jdbc"\nurl = "postgres://a:s3cret@h/db"', /declared twice/);
  // WSO2's single [user_store] table is read as WSO2's primary store settings (src/config/wso2-dropin.test.ts).
});
