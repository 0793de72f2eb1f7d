// Shared secrets: generation and their text forms in storage.
import { randomBytes } from 'node:crypto';
import { base32Decode, base32Encode } from './base32.ts';
import { base64Decode, base64Encode } from './base64.ts';
import { TotpInputError } from './errors.ts';
import type { SecretEncoding } from './params.ts';

/** RFC 4226 section 4 (R6) recommends 160-bit secrets. */
export const DEFAULT_SECRET_BYTES = 20;
/** RFC 4226 section 4 (R6) requires at least 128 bits for new secrets. */
export const MIN_GENERATED_SECRET_BYTES = 16;
/** WSO2 generates 80-bit secrets; they are still accepted when imported or read from storage. */
export const MIN_SECRET_BYTES = 10;
/** Larger keys only get hashed down (RFC 2104 section 2); this bounds work on imported input. */
export const MAX_SECRET_BYTES = 1024;

/**
 * A new random key from the operating system's CSPRNG (RFC 4226 section 7.5).
 * @param bytes key length, 16 to 1024 (default 20).
 */
export function generateSecret(bytes: number = DEFAULT_SECRET_BYTES): Buffer {
  if (!Number.isSafeInteger(bytes) || bytes < MIN_GENERATED_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new TotpInputError('secret', `A new secret must be ${MIN_GENERATED_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes.`);
  }
  return randomBytes(bytes);
}

/** Writes a key as text: Base32 without padding, or standard Base64 with padding (as WSO2 does). */
export function encodeSecret(key: Uint8Array, encoding: SecretEncoding): string {
  checkKey(key);
  switch (encoding) {
    case 'Base32':
      return base32Encode(key);
    case 'Base64':
      return base64Encode(key);
    default:
      throw new TotpInputError('params', 'Secret encoding must be Base32 or Base64.');
  }
}

/**
 * Reads a stored or typed secret back into key bytes.
 * @throws {TotpInputError} reason `base32`/`base64` for bad text, `secret` for a key under 10 bytes.
 */
export function decodeSecret(text: string, encoding: SecretEncoding): Buffer {
  let key: Buffer;
  switch (encoding) {
    case 'Base32':
      key = base32Decode(text);
      break;
    case 'Base64':
      key = base64Decode(text);
      break;
    default:
      throw new TotpInputError('params', 'Secret encoding must be Base32 or Base64.');
  }
  checkKey(key);
  return key;
}

/**
 * Refuses keys that are not bytes or are too short to be secret; an empty key would make every
 * user's codes public.
 * @throws {TotpInputError} reason `secret`.
 */
export function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array)) throw new TotpInputError('secret', 'A TOTP key must be bytes (Uint8Array).');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new TotpInputError('secret', `A TOTP key must be ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes.`);
  }
}
