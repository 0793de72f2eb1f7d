// TOTP parameters, their defaults and their limits. The defaults are WSO2's (HMAC-SHA1, 6 digits,
// timeStepSize 30, windowSize 3) so that migrated users keep working without re-enrolment.
import { TotpInputError } from './errors.ts';

/** HMAC hash for HOTP/TOTP (RFC 6238 section 1.2 allows SHA-1, SHA-256 and SHA-512). */
export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** Code length. RFC 4226 section 5.3 requires at least 6; authenticator apps support 6 and 8. */
export type TotpDigits = 6 | 8;

/** How a secret is written as text in storage (WSO2's `encodingMethod`). */
export type SecretEncoding = 'Base32' | 'Base64';

/** Everything needed to compute and verify codes for one user. */
export interface TotpParams {
  /** HMAC hash; SHA1 is what every authenticator app supports. */
  readonly algorithm: TotpAlgorithm;
  /** Code length, 6 or 8. */
  readonly digits: TotpDigits;
  /** Time step in seconds (WSO2 `timeStepSize`, RFC 6238 X). T0 is always 0. */
  readonly period: number;
  /**
   * Total number of time steps accepted (WSO2 `windowSize`): offsets -floor((w-1)/2) .. +floor(w/2).
   * 3 accepts the previous, current and next step.
   */
  readonly windowSize: number;
}

/** WSO2's defaults: SHA1, 6 digits, 30 s, 3 steps. */
export const DEFAULT_TOTP_PARAMS: Readonly<TotpParams> = Object.freeze({
  algorithm: 'SHA1',
  digits: 6,
  period: 30,
  windowSize: 3,
});

/**
 * Largest accepted windowSize. Each extra step is one more code an attacker may guess
 * (RFC 6238 section 5.2 asks for a small window) and one more HMAC per attempt.
 */
export const MAX_WINDOW_SIZE = 99;

export const TOTP_ALGORITHMS: readonly TotpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];

/**
 * Merges `params` over the defaults and checks every field.
 * @throws {TotpInputError} reason `params` when a field is out of range.
 */
export function resolveTotpParams(params: Partial<TotpParams> = {}): TotpParams {
  // Field by field rather than a spread, so that `{digits: undefined}` (an unset config value)
  // means "the default" and not "no digits".
  const p: TotpParams = {
    algorithm: params.algorithm ?? DEFAULT_TOTP_PARAMS.algorithm,
    digits: params.digits ?? DEFAULT_TOTP_PARAMS.digits,
    period: params.period ?? DEFAULT_TOTP_PARAMS.period,
    windowSize: params.windowSize ?? DEFAULT_TOTP_PARAMS.windowSize,
  };
  if (!TOTP_ALGORITHMS.includes(p.algorithm)) {
    throw new TotpInputError('params', 'TOTP algorithm must be SHA1, SHA256 or SHA512.');
  }
  if (p.digits !== 6 && p.digits !== 8) {
    throw new TotpInputError('params', 'TOTP digits must be 6 or 8.');
  }
  if (!Number.isSafeInteger(p.period) || p.period < 1) {
    throw new TotpInputError('params', 'TOTP period (timeStepSize) must be a whole number of seconds, at least 1.');
  }
  if (!Number.isSafeInteger(p.windowSize) || p.windowSize < 1 || p.windowSize > MAX_WINDOW_SIZE) {
    throw new TotpInputError('params', `TOTP windowSize must be a whole number from 1 to ${MAX_WINDOW_SIZE}.`);
  }
  return p;
}
