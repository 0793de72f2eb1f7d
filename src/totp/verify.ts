// Code verification (RFC 6238 section 5.2) with WSO2's windowSize semantics.
//
// Differences from WSO2 on purpose: the code is compared as an exact digit string (WSO2 parses it
// to an int, so `000000` never matches and `12345` equals `012345`), every step in the window is
// computed whatever matches (WSO2 returns at the first match), and the matched step is returned so
// the caller can refuse a step already used (RFC 6238 section 5.2: accept a code only once).
import { CounterHmac } from './hmac.ts';
import { truncate } from './hotp.ts';
import { resolveTotpParams, type TotpAlgorithm, type TotpDigits, type TotpParams } from './params.ts';
import { checkKey } from './secret.ts';
import { timeStep } from './totp.ts';

/** Result of a verification: the matched time step (the HOTP counter), or no match. */
export type TotpVerification = { readonly valid: true; readonly step: number } | { readonly valid: false };

const NO_MATCH: TotpVerification = Object.freeze({ valid: false });

/**
 * The step offsets WSO2 accepts for `windowSize` w: -floor((w-1)/2) .. +floor(w/2).
 * 1 gives 0..0, 3 gives -1..+1, 4 gives -1..+2.
 */
export function windowOffsets(windowSize: number): { from: number; to: number } {
  return offsets(resolveTotpParams({ windowSize }).windowSize);
}

function offsets(w: number): { from: number; to: number } {
  // `0 - x` rather than `-x`, so that w = 1 or 2 gives 0, not -0.
  return { from: 0 - Math.floor((w - 1) / 2), to: Math.floor(w / 2) };
}

/**
 * True when `code` is a string of exactly `digits` ASCII digits. Checked before any HMAC, so
 * malformed input costs nothing and cannot match; `+12345`, ` 12345`, `12345` (for 6) are refused.
 */
export function isWellFormedCode(code: unknown, digits: number): code is string {
  if (typeof code !== 'string' || code.length !== digits) return false;
  for (let i = 0; i < digits; i++) {
    const c = code.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** A key prepared for repeated verification: parameters checked and HMAC pads computed once. */
export interface TotpVerifier {
  readonly params: Readonly<TotpParams>;
  /**
   * Checks `code` against every step in the window around `nowMs` (Unix ms, injected so tests and
   * callers control the clock). Returns the matched step; refuse it if the user already used it.
   */
  verify(code: unknown, nowMs: number): TotpVerification;
}

// The window check shared by both forms. `code` is already known to be `digits` ASCII digits.
function matchWindow(
  hmac: CounterHmac,
  code: string,
  center: number,
  { from, to }: { from: number; to: number },
  digits: TotpDigits,
): TotpVerification {
  let matched = -1;
  for (let step = center + from; step <= center + to; step++) {
    if (step < 0) continue; // before the Unix epoch: no such counter
    const diff = digitDiff(truncate(hmac.digest(step), digits), code, digits);
    // No early return: every step costs the same whether or not an earlier one matched. On a
    // (1 in 10^digits) collision the earliest step wins, as in WSO2's loop.
    if (diff === 0 && matched < 0) matched = step;
  }
  return matched < 0 ? NO_MATCH : { valid: true, step: matched };
}

// Compares the expected code, written as `digits` ASCII digits, with `code` byte by byte without
// branching on the data; 0 means equal. Avoids allocating a string per step on the hot path.
function digitDiff(value: number, code: string, digits: number): number {
  let diff = 0;
  for (let i = digits - 1; i >= 0; i--) {
    const d = value % 10;
    value = (value - d) / 10;
    diff |= (0x30 + d) ^ code.charCodeAt(i);
  }
  return diff;
}

/**
 * Prepares `key` for verification with `params` (missing fields take WSO2's defaults). Keep it for
 * as long as the key is in use (for example one login attempt, or a cache keyed by user).
 * @throws {TotpInputError} for a bad key or parameters.
 */
export function createTotpVerifier(key: Uint8Array, params: Partial<TotpParams> = {}): TotpVerifier {
  const p = Object.freeze(resolveTotpParams(params));
  checkKey(key);
  const hmac = new CounterHmac(p.algorithm, key);
  const steps = offsets(p.windowSize);
  return {
    params: p,
    verify(code: unknown, nowMs: number): TotpVerification {
      const center = timeStep(nowMs, p.period);
      if (!isWellFormedCode(code, p.digits)) return NO_MATCH;
      return matchWindow(hmac, code, center, steps, p.digits);
    },
  };
}

// One CounterHmac per algorithm, re-keyed per call and cleared after: verification is synchronous,
// so calls cannot interleave within a thread, and each worker thread has its own module instance.
const scratch: Partial<Record<TotpAlgorithm, CounterHmac>> = {};

/**
 * One-shot verification: is `code` valid for `key` at `nowMs`? Returns the matched time step.
 * Malformed codes are refused before any HMAC is computed.
 * @throws {TotpInputError} for a bad key, parameters or time (never for a wrong or malformed code).
 */
export function verifyTotp(
  key: Uint8Array,
  code: unknown,
  nowMs: number,
  params: Partial<TotpParams> = {},
): TotpVerification {
  const p = resolveTotpParams(params);
  checkKey(key);
  const center = timeStep(nowMs, p.period);
  if (!isWellFormedCode(code, p.digits)) return NO_MATCH;
  const hmac = (scratch[p.algorithm] ??= new CounterHmac(p.algorithm)).setKey(key);
  try {
    return matchWindow(hmac, code, center, offsets(p.windowSize), p.digits);
  } finally {
    hmac.clear();
  }
}
