// Password hashes found in existing users tables, verified in constant time. The format is told by the
// stored value itself, so one table may mix them (e.g. old WSO2 rows beside newer bcrypt ones):
//   $argon2id$...                      our own (PHC), through PasswordHasher
//   $2a$ / $2b$ / $2y$                 bcrypt (bcrypt.ts)
//   $pbkdf2-sha256$rounds$salt$hash    PBKDF2-HMAC-SHA256 in passlib's form (salt and hash in "adapted base64":
//                                      '.' for '+', no padding; the hash is 32 bytes)
//   anything else                      WSO2's JDBC store: base64(SHA-256(UTF-8(password + saltText))), the salt
//                                      text in its own column ('' or absent when unsalted), as JDBCUserStoreManager's
//                                      preparePassword writes it with PasswordDigest = SHA-256
import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { PasswordHasher } from '../password-hash.ts';
import { bcryptVerify, isBcryptHash } from './bcrypt.ts';

const pbkdf2Async = promisify(pbkdf2);
const PBKDF2 = /^\$pbkdf2-sha256\$(\d{1,7})\$([A-Za-z0-9./]*)\$([A-Za-z0-9./]{43})$/;
/** Upper bound on PBKDF2 rounds we will spend on one attempt (passlib's default is 29000). */
const MAX_PBKDF2_ROUNDS = 2_000_000;

export type HashFormat = 'argon2' | 'bcrypt' | 'pbkdf2-sha256' | 'wso2-sha256';

export function hashFormat(stored: string): HashFormat {
  if (stored.startsWith('$argon2')) return 'argon2';
  if (isBcryptHash(stored)) return 'bcrypt';
  if (stored.startsWith('$pbkdf2-sha256$')) return 'pbkdf2-sha256';
  return 'wso2-sha256';
}

function ab64decode(text: string): Buffer {
  return Buffer.from(text.replace(/\./g, '+'), 'base64');
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

async function verifyPbkdf2(stored: string, password: string): Promise<boolean> {
  const m = PBKDF2.exec(stored);
  if (!m) return false;
  const rounds = Number(m[1]);
  if (rounds < 1 || rounds > MAX_PBKDF2_ROUNDS) return false;
  const expected = ab64decode(m[3]!);
  const actual = await pbkdf2Async(Buffer.from(password, 'utf8'), ab64decode(m[2]!), rounds, expected.length, 'sha256');
  return sameBytes(actual, expected);
}

function verifyWso2Sha256(stored: string, salt: string, password: string): boolean {
  const actual = createHash('sha256').update(password + salt, 'utf8').digest();
  // Compare the decoded bytes when the stored text is base64 of 32 bytes, else fail in the same time.
  const expected = /^[A-Za-z0-9+/]{43}=$/.test(stored) ? Buffer.from(stored, 'base64') : Buffer.alloc(32, 0xff);
  return sameBytes(actual, expected) && expected.length === 32 && stored.length === 44;
}

/** False for a wrong password, an unknown or damaged hash; never throws for bad input. */
export async function verifyStoredPassword(hasher: PasswordHasher, stored: string, salt: string | null, password: string): Promise<boolean> {
  try {
    switch (hashFormat(stored)) {
      case 'argon2':
        return await hasher.verify(stored, password);
      case 'bcrypt':
        return await bcryptVerify(stored, password);
      case 'pbkdf2-sha256':
        return await verifyPbkdf2(stored, password);
      case 'wso2-sha256':
        return verifyWso2Sha256(stored, salt ?? '', password);
    }
  } catch {
    return false;
  }
}

/** PBKDF2 in passlib's form, for tests and for operators preparing data. */
export async function pbkdf2Sha256(password: string, salt: Buffer, rounds: number): Promise<string> {
  const ab64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
  const hash = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, rounds, 32, 'sha256');
  return `$pbkdf2-sha256$${rounds}$${ab64(salt)}$${ab64(hash)}`;
}
