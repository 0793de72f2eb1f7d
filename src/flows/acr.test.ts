import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACR, acrFor, amrClaim, asksForMultiFactor } from './acr.ts';

test('a password alone is single factor; a password and a code are multi-factor', () => {
  assert.equal(acrFor(['pwd']), ACR.singleFactor);
  assert.equal(acrFor(['pwd', 'otp']), ACR.multiFactor);
  assert.equal(acrFor(['pwd', 'pwd']), ACR.singleFactor, 'the same method twice is one factor');
});

test('amr gains mfa only for more than one method, once', () => {
  assert.deepEqual(amrClaim(['pwd']), ['pwd']);
  assert.deepEqual(amrClaim(['pwd', 'otp']), ['pwd', 'otp', 'mfa']);
  assert.deepEqual(amrClaim(['pwd', 'otp', 'mfa']), ['pwd', 'otp', 'mfa']);
});

test('only the multi-factor class asks for more than a password', () => {
  assert.equal(asksForMultiFactor([ACR.multiFactor]), true);
  assert.equal(asksForMultiFactor([ACR.singleFactor]), false);
  assert.equal(asksForMultiFactor(undefined), false);
});
