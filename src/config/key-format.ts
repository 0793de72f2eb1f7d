// Encryption keys are 32 bytes (AES-256-GCM) written as 64 hex characters or as base64 (standard or
// URL-safe, padding optional). Shared by config validation and whoever builds the cipher.

const HEX = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{43}=?|[A-Za-z0-9_-]{43}=?)$/;

export const KEY_FORMAT = '32 bytes written as 64 hex characters or as base64';

/** The key bytes, or undefined when `text` is not a 32-byte key in one of the accepted forms. */
export function decodeEncryptionKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (HEX.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (!BASE64.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

/** For `check` options: what was expected, or undefined when the key is fine. */
export function checkEncryptionKey(text: string): string | undefined {
  return decodeEncryptionKey(text) === undefined ? KEY_FORMAT : undefined;
}
