// Password hashes carried over from a WSO2 JDBC user store (UM_USER.UM_USER_PASSWORD with UM_SALT_VALUE), kept as
// self-describing strings in our users table so PasswordHasher can verify them until the first successful login
// replaces them with argon2id (needsRehash is true for anything but argon2id). The formats, per WSO2's
// JDBCUserStoreManager.preparePassword / PasswordHashProcessor and the PBKDF2 hash provider
// (shared/reference/wso2-dropin/crypto-formats.md section 5):
//   $wso2-digest$<ALG>$<saltText as base64url>$<base64 digest>
//       base64(ALG(UTF-8(password + saltText))); the salt *text* is appended, never decoded
//   $wso2-pbkdf2$<prf>$<iterations>$<key bytes>$<saltText as base64url>$<base64 key>
//       PBKDF2-HMAC-<prf>(UTF-8(password), UTF-8(saltText), iterations, key bytes)
// The salt text is wrapped in base64url so any text WSO2 stored fits between the '$' separators.
import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/** JCA MessageDigest names WSO2 accepts as PasswordDigest, and node's names for them. */
const DIGESTS: Record<string, string> = { 'SHA-256': 'sha256', 'SHA-1': 'sha1', SHA: 'sha1', 'SHA-384': 'sha384', 'SHA-512': 'sha512', MD5: 'md5' };
/** PBKDF2WithHmacSHA256 and its siblings (the provider's pbkdf2.prf property). */
const PRFS: Record<string, string> = { PBKDF2WithHmacSHA1: 'sha1', PBKDF2WithHmacSHA256: 'sha256', PBKDF2WithHmacSHA512: 'sha512' };
/** More rounds than this are refused: one login attempt must not cost the server seconds. */
const MAX_ROUNDS = 2_000_000;
const MAX_KEY_BYTES = 128;

export const WSO2_HASH_PREFIX = '$wso2-';

export function isWso2Hash(stored: string): boolean {
  return stored.startsWith(WSO2_HASH_PREFIX);
}

export function isSupportedDigest(name: string): boolean {
  return Object.hasOwn(DIGESTS, name);
}

export function isSupportedPrf(name: string): boolean {
  return Object.hasOwn(PRFS, name);
}

const wrap = (salt: string) => Buffer.from(salt, 'utf8').toString('base64url');

export function wso2DigestHash(digest: string, saltText: string, stored: string): string {
  if (!isSupportedDigest(digest)) throw new Error(`unsupported digest ${digest}`);
  return `$wso2-digest$${digest}$${wrap(saltText)}$${stored}`;
}

export function wso2Pbkdf2Hash(prf: string, iterations: number, keyBytes: number, saltText: string, stored: string): string {
  if (!isSupportedPrf(prf)) throw new Error(`unsupported PBKDF2 function ${prf}`);
  return `$wso2-pbkdf2$${prf}$${iterations}$${keyBytes}$${wrap(saltText)}$${stored}`;
}

function same(actual: Buffer, storedBase64: string): boolean {
  const expected = Buffer.from(storedBase64, 'base64');
  // A damaged value still spends the comparison, against bytes that cannot match.
  const padded = expected.length === actual.length ? expected : Buffer.alloc(actual.length, 0xff);
  return timingSafeEqual(actual, padded) && expected.length === actual.length;
}

/** False for a wrong password and for a damaged or unknown value; never throws. */
export async function verifyWso2Hash(stored: string, password: string): Promise<boolean> {
  try {
    const parts = stored.split('$');
    if (parts[1] === 'wso2-digest' && parts.length === 5) {
      const algorithm = DIGESTS[parts[2]!];
      if (!algorithm) return false;
      const salt = Buffer.from(parts[3]!, 'base64url').toString('utf8');
      return same(createHash(algorithm).update(password + salt, 'utf8').digest(), parts[4]!);
    }
    if (parts[1] === 'wso2-pbkdf2' && parts.length === 7) {
      const prf = PRFS[parts[2]!];
      const rounds = Number(parts[3]);
      const keyBytes = Number(parts[4]);
      if (!prf || !Number.isSafeInteger(rounds) || rounds < 1 || rounds > MAX_ROUNDS) return false;
      if (!Number.isSafeInteger(keyBytes) || keyBytes < 1 || keyBytes > MAX_KEY_BYTES) return false;
      const salt = Buffer.from(parts[5]!, 'base64url');
      return same(await pbkdf2Async(Buffer.from(password, 'utf8'), salt, rounds, keyBytes, prf), parts[6]!);
    }
    return false;
  } catch {
    return false;
  }
}
