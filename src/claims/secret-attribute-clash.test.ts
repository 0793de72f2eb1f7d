// No ordinary claim may share the store attribute a TOTP secret claim maps to, store by store, whichever is saved
// last; the same attribute name in different stores is no clash.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLAIMS } from './local-claims.ts';
import { secretAttributeClash } from './secret-attribute-clash.ts';

type Claim = { uri: string; attributeMappings: readonly { userstore: string; mappedAttribute: string }[] };
const claim = (uri: string, ...maps: [string, string][]): Claim => ({ uri, attributeMappings: maps.map(([userstore, mappedAttribute]) => ({ userstore, mappedAttribute })) });
// claim-metadata.ts's rule: the store's own mapping, else PRIMARY's.
const attributeFor = (c: Claim, domain: string) => (c.attributeMappings.find((m) => m.userstore === domain) ?? c.attributeMappings.find((m) => m.userstore === 'PRIMARY')!).mappedAttribute;

test('a tenant mapping the secret to an LDAP attribute: another claim on that attribute in LDAP is refused, elsewhere not', () => {
  const secret = claim(CLAIMS.secretKey, ['PRIMARY', 'totpSecretkey'], ['LDAP', 'description']);
  const about = claim('http://wso2.org/claims/about', ['PRIMARY', 'description']);
  assert.match(secretAttributeClash([secret, about], attributeFor)!, /"description" holds http:\/\/wso2\.org\/claims\/identity\/secretkey in the user store LDAP; http:\/\/wso2\.org\/claims\/about cannot/);
  const aboutElsewhere = claim('http://wso2.org/claims/about', ['PRIMARY', 'description'], ['LDAP', 'info']);
  assert.equal(secretAttributeClash([secret, aboutElsewhere], attributeFor), undefined);
  assert.match(secretAttributeClash([secret, claim(CLAIMS.email, ['PRIMARY', 'mail'], ['LDAP', 'DESCRIPTION'])], attributeFor)!, /LDAP/, 'attribute names compare without case');
});

test('the default mappings do not clash', () => {
  assert.equal(secretAttributeClash([claim(CLAIMS.secretKey, ['PRIMARY', 'totpSecretkey']), claim(CLAIMS.email, ['PRIMARY', 'mail'])], attributeFor), undefined);
});

test('saving one claim answers only for that claim: an older clash does not block unrelated claims', () => {
  const secret = claim(CLAIMS.secretKey, ['PRIMARY', 'totpSecretkey'], ['LDAP', 'description']);
  const old = claim('http://wso2.org/claims/about', ['LDAP', 'description'], ['PRIMARY', 'about']);
  const unrelated = claim('http://wso2.org/claims/department', ['PRIMARY', 'departmentNumber']);
  assert.equal(secretAttributeClash([secret, old, unrelated], attributeFor, unrelated.uri), undefined);
  assert.match(secretAttributeClash([secret, old, unrelated], attributeFor, old.uri)!, /about cannot/);
  assert.match(secretAttributeClash([secret, old, unrelated], attributeFor, CLAIMS.secretKey)!, /about cannot/);
});
