// CSRF tokens of the server's own forms (console, My Account): an HMAC of the SSO session id under a key the
// keyring derives for the purpose, so a token works only for the session it was issued to and only in the
// front that issued it. Checked in constant time (timingSafeEqual), in this one place.
import { timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.ts';

export type CsrfPurpose = 'console' | 'myaccount';

export function csrfToken(keyring: Keyring, purpose: CsrfPurpose, sessionId: string): string {
  return keyring.mac(`${purpose}-csrf`, sessionId);
}

/** Whether `given` (a form field: anything, or nothing) is the token of this session. */
export function isValidCsrf(keyring: Keyring, purpose: CsrfPurpose, sessionId: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(csrfToken(keyring, purpose, sessionId));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
