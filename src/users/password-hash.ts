// Password hashes are self-describing PHC strings ($argon2id$v=19$m=...,t=...,p=...$salt$hash), so the
// format prefix tells verify() which algorithm to use; other formats can be added beside argon2id without a
// data migration. Parameters default to OWASP's argon2id recommendation (m=19456 KiB, t=2, p=1).
import { availableParallelism } from 'node:os';
import type * as Argon2 from '@node-rs/argon2';
import { requireNow } from '../cache/lazy-module.ts';
import { isWso2Hash, verifyWso2Hash } from './wso2-password-hash.ts';

// Required, not imported: cache/lazy-module.ts says why.
const { hash, verify } = requireNow<typeof Argon2>('@node-rs/argon2');

// Algorithm is an ambient const enum, which verbatimModuleSyntax cannot read; 2 is its Argon2id member.
const ARGON2ID = 2 as Argon2.Algorithm;

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const OWASP_ARGON2ID: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * At most `size` argon2 calls at once (hashesAtOnce below: the CPUs, and no more than the pool's threads); the rest
 * wait their turn here. Each hash is CPU- and memory-bound (19 MiB), and runs on libuv's pool (4 threads by
 * default, also used for files and DNS): more hashes at once than cores only makes each cost more CPU, the cores'
 * caches and memory bandwidth shared among them (measured on 2 cores: about 1 ms more CPU per login with 4 at
 * once; docs/performance.md, "Sixth pass"). The waiting happens before the pool, so a burst of logins also leaves
 * pool threads for file and DNS work.
 */
export class HashSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next caller, so the count never drops and rises again in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * Hashes at once: no more than the CPUs, nor than libuv's pool has threads (UV_THREADPOOL_SIZE, which src/start.cjs
 * sets from the CPUs this process may use, a container's CPU quota counted; libuv's default is 4). More than the
 * pool's threads would queue in libuv, ahead of file and DNS work.
 */
export function hashesAtOnce(cpus: number, poolSize: string | undefined): number {
  const threads = Number(poolSize) >= 1 ? Math.floor(Number(poolSize)) : 4;
  return Math.max(1, Math.min(cpus, threads));
}

const slots = new HashSlots(hashesAtOnce(availableParallelism(), process.env.UV_THREADPOOL_SIZE));

export class PasswordHasher {
  constructor(private readonly params: Argon2Params = OWASP_ARGON2ID) {}

  hash(password: string): Promise<string> {
    return slots.run(() => hash(password, { algorithm: ARGON2ID, ...this.params }));
  }

  /** False for a wrong password, an unknown format or a damaged hash; never throws for bad input. */
  async verify(stored: string, password: string): Promise<boolean> {
    // Hashes imported from WSO2 (import/wso2/) verify until the first login replaces them (needsRehash). A salted
    // SHA-256 is far quicker than argon2id, so one argon2id verification is spent as well: the answer's timing
    // does not tell which accounts still hold an imported hash.
    if (isWso2Hash(stored)) {
      const ok = await verifyWso2Hash(stored, password);
      const dummy = await dummyHashFor(this);
      await slots.run(() => verify(dummy, password)).catch(() => false);
      return ok;
    }
    if (!stored.startsWith('$argon2')) return false;
    try {
      return await slots.run(() => verify(stored, password));
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
