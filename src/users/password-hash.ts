// Password hashes are self-describing PHC strings ($argon2id$v=19$m=...,t=...,p=...$salt$hash), so the
// format prefix tells verify() which algorithm to use; other formats can be added beside argon2id without a
// data migration. Parameters default to OWASP's argon2id recommendation (m=19456 KiB, t=2, p=1).
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { isWso2Hash, verifyWso2Hash } from './wso2-password-hash.ts';

// Algorithm is an ambient const enum, which verbatimModuleSyntax cannot read; 2 is its Argon2id member.
const ARGON2ID = 2 as Algorithm;

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const OWASP_ARGON2ID: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export class PasswordHasher {
  constructor(private readonly params: Argon2Params = OWASP_ARGON2ID) {}

  hash(password: string): Promise<string> {
    return hash(password, { algorithm: ARGON2ID, ...this.params });
  }

  /** False for a wrong password, an unknown format or a damaged hash; never throws for bad input. */
  async verify(stored: string, password: string): Promise<boolean> {
    // Hashes imported from WSO2 (import/wso2/) verify until the first login replaces them (needsRehash). A salted
    // SHA-256 is far quicker than argon2id, so one argon2id verification is spent as well: the answer's timing
    // does not tell which accounts still hold an imported hash.
    if (isWso2Hash(stored)) {
      const ok = await verifyWso2Hash(stored, password);
      await verify(await dummyHashFor(this), password).catch(() => false);
      return ok;
    }
    if (!stored.startsWith('$argon2')) return false;
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  }

  /** True when a stored hash uses weaker parameters than configured, so it is replaced at the next login. */
  needsRehash(stored: string): boolean {
    const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
    if (!m) return true;
    return Number(m[1]) < this.params.memoryCost || Number(m[2]) < this.params.timeCost || Number(m[3]) < this.params.parallelism;
  }
}

/**
 * A hash of a random password, verified when the user does not exist, so that "no such user" and
 * "wrong password" take the same time and cannot be told apart.
 */
let dummyHash: Promise<string> | undefined;
export function dummyHashFor(hasher: PasswordHasher): Promise<string> {
  dummyHash ??= hasher.hash(`dummy-${Math.random()}`);
  return dummyHash;
}
