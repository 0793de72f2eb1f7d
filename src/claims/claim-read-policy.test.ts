// The claim read policy on its own: secrets never leave, identity claims only as named exceptions, hidden
// claims and claims mapped onto a secret's attribute are held back too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isReleasable, isSecretClaim, releaseRefusal, SECRET_CLAIMS, type ClaimAudience } from './claim-read-policy.ts';
import { CLAIMS, DEFAULT_LOCAL_CLAIMS, ENCRYPTED_CLAIMS } from './local-claims.ts';

const AUDIENCES: readonly ClaimAudience[] = ['application', 'admin', 'self', 'email'];
const claim = (uri: string, options: { hidden?: boolean; attribute?: string } = {}) => ({
  uri,
  hidden: options.hidden ?? false,
  attributeMappings: [{ mappedAttribute: options.attribute ?? 'someAttribute' }],
});

test('the TOTP secrets, everything encrypted at rest and the used time steps are refused to every audience', () => {
  assert.ok(SECRET_CLAIMS.has(CLAIMS.secretKey) && SECRET_CLAIMS.has(CLAIMS.verifySecretKey) && SECRET_CLAIMS.has(CLAIMS.usedTotpTimeWindows));
  for (const uri of ENCRYPTED_CLAIMS) assert.ok(isSecretClaim(uri), uri);
  for (const uri of SECRET_CLAIMS) {
    for (const audience of AUDIENCES) {
      assert.match(releaseRefusal(uri, audience) ?? '', /is a secret of the TOTP authenticator/, `${uri} to ${audience}`);
      assert.equal(isReleasable(claim(uri), audience), false);
    }
  }
});

test('a secret spelt in another case is still a secret', () => {
  const secrets = [...SECRET_CLAIMS];
  fc.assert(
    fc.property(fc.constantFrom(...secrets), fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }), fc.constantFrom(...AUDIENCES), (uri, upper, audience) => {
      const spelt = [...uri].map((ch, i) => (upper[i % upper.length] ? ch.toUpperCase() : ch.toLowerCase())).join('');
      return isSecretClaim(spelt) && releaseRefusal(spelt, audience) !== undefined;
    }),
    { seed: 8, numRuns: 200 },
  );
});

test('identity claims reach no application and no email; admins and the user see only the named exceptions', () => {
  const identity = DEFAULT_LOCAL_CLAIMS.map((c) => c.uri).filter((uri) => uri.includes('/identity/'));
  for (const uri of identity) {
    assert.match(releaseRefusal(uri, 'application') ?? '', /not released to applications|is a secret/, uri);
    assert.notEqual(releaseRefusal(uri, 'email'), undefined, uri);
  }
  const adminSees = identity.filter((uri) => releaseRefusal(uri, 'admin') === undefined).sort();
  assert.deepEqual(
    adminSees,
    [CLAIMS.accountDisabled, CLAIMS.accountLocked, CLAIMS.failedLoginAttempts, CLAIMS.failedLoginLockoutCount, CLAIMS.failedTotpAttempts, CLAIMS.lockedReason, CLAIMS.totpEnabled, CLAIMS.unlockTime].sort(),
  );
  assert.deepEqual(identity.filter((uri) => releaseRefusal(uri, 'self') === undefined), [CLAIMS.totpEnabled]);
  // A tenant's own claim under identity/ is account state too.
  assert.notEqual(releaseRefusal('http://wso2.org/claims/identity/custom', 'application'), undefined);
  assert.notEqual(releaseRefusal('http://wso2.org/claims/Identity/accountLocked', 'application'), undefined);
});

test('profile claims are released to every audience unless hidden or mapped onto a secret attribute', () => {
  for (const audience of AUDIENCES) {
    assert.equal(releaseRefusal(CLAIMS.email, audience), undefined);
    assert.equal(isReleasable(claim(CLAIMS.email), audience), true);
    assert.equal(isReleasable(claim('http://wso2.org/claims/department', { hidden: true }), audience), false, 'hidden');
    // An admin-made claim reading the attribute the seed is stored under (e.g. in an LDAP store) is the seed.
    assert.equal(isReleasable(claim('http://wso2.org/claims/copy', { attribute: 'TOTPSecretKey' }), audience), false, 'secret attribute');
  }
});

test('a refusal names the claim, bounded in length', () => {
  assert.match(releaseRefusal(CLAIMS.secretKey, 'application')!, /^http:\/\/wso2\.org\/claims\/identity\/secretkey is a secret/);
  const long = `http://wso2.org/claims/identity/${'x'.repeat(5000)}`;
  assert.ok(releaseRefusal(long, 'application')!.length < 400);
});
