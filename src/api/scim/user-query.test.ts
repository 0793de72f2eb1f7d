import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LocalClaim } from '../../claims/claim-metadata.ts';
import { CLAIMS, DEFAULT_LOCAL_CLAIMS } from '../../claims/local-claims.ts';
import { AppError } from '../../errors/app-error.ts';
import { parseFilter } from './filter.ts';
import { toStoreFilter } from './user-query.ts';

// The default claims with PRIMARY's attributes, plus an LDAP mapping for the email claim.
const claims: LocalClaim[] = DEFAULT_LOCAL_CLAIMS.map((d) => ({
  uri: d.uri,
  displayName: d.displayName,
  description: d.description,
  displayOrder: 0,
  supportedByDefault: false,
  readOnly: false,
  hidden: d.hidden ?? false,
  required: false,
  regex: null,
  attributeMappings: [{ userstore: 'PRIMARY', mappedAttribute: d.attribute }, ...(d.uri === CLAIMS.email ? [{ userstore: 'LDAP', mappedAttribute: 'mailPrimaryAddress' }] : [])],
}));
const attributeFor = (claim: LocalClaim, store: string) =>
  (claim.attributeMappings.find((m) => m.userstore === store) ?? claim.attributeMappings[0]!).mappedAttribute;
const translate = (filter: string, store = 'PRIMARY') => toStoreFilter(parseFilter(filter), claims, attributeFor)(store);
const cond = (attribute: string, op: string, value: string) => ({ kind: 'condition', attribute, op, value });

test('attributes map through the claim to each store\'s attribute', () => {
  assert.deepEqual(translate('userName eq "alice"'), cond('username', 'eq', 'alice'));
  assert.deepEqual(translate('emails co "@example"'), cond('mail', 'co', '@example'));
  assert.deepEqual(translate('emails.value co "@example"', 'LDAP'), cond('mailPrimaryAddress', 'co', '@example'));
  assert.deepEqual(translate('urn:ietf:params:scim:schemas:core:2.0:User:name.givenName sw "Al"'), cond('givenName', 'sw', 'Al'));
  assert.deepEqual(translate('NAME.FAMILYNAME ew "ll"'), cond('sn', 'ew', 'll'));
  assert.deepEqual(translate('emails[value eq "a@b.c"]'), cond('mail', 'eq', 'a@b.c'));
  assert.deepEqual(translate('phoneNumbers eq "+1"'), { kind: 'or', filters: [cond('mobile', 'eq', '+1'), cond('telephoneNumber', 'eq', '+1')] });
  assert.deepEqual(translate('phoneNumbers ne "+1"'), { kind: 'and', filters: [cond('mobile', 'ne', '+1'), cond('telephoneNumber', 'ne', '+1')] });
});

test('and/or keep their shape; not is pushed down by De Morgan', () => {
  assert.deepEqual(translate('userName sw "a" and (displayName pr or title eq "x")'), {
    kind: 'and',
    filters: [cond('username', 'sw', 'a'), { kind: 'or', filters: [cond('displayName', 'pr', ''), cond('title', 'eq', 'x')] }],
  });
  assert.deepEqual(translate('not (userName eq "a" or title ne "x")'), { kind: 'and', filters: [cond('username', 'ne', 'a'), cond('title', 'eq', 'x')] });
});

test('a domain-qualified userName matches only in its store', () => {
  assert.deepEqual(translate('userName eq "LDAP/bob"', 'LDAP'), cond('username', 'eq', 'bob'));
  assert.deepEqual(translate('userName eq "LDAP/bob"', 'PRIMARY'), { kind: 'or', filters: [] }, 'false');
  assert.deepEqual(translate('userName ne "LDAP/bob"', 'PRIMARY'), { kind: 'and', filters: [] }, 'true');
  assert.deepEqual(translate('userName eq "bob@gmail.com"'), cond('username', 'eq', 'bob@gmail.com'), 'no domain: the value as given');
  assert.deepEqual(translate('userName pr'), { kind: 'and', filters: [] });
});

test('what stores cannot answer is 400 invalidFilter, and hidden claims are never searchable', () => {
  const refused = (filter: string, detail: RegExp) =>
    assert.throws(() => translate(filter), (e: unknown) => e instanceof AppError && e.code === 'SCM-40001' && detail.test(e.description), filter);
  refused('active eq true', /'active' is not supported/);
  refused('urn:scim:wso2:schema:accountLocked eq true', /not supported/);
  refused('emails.type eq "work"', /'emails.type'/);
  refused('emails[type eq "work"]', /'emails.type'/);
  refused('userName gt "a"', /'gt' is not supported/);
  refused('not (userName co "a")', /not around 'co'/);
  refused('not (title pr)', /pr/);
  refused('userName eq 1', /quoted string/);
  const hidden = claims.map((c) => (c.uri === CLAIMS.title ? { ...c, hidden: true } : c));
  assert.throws(() => toStoreFilter(parseFilter('title eq "x"'), hidden, attributeFor), /Invalid filter/);
});
