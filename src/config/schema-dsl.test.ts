// The schema DSL on its own: coercion, lenient mode, per-tenant validation and suggestions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bool, int, list, oneOf, section, str } from './schema-dsl.ts';
import { closest, editDistance } from './suggest.ts';
import { TOTP_PARAMETER_NAMES, totpParameters } from './totp-schema.ts';
import { validateSection } from './validate.ts';
import { decodeEncryptionKey } from './key-format.ts';

test('int: strict by default, lenient accepts integer strings only', () => {
  const port = int({ default: 1, min: 1, max: 10, description: 'd' });
  assert.deepEqual(port.coerce(5, false), { ok: true, value: 5 });
  assert.equal(port.coerce('5', false).ok, false);
  assert.deepEqual(port.coerce(' 5 ', true), { ok: true, value: 5 });
  for (const bad of ['5.0', '0x5', '', '5 apples', 11, 0, 2.5, true]) assert.equal(port.coerce(bad, true).ok, false, String(bad));
});

test('bool: lenient accepts "true"/"false" in any case, nothing else', () => {
  const flag = bool({ default: false, description: 'd' });
  assert.deepEqual(flag.coerce('TRUE', true), { ok: true, value: true });
  assert.deepEqual(flag.coerce('false', true), { ok: true, value: false });
  for (const bad of ['yes', '1', 1, '']) assert.equal(flag.coerce(bad, true).ok, false, String(bad));
  assert.equal(flag.coerce('true', false).ok, false);
});

test('oneOf: exact values, value aliases, numeric values from strings when lenient', () => {
  const db = oneOf(['sqlite', 'postgres'], { default: 'sqlite', valueAliases: { postgre: 'postgres' }, description: 'd' });
  assert.deepEqual(db.coerce('postgre', false), { ok: true, value: 'postgres' });
  assert.equal(db.coerce('Postgres', false).ok, false);
  assert.equal(db.coerce('toString', false).ok, false, 'prototype names are not aliases');
  const digits = oneOf([6, 8], { default: 6, description: 'd' });
  assert.deepEqual(digits.coerce('8', true), { ok: true, value: 8 });
  assert.equal(digits.coerce('8', false).ok, false);
});

test('str and list: pattern, check and normalisation', () => {
  const host = str({ default: 'a', pattern: /^[a-z]+$/, format: 'lower-case letters', description: 'd' });
  assert.deepEqual(host.coerce('Ab', false), { ok: false, expected: 'lower-case letters' });
  const trimmed = str({ default: '', normalize: (v) => v.trim(), check: (v) => (v === '' ? 'not blank' : undefined), description: 'd' });
  assert.deepEqual(trimmed.coerce(' x ', false), { ok: true, value: 'x' });
  assert.equal(trimmed.coerce('  ', false).ok, false);
  const names = list({ default: [], item: (v) => (v.length > 3 ? 'short names' : undefined), description: 'd' });
  assert.deepEqual(names.coerce(['a', 'b'], false), { ok: true, value: ['a', 'b'] });
  assert.deepEqual(names.coerce(['a', 'long'], false), { ok: false, expected: 'short names (entry 2)' });
  assert.equal(names.coerce(['a', 1], false).ok, false);
});

test('validateSection: a tenant override as JSON, filled from the file values, without lines', () => {
  const fileValues = validateSection(totpParameters, { windowSize: 5 }, 'authentication.authenticator.totp.parameters').value;
  const override = { timeStepSize: '60', allow_sending_verification_code_by_email: true };
  const result = validateSection(totpParameters, override, 'tenant.totp', { defaults: fileValues });
  assert.deepEqual(result.errors, []);
  assert.equal(result.value.timeStepSize, 60);
  assert.equal(result.value.windowSize, 5, 'absent keys come from the given defaults');
  assert.equal(result.value.AllowSendingVerificationCodeByEmail, true);
  assert.ok(Object.isFrozen(result.value));

  const bad = validateSection(totpParameters, { windowSize: 0, Digits: 6, usecase: 'userAttribute' }, 'tenant.totp');
  assert.deepEqual(bad.errors, [
    { key: 'tenant.totp.Digits', message: 'unknown key "Digits" in [tenant.totp] (did you mean "digits"?)' },
    { key: 'tenant.totp.windowSize', message: '[tenant.totp] windowSize: expected an integer between 1 and 21, got 0' },
  ]);
  assert.equal(bad.value.windowSize, 3, 'a bad value falls back to the default');
});

test('validateSection: cross-field checks run on a clean section', () => {
  const s = section(
    { a: int({ default: 1, description: 'd' }), b: int({ default: 2, description: 'd' }) },
    { checks: [(v) => (v.a > v.b ? { key: 'a', message: 'must not exceed b' } : undefined)] },
  );
  assert.deepEqual(validateSection(s, { a: 3 }, 'x').errors, [{ key: 'x.a', message: '[x] a: must not exceed b' }]);
  assert.deepEqual(validateSection(s, 'nope', 'x').errors, [{ key: 'x', message: 'x: expected a table [x], got "nope"' }]);
});

test('TOTP parameter names are the canonical ones, WSO2 first, extensions last', () => {
  assert.equal(TOTP_PARAMETER_NAMES[0], 'encodingMethod');
  assert.deepEqual(TOTP_PARAMETER_NAMES.slice(-3), ['algorithm', 'digits', 'secretLength']);
  assert.ok(TOTP_PARAMETER_NAMES.includes('TOTPAuthenticationEndpointURL'));
  assert.ok(!TOTP_PARAMETER_NAMES.some((n) => n.includes('_')), 'aliases are not canonical names');
});

test('suggestions: case-insensitive match or edit distance <= 2', () => {
  assert.equal(editDistance('prot', 'port'), 2);
  assert.equal(closest('prot', ['hostname', 'port']), 'port');
  assert.equal(closest('TIMESTEPSIZE', ['timeStepSize', 'windowSize']), 'timeStepSize');
  assert.equal(closest('colour', ['level']), undefined);
  assert.equal(closest('ab', ['xy']), undefined);
});

test('encryption keys: 64 hex characters or base64 of 32 bytes', () => {
  assert.equal(decodeEncryptionKey('ab'.repeat(32))?.length, 32);
  assert.equal(decodeEncryptionKey(Buffer.alloc(32, 1).toString('base64'))?.length, 32);
  assert.equal(decodeEncryptionKey(Buffer.alloc(32, 255).toString('base64url'))?.length, 32);
  assert.equal(decodeEncryptionKey('ab'.repeat(31)), undefined);
  assert.equal(decodeEncryptionKey(Buffer.alloc(31).toString('base64')), undefined);
  assert.equal(decodeEncryptionKey('correct horse battery staple'), undefined);
});
