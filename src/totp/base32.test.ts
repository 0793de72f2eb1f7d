import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { base32Decode, base32Encode } from './base32.ts';
import { TotpInputError } from './errors.ts';

// RFC 4648 section 10 test vectors, with the padding removed as we write them.
const RFC4648: [string, string][] = [
  ['', ''],
  ['f', 'MY'],
  ['fo', 'MZXQ'],
  ['foo', 'MZXW6'],
  ['foob', 'MZXW6YQ'],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI'],
];

test('base32Encode matches the RFC 4648 section 10 vectors without padding', () => {
  for (const [plain, encoded] of RFC4648) assert.equal(base32Encode(Buffer.from(plain)), encoded);
});

test('base32Decode reads the RFC 4648 vectors with and without padding', () => {
  for (const [plain, encoded] of RFC4648) {
    assert.equal(base32Decode(encoded).toString(), plain);
    const padded = encoded + '='.repeat((8 - (encoded.length % 8)) % 8);
    assert.equal(base32Decode(padded).toString(), plain);
  }
});

test('base32 round-trips every length from 0 to 100 and agrees with otpauth', () => {
  for (let n = 0; n <= 100; n++) {
    const bytes = randomBytes(n);
    const text = base32Encode(bytes);
    assert.match(text, /^[A-Z2-7]*$/);
    assert.equal(text.length, Math.ceil((n * 8) / 5));
    assert.deepEqual(base32Decode(text), bytes);
    if (n > 0) {
      assert.equal(text, new OTPAuth.Secret({ buffer: new Uint8Array(bytes).buffer }).base32);
      assert.deepEqual(Buffer.from(OTPAuth.Secret.fromBase32(text).bytes), bytes);
    }
  }
});

test('base32Decode is lenient: lower case, spaces, tabs, line breaks, trailing padding', () => {
  const key = Buffer.from('12345678901234567890');
  const canonical = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.deepEqual(base32Decode(canonical), key);
  for (const variant of [
    canonical.toLowerCase(),
    'gezd gnbv gy3t qojq gezd gnbv gy3t qojq',
    'GEZDGNBV\tGY3TQOJQ\r\nGEZDGNBVGY3TQOJQ',
    ' GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ ',
    'GEZDGNBVgy3tqojqGEZDGNBVGY3TQOJQ',
  ]) {
    assert.deepEqual(base32Decode(variant), key, JSON.stringify(variant));
  }
  assert.deepEqual(base32Decode('MZXW6==='), Buffer.from('foo'));
  assert.deepEqual(base32Decode('mzxw 6==='), Buffer.from('foo'));
  assert.deepEqual(base32Decode('MZXW6= = ='), Buffer.from('foo'));
});

test('base32Decode rejects characters outside the alphabet, inner padding and impossible lengths', () => {
  const bad = [
    'MZXW0', // 0 is not Base32 (it is O)
    'MZXW1', // 1 is not (it is I)
    'MZXW8',
    'MZXW9',
    'MZ-XW6',
    'MZXW6!',
    'MZ=XW6', // padding in the middle
    'MZXWé',
    'MZXW6\u0000',
    'M', // 1 character: 5 bits, no whole byte
    'MZX', // 3 characters
    'MZXW6Y', // 6 characters
  ];
  for (const text of bad) {
    assert.throws(
      () => base32Decode(text),
      (e: unknown) => e instanceof TotpInputError && e instanceof RangeError && e.reason === 'base32',
      JSON.stringify(text),
    );
  }
  // 2, 4, 5 and 7 characters in the last group are whole bytes.
  assert.deepEqual([2, 4, 5, 7].map((n) => base32Decode('MZXW6YTB'.slice(0, n)).length), [1, 2, 3, 4]);
});

test('base32Decode error messages do not echo the input', () => {
  assert.throws(() => base32Decode('SECRETSECRET8'), (e: unknown) => e instanceof Error && !e.message.includes('SECRET'));
});
