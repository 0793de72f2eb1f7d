// RFC 4648 section 4 Base64 (standard alphabet), used for WSO2 compatibility: secrets stored with
// `encodingMethod = Base64` and the `qrCodeUrl` payload. Buffer.from(text, 'base64') silently skips
// bad characters, which would turn a corrupted secret into a different key, so input is checked first.
import { TotpInputError, type TotpErrorReason } from './errors.ts';

const WHITESPACE = /[ \t\r\n]+/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Encodes bytes as standard Base64 with padding, as Java's Commons Codec does. */
export function base64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Decodes standard Base64, ignoring whitespace; padding is optional.
 * @throws {TotpInputError} with `reason` when a character is outside the alphabet or the length is impossible.
 */
export function base64Decode(text: string, reason: TotpErrorReason = 'base64'): Buffer {
  const clean = text.replace(WHITESPACE, '');
  if (!BASE64.test(clean)) {
    throw new TotpInputError(reason, 'Not Base64: only A-Z, a-z, 0-9, "+", "/" and final "=" are allowed.');
  }
  const data = clean.replace(/=+$/, '');
  const padded = data.length !== clean.length;
  if (data.length % 4 === 1 || (padded && clean.length % 4 !== 0)) {
    throw new TotpInputError(reason, 'Not Base64: the length is not a whole number of bytes.');
  }
  return Buffer.from(data, 'base64');
}
