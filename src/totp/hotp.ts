// HOTP, RFC 4226: HMAC over a counter, dynamically truncated to a decimal code.
import { createHmac } from 'node:crypto';
import { TotpInputError } from './errors.ts';
import { HASHES } from './hmac.ts';
import { DEFAULT_TOTP_PARAMS, resolveTotpParams, type TotpAlgorithm, type TotpDigits } from './params.ts';
import { checkKey } from './secret.ts';

const MODULUS: Readonly<Record<TotpDigits, number>> = { 6: 1_000_000, 8: 100_000_000 };

/**
 * RFC 4226 section 5.3 dynamic truncation, then `mod 10^digits`. The offset comes from the last
 * byte of the MAC, as RFC 6238's reference code does for SHA-256 and SHA-512.
 */
export function truncate(mac: Uint8Array, digits: TotpDigits): number {
  // A MAC is at least 20 bytes and o <= 15, so every index below is in range.
  const o = mac[mac.length - 1]! & 0x0f;
  const bin = ((mac[o]! & 0x7f) << 24) | (mac[o + 1]! << 16) | (mac[o + 2]! << 8) | mac[o + 3]!;
  return bin % MODULUS[digits];
}

/** The code as exactly `digits` decimal characters, with leading zeros (RFC 4226 section 5.3). */
export function formatCode(value: number, digits: TotpDigits): string {
  return String(value).padStart(digits, '0');
}

/** Checks a HOTP counter: a whole number from 0 to 2^53-1 (RFC 4226 uses 8 bytes; JS numbers stop at 53 bits). */
export function checkCounter(counter: number): void {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new TotpInputError('params', 'A HOTP counter must be a whole number, 0 or more.');
  }
}

/**
 * The HOTP code for `counter` (RFC 4226 section 5.2), e.g. `hotp(key, 0)` is `'755224'` for the
 * RFC's test key.
 * @throws {TotpInputError} for a bad key, counter, algorithm or digits.
 */
export function hotp(
  key: Uint8Array,
  counter: number,
  algorithm: TotpAlgorithm = DEFAULT_TOTP_PARAMS.algorithm,
  digits: TotpDigits = DEFAULT_TOTP_PARAMS.digits,
): string {
  checkKey(key);
  checkCounter(counter);
  resolveTotpParams({ algorithm, digits });
  const msg = Buffer.alloc(8);
  msg.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), 0);
  msg.writeUInt32BE(counter >>> 0, 4);
  const mac = createHmac(HASHES[algorithm].node, key).update(msg).digest();
  return formatCode(truncate(mac, digits), digits);
}
