// Encryption of secrets at rest (TOTP secrets, pending secrets): AES-256-GCM under a key id, so keys can be
// rotated. The newest key encrypts; every key in the ring still decrypts. Each ciphertext is bound to where
// it is stored (associated data such as user id and claim URI), so a value copied to another user's row
// does not decrypt there.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error.ts';

const VERSION = 'v1';
const IV_BYTES = 12; // NIST SP 800-38D section 8.2: 96-bit IVs from a CSPRNG
const TAG_BYTES = 16;

export interface KeyEntry {
  id: string;
  key: Buffer;
}

/** A short, stable id for a key: a truncated SHA-256 of it, so the id can be stored beside ciphertext. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('portcullis-key-id:').update(key).digest('hex').slice(0, 16);
}

export class Keyring {
  private readonly keys = new Map<string, Buffer>();
  readonly currentId: string;

  /** `keys[0]` is the key that encrypts; the others only decrypt. */
  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new Error('a keyring needs at least one key');
    for (const key of keys) {
      if (key.length !== 32) throw new Error('encryption keys must be 32 bytes (AES-256)');
      const id = keyId(key);
      if (!this.keys.has(id)) this.keys.set(id, key);
    }
    this.currentId = keyId(keys[0]!);
  }

  get ids(): string[] {
    return [...this.keys.keys()];
  }

  encrypt(plaintext: string | Buffer, associatedData: string): string {
    const key = this.keys.get(this.currentId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}:${this.currentId}:${Buffer.concat([iv, body]).toString('base64')}`;
  }

  /** Throws AppError SEC-50001 when the value was tampered with, bound elsewhere, or its key is unknown. */
  decrypt(value: string, associatedData: string): Buffer {
    const [version, id, payload, extra] = value.split(':');
    const key = id === undefined ? undefined : this.keys.get(id);
    if (version !== VERSION || !key || payload === undefined || extra !== undefined) throw new AppError('SEC-50001');
    const raw = Buffer.from(payload, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new AppError('SEC-50001');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
    } catch (cause) {
      throw new AppError('SEC-50001', { cause });
    }
  }

  decryptString(value: string, associatedData: string): string {
    return this.decrypt(value, associatedData).toString('utf8');
  }

  /**
   * A keyed hash for short-lived values that must be compared but not stored readably (email codes).
   * The MAC key is derived from the current key with HKDF (RFC 5869), per purpose.
   */
  mac(purpose: string, data: string): string {
    return createHmac('sha256', this.macKey(purpose)).update(data).digest('base64url');
  }

  // Derived once per purpose (the purposes are a few names fixed in code; the current key never changes in
  // a ring's life): HKDF on every call was a visible share of a login's CPU (docs/performance.md).
  private readonly macKeys = new Map<string, Buffer>();

  private macKey(purpose: string): Buffer {
    let key = this.macKeys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.keys.get(this.currentId)!, Buffer.alloc(0), `portcullis-mac:${purpose}`, 32));
      this.macKeys.set(purpose, key);
    }
    return key;
  }

  /** True when the value was encrypted under an older key and should be re-encrypted when next written. */
  isStale(value: string): boolean {
    return value.split(':')[1] !== this.currentId;
  }
}
