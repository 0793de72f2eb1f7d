import assert from 'node:assert/strict';
import { test } from 'node:test';
import { domainQualified, fullyQualified, isValidUsername, parseQualifiedName } from './qualified-name.ts';

test('parses DOMAIN/user@tenant in all its forms', () => {
  const cases: [string, string | undefined, string, string | undefined][] = [
    ['alice', undefined, 'alice', undefined],
    ['alice@carbon.super', undefined, 'alice', 'carbon.super'],
    ['LDAP/bob', 'LDAP', 'bob', undefined],
    ['ldap/bob@Example.COM', 'LDAP', 'bob', 'example.com'],
    ['PRIMARY/admin@wso2.com', 'PRIMARY', 'admin', 'wso2.com'],
    ['  carol@t1.org  ', undefined, 'carol', 't1.org'],
    ['dave@', undefined, 'dave@', undefined],
    ['erin@not a domain', undefined, 'erin@not a domain', undefined],
    ['/frank', undefined, '/frank', undefined],
  ];
  for (const [input, storeDomain, username, tenantDomain] of cases) {
    assert.deepEqual(parseQualifiedName(input), { storeDomain, username, tenantDomain }, input);
  }
});

test('email user names keep their @ unless a second one names the tenant', () => {
  assert.deepEqual(parseQualifiedName('bob@gmail.com', { emailUsernames: true }), { storeDomain: undefined, username: 'bob@gmail.com', tenantDomain: undefined });
  assert.deepEqual(parseQualifiedName('bob@gmail.com@t1.org', { emailUsernames: true }), { storeDomain: undefined, username: 'bob@gmail.com', tenantDomain: 't1.org' });
  assert.deepEqual(parseQualifiedName('bob@gmail.com'), { storeDomain: undefined, username: 'bob', tenantDomain: 'gmail.com' });
});

test('formats names the way WSO2 shows them', () => {
  assert.equal(domainQualified('PRIMARY', 'alice'), 'alice');
  assert.equal(domainQualified('LDAP', 'bob'), 'LDAP/bob');
  assert.equal(fullyQualified('LDAP', 'bob', 'example.com'), 'LDAP/bob@example.com');
  assert.equal(fullyQualified('PRIMARY', 'alice', 'carbon.super'), 'alice@carbon.super');
});

test('user names: no white space, slash or control characters; 1 to 255 characters', () => {
  for (const ok of ['alice', 'a', 'bob.smith', 'ünïcødé', 'x'.repeat(255)]) assert.ok(isValidUsername(ok), ok);
  for (const bad of ['', 'a b', 'a/b', 'tab\there', 'nl\n', 'x'.repeat(256), '\u0000']) assert.ok(!isValidUsername(bad), JSON.stringify(bad));
});
