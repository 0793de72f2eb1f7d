// RFC 4648 section 6 Base32, the text form of TOTP secrets in otpauth URIs and WSO2's default
// `encodingMethod`. Written without padding (Google Authenticator Key URI format: "The padding
// specified in RFC 3548 section 2.2 is not required and should be omitted"); read leniently because
// people type secrets by hand: any case, spaces and trailing `=` are accepted.
import { TotpInputError } from './errors.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// char code -> 5-bit value, -1 for "not Base32", -2 for ignorable whitespace.
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < 32; i++) {
  DECODE[ALPHABET.charCodeAt(i)] = i;
  DECODE[ALPHABET.toLowerCase().charCodeAt(i)] = i;
}
for (const ws of ' \t\r\n') DECODE[ws.charCodeAt(0)] = -2;
const PAD = 0x3d; // '='

/** Encodes bytes as upper-case RFC 4648 Base32 without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc = ((acc << 8) | bytes[i]!) & 0xfff; // at most 4 leftover bits + 8 new ones matter
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes RFC 4648 Base32: case-insensitive, ignores spaces, tabs and line breaks, accepts
 * trailing `=` padding.
 * @throws {TotpInputError} reason `base32` on any other character, `=` before the end, or a length
 * no Base32 encoder can produce (1, 3 or 6 characters in the last group of 8).
 */
export function base32Decode(text: string): Buffer {
  const out = Buffer.allocUnsafe(Math.floor((text.length * 5) / 8));
  let n = 0; // data characters seen
  let len = 0; // bytes written
  let acc = 0;
  let bits = 0;
  let padded = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? DECODE[c]! : -1;
    if (v === -2) continue;
    if (c === PAD) {
      padded = true;
      continue;
    }
    if (v < 0) throw new TotpInputError('base32', `Not Base32: character ${i + 1} is not A-Z or 2-7.`);
    if (padded) throw new TotpInputError('base32', 'Not Base32: "=" padding may only appear at the end.');
    acc = ((acc << 5) | v) & 0xfff; // at most 7 leftover bits + 5 new ones matter
    bits += 5;
    n++;
    if (bits >= 8) {
      bits -= 8;
      out[len++] = (acc >>> bits) & 0xff;
    }
  }
  // RFC 4648 section 6: a final quantum has 2, 4, 5 or 7 characters, never 1, 3 or 6.
  const rest = n % 8;
  if (rest === 1 || rest === 3 || rest === 6) {
    throw new TotpInputError('base32', 'Not Base32: the length is not a whole number of bytes.');
  }
  return out.subarray(0, len);
}
