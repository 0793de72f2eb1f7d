import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { createGuardrails, generateSync } from 'otplib';
import { base32Encode } from './base32.ts';
import { TotpInputError } from './errors.ts';
import type { TotpAlgorithm, TotpDigits } from './params.ts';
import { timeStep, totpAt } from './totp.ts';
import { createTotpVerifier } from './verify.ts';

// RFC 6238 Appendix B: the seed is "12345678901234567890" repeated to the hash's output size.
const SEEDS: Record<TotpAlgorithm, Buffer> = {
  SHA1: Buffer.from('12345678901234567890'),
  SHA256: Buffer.from('12345678901234567890123456789012'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const APPENDIX_B: [number, Record<TotpAlgorithm, string>][] = [
  [59, { SHA1: '94287082', SHA256: '46119246', SHA512: '90693936' }],
  [1111111109, { SHA1: '07081804', SHA256: '68084774', SHA512: '25091201' }],
  [1111111111, { SHA1: '14050471', SHA256: '67062674', SHA512: '99943326' }],
  [1234567890, { SHA1: '89005924', SHA256: '91819424', SHA512: '93441116' }],
  [2000000000, { SHA1: '69279037', SHA256: '90698825', SHA512: '38618901' }],
  [20000000000, { SHA1: '65353130', SHA256: '77737706', SHA512: '47863826' }],
];

test('totpAt matches every RFC 6238 Appendix B vector (8 digits, 30 s)', () => {
  for (const [seconds, codes] of APPENDIX_B) {
    for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
      assert.equal(totpAt(SEEDS[algorithm], seconds * 1000, { algorithm, digits: 8 }), codes[algorithm], `${algorithm} T=${seconds}`);
    }
  }
});

test('6-digit SHA1 codes at the RFC 6238 times match the WSO2 notes (section 4.6)', () => {
  const expected = ['287082', '081804', '050471', '005924', '279037', '353130'];
  assert.deepEqual(
    APPENDIX_B.map(([seconds]) => totpAt(SEEDS.SHA1, seconds * 1000)),
    expected,
  );
});

test('timeStep is floor(nowMs / period) with T0 = 0, exact at boundaries', () => {
  assert.equal(timeStep(0, 30), 0);
  assert.equal(timeStep(29_999, 30), 0);
  assert.equal(timeStep(30_000, 30), 1);
  assert.equal(timeStep(59_000, 30), 1);
  assert.equal(timeStep(1_111_111_109_000, 30), 37037036);
  assert.equal(timeStep(20_000_000_000_000, 30), 666666666);
  assert.equal(timeStep(Number.MAX_SAFE_INTEGER, 1), Math.floor(Number.MAX_SAFE_INTEGER / 1000));
  assert.equal(timeStep(3_599_999, 3600), 0);
  assert.equal(timeStep(3_600_000, 3600), 1);
});

test('timeStep rejects negative, non-finite and unsafe times and bad periods', () => {
  const isParams = (e: unknown) => e instanceof TotpInputError && e.reason === 'params';
  for (const t of [-1, Number.NaN, Infinity, Number.MAX_SAFE_INTEGER + 2]) assert.throws(() => timeStep(t, 30), isParams, String(t));
  for (const p of [0, -30, 1.5]) assert.throws(() => timeStep(1000, p), isParams, String(p));
});

// sfc32: a small seeded PRNG, so a failing case can be replayed with TOTP_TEST_SEED=<seed>.
function prng(seed: number): () => number {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 0x1_0000_0000;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

test('10,000 random cases agree with otpauth and otplib, and verify at their own step', (t) => {
  const seed = Number(process.env.TOTP_TEST_SEED ?? Math.floor(Math.random() * 0x1_0000_0000));
  t.diagnostic(`seed ${seed} (rerun with TOTP_TEST_SEED=${seed})`);
  const rand = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  // otplib refuses keys under 16 bytes by default; WSO2's 10-byte keys are in scope here.
  const guardrails = createGuardrails({ MIN_SECRET_BYTES: 10 });
  const algorithms: TotpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];
  const periods = [30, 30, 30, 60, 15, 1, 90, 120, 300, 3600];
  for (let i = 0; i < 10_000; i++) {
    const key = Buffer.alloc(int(10, 64));
    for (let j = 0; j < key.length; j++) key[j] = int(0, 255);
    const algorithm = algorithms[int(0, 2)]!;
    const digits: TotpDigits = rand() < 0.5 ? 6 : 8;
    const period = rand() < 0.7 ? periods[int(0, periods.length - 1)]! : int(1, 3600);
    // Up to 2e13 ms (year 2603), the last RFC 6238 vector's time, in whole milliseconds.
    const nowMs = Math.floor(rand() * 2e13);
    const label = `seed ${seed} case ${i}: ${algorithm}/${digits}/${period}s/${key.length}B at ${nowMs}`;

    const ours = totpAt(key, nowMs, { algorithm, digits, period });
    const secret = base32Encode(key);
    const theirs = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm, digits, period });
    assert.equal(ours, theirs.generate({ timestamp: nowMs }), `otpauth, ${label}`);
    const otplib = generateSync({
      secret,
      epoch: Math.floor(nowMs / 1000), // otplib's epoch is in seconds
      algorithm: algorithm === 'SHA1' ? 'sha1' : algorithm === 'SHA256' ? 'sha256' : 'sha512',
      digits,
      period,
      guardrails,
    });
    assert.equal(ours, otplib, `otplib, ${label}`);
    const result = createTotpVerifier(key, { algorithm, digits, period, windowSize: 1 }).verify(ours, nowMs);
    assert.deepEqual(result, { valid: true, step: Math.floor(nowMs / (period * 1000)) }, `verify, ${label}`);
  }
});
