import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TotpInputError } from './errors.ts';
import { decodeSecret, encodeSecret, generateSecret, MIN_SECRET_BYTES } from './secret.ts';

const isReason = (reason: string) => (e: unknown) => e instanceof TotpInputError && e.reason === reason;

test('generateSecret gives 20 fresh random bytes by default', () => {
  const a = generateSecret();
  const b = generateSecret();
  assert.equal(a.length, 20);
  assert.notDeepEqual(a, b);
  assert.equal(generateSecret(32).length, 32);
  assert.equal(generateSecret(16).length, 16);
});

test('generateSecret refuses keys below 128 bits (RFC 4226 R6) and silly sizes', () => {
  for (const n of [0, 10, 15, 1025, 20.5, Number.NaN]) assert.throws(() => generateSecret(n), isReason('secret'), String(n));
});

test('encodeSecret/decodeSecret round-trip in Base32 and Base64', () => {
  for (let n = MIN_SECRET_BYTES; n <= 64; n++) {
    const key = generateSecret(Math.max(n, 16)).subarray(0, n);
    const b32 = encodeSecret(key, 'Base32');
    const b64 = encodeSecret(key, 'Base64');
    assert.match(b32, /^[A-Z2-7]+$/);
    assert.equal(b64, key.toString('base64'));
    assert.deepEqual(decodeSecret(b32, 'Base32'), key);
    assert.deepEqual(decodeSecret(b64, 'Base64'), key);
  }
});

test('decodeSecret reads WSO2-style 80-bit secrets in both encodings', () => {
  // WSO2 docs sample secret: 16 Base32 characters = 10 bytes.
  const key = decodeSecret('4AAC2HEG7COGHQYI', 'Base32');
  assert.equal(key.length, 10);
  assert.equal(encodeSecret(key, 'Base32'), '4AAC2HEG7COGHQYI');
  const b64 = encodeSecret(key, 'Base64');
  assert.match(b64, /^[A-Za-z0-9+/]{14}==$/);
  assert.deepEqual(decodeSecret(b64, 'Base64'), key);
});

test('decodeSecret Base64 tolerates whitespace and missing padding', () => {
  const key = Buffer.from('0123456789abcdef', 'hex').subarray(0, 8);
  const long = Buffer.concat([key, key]); // 16 bytes
  const b64 = long.toString('base64'); // ends in '=='
  assert.deepEqual(decodeSecret(b64.replace(/=+$/, ''), 'Base64'), long);
  assert.deepEqual(decodeSecret(` ${b64.slice(0, 8)}\r\n${b64.slice(8)} `, 'Base64'), long);
});

test('decodeSecret rejects bad text and keys shorter than 10 bytes', () => {
  assert.throws(() => decodeSecret('GEZDGNBV8Y3TQOJQ', 'Base32'), isReason('base32'));
  assert.throws(() => decodeSecret('AAAAAAAAAAAAAAAA-_AA', 'Base64'), isReason('base64'), 'URL-safe alphabet is not WSO2 Base64');
  assert.throws(() => decodeSecret('AAAA=AAAAAAAAAAAAAAA', 'Base64'), isReason('base64'));
  assert.throws(() => decodeSecret('AAAAAAAAAAAAAAAAA', 'Base64'), isReason('base64'), '17 characters is not whole bytes');
  assert.throws(() => decodeSecret('AAAAAAAAAAAAAAAAAA=', 'Base64'), isReason('base64'), 'padding must complete a group of 4');
  assert.throws(() => decodeSecret('', 'Base32'), isReason('secret'));
  assert.throws(() => decodeSecret('GEZDGNBVGY3TQOA', 'Base32'), isReason('secret'), '9 bytes');
  assert.throws(() => decodeSecret('AAAAAAAAAAAA', 'Base64'), isReason('secret'), '9 bytes');
  assert.throws(() => decodeSecret('GEZDGNBVGY3TQOJQ', 'Hex' as 'Base32'), isReason('params'));
});

test('encodeSecret refuses keys that are too short or not bytes', () => {
  assert.throws(() => encodeSecret(Buffer.alloc(9), 'Base32'), isReason('secret'));
  assert.throws(() => encodeSecret('GEZDGNBVGY3TQOJQ' as unknown as Uint8Array, 'Base32'), isReason('secret'));
});
