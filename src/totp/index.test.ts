import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as OTPAuth from 'otpauth';
import * as totp from './index.ts';
import { readQrPng } from './testing.ts';

test('enrolment and login through the public API, with an authenticator app played by otpauth', async () => {
  // Server: new secret, stored WSO2-style in Base64, shown as a QR code.
  const params = { ...totp.DEFAULT_TOTP_PARAMS, digits: 8 as const, algorithm: 'SHA256' as const };
  const stored = totp.encodeSecret(totp.generateSecret(), 'Base64');
  const key = totp.decodeSecret(stored, 'Base64');
  const uri = totp.buildOtpauthUri({ issuer: 'carbon.super', account: 'JDBC/alice', key, ...params });
  const scanned = readQrPng(await totp.renderQrPng(uri)).text;
  assert.equal(scanned, uri);

  // Phone: scans the code and shows a TOTP.
  const app = OTPAuth.URI.parse(scanned ?? '');
  const now = Date.UTC(2030, 0, 1, 12, 0, 10);
  const shown = app.generate({ timestamp: now });
  assert.equal(shown, totp.totpAt(key, now, params));

  // Server: verifies at the (injected) clock, records the step, refuses the same code again.
  const verifier = totp.createTotpVerifier(key, params);
  const first = verifier.verify(shown, now + 20_000); // typed 20 s later, next step: still in the window
  assert.deepEqual(first, { valid: true, step: totp.timeStep(now, params.period) });
  const second = totp.verifyTotp(key, shown, now + 25_000, params);
  assert.ok(second.valid && first.valid && second.step === first.step, 'same step: the caller refuses it as used');

  // WSO2 clients get the Base64 payload instead and decode it to the same URI.
  assert.equal(totp.decodeWso2QrPayload(totp.encodeWso2QrPayload(uri)), uri);
});

test('the public API exports exactly the documented names', () => {
  assert.deepEqual(Object.keys(totp).sort(), [
    'DEFAULT_SECRET_BYTES',
    'DEFAULT_TOTP_PARAMS',
    'MAX_SECRET_BYTES',
    'MAX_WINDOW_SIZE',
    'MIN_GENERATED_SECRET_BYTES',
    'MIN_SECRET_BYTES',
    'TotpInputError',
    'base32Decode',
    'base32Encode',
    'buildOtpauthUri',
    'createTotpVerifier',
    'decodeSecret',
    'decodeWso2QrPayload',
    'encodeSecret',
    'encodeWso2QrPayload',
    'generateSecret',
    'hotp',
    'isWellFormedCode',
    'parseOtpauthUri',
    'renderQrPng',
    'renderQrPngDataUrl',
    'renderQrSvg',
    'resolveTotpParams',
    'timeStep',
    'totpAt',
    'verifyTotp',
    'windowOffsets',
  ]);
});
