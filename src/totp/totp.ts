// TOTP, RFC 6238: HOTP with the counter T = floor((now - T0) / X), T0 = 0.
import { TotpInputError } from './errors.ts';
import { hotp } from './hotp.ts';
import { resolveTotpParams, type TotpParams } from './params.ts';

/**
 * The RFC 6238 section 4.2 time step for a Unix time in milliseconds: floor(nowMs / (period * 1000)).
 * @throws {TotpInputError} when `nowMs` is negative, not finite or beyond 2^53.
 */
export function timeStep(nowMs: number, period: number): number {
  if (!Number.isFinite(nowMs) || nowMs < 0 || nowMs > Number.MAX_SAFE_INTEGER) {
    throw new TotpInputError('params', 'Time must be a Unix time in milliseconds, 0 or more.');
  }
  if (!Number.isSafeInteger(period) || period < 1) {
    throw new TotpInputError('params', 'TOTP period must be a whole number of seconds, at least 1.');
  }
  // Exact for every safe integer nowMs: the quotient's rounding error is below 1/(period*1000).
  return Math.floor(nowMs / (period * 1000));
}

/**
 * The code an authenticator app shows at `nowMs` (RFC 6238 section 4.2).
 * Only `algorithm`, `digits` and `period` matter here; missing ones take the defaults.
 */
export function totpAt(key: Uint8Array, nowMs: number, params: Partial<TotpParams> = {}): string {
  const p = resolveTotpParams(params);
  return hotp(key, timeStep(nowMs, p.period), p.algorithm, p.digits);
}
