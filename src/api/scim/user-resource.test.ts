// SCIM shows only what the claim read policy releases to admins; its identity claims are the named exceptions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { releaseRefusal } from '../../claims/claim-read-policy.ts';
import { CLAIMS } from '../../claims/local-claims.ts';
import { SCIM_CLAIMS } from './user-resource.ts';

test('every claim a SCIM user resource reads is released to admins, and none is a TOTP secret', () => {
  for (const uri of SCIM_CLAIMS) assert.equal(releaseRefusal(uri, 'admin'), undefined, uri);
  for (const uri of [CLAIMS.accountDisabled, CLAIMS.accountLocked, CLAIMS.lockedReason]) assert.ok(SCIM_CLAIMS.includes(uri), `${uri} backs active or the lock`);
  assert.ok(![CLAIMS.secretKey, CLAIMS.verifySecretKey, CLAIMS.usedTotpTimeWindows].some((uri) => SCIM_CLAIMS.includes(uri)));
});
