// Public API of the TOTP engine: RFC 4226 HOTP and RFC 6238 TOTP, secrets and their text forms,
// otpauth URIs, QR rendering and WSO2's QR payload. Pure: no I/O, no clock (callers pass `nowMs`).
//
// Typical login-flow use:
//   const key = decodeSecret(storedText, config.encodingMethod);
//   const result = createTotpVerifier(key, params).verify(form.token, clock.now());
//   if (result.valid) { /* atomically record result.step as used; refuse if it already was */ }
//
// Every function documents itself at its declaration; this file only chooses what is public.

/** Parameter types, WSO2's defaults and the validator that merges over them. */
export {
  DEFAULT_TOTP_PARAMS,
  MAX_WINDOW_SIZE,
  resolveTotpParams,
  type SecretEncoding,
  type TotpAlgorithm,
  type TotpDigits,
  type TotpParams,
} from './params.ts';

/** The error thrown for unusable input; `reason` says which kind. */
export { TotpInputError, type TotpErrorReason } from './errors.ts';

/** Secrets: CSPRNG generation and the Base32/Base64 text forms used in storage. */
export {
  DEFAULT_SECRET_BYTES,
  MIN_SECRET_BYTES,
  MIN_GENERATED_SECRET_BYTES,
  MAX_SECRET_BYTES,
  decodeSecret,
  encodeSecret,
  generateSecret,
} from './secret.ts';

/** RFC 4648 Base32 (unpadded out, lenient in). */
export { base32Decode, base32Encode } from './base32.ts';

/** RFC 4226 HOTP codes. */
export { hotp } from './hotp.ts';

/** RFC 6238 time steps and codes. */
export { timeStep, totpAt } from './totp.ts';

/** Verification with WSO2's windowSize, returning the matched step for replay refusal. */
export {
  createTotpVerifier,
  isWellFormedCode,
  verifyTotp,
  windowOffsets,
  type TotpVerification,
  type TotpVerifier,
} from './verify.ts';

/** otpauth:// URIs (Google Authenticator Key URI format). */
export {
  buildOtpauthUri,
  parseOtpauthUri,
  type OtpauthUriInput,
  type OtpauthUriParts,
  type ParsedOtpauthUri,
} from './otpauth-uri.ts';

/** QR images of an otpauth URI. */
export { renderQrPng, renderQrPngDataUrl, renderQrSvg, type QrOptions } from './qr.ts';

/** WSO2's Base64 `qrCodeUrl` payload. */
export { decodeWso2QrPayload, encodeWso2QrPayload } from './wso2-payload.ts';
