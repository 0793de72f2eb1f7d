// HMAC over an 8-byte counter, with the key's pads prepared once, for the verification hot path.
//
// RFC 2104 section 2: HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)). node:crypto cannot resume a
// hash from a saved state cheaply (Hash.copy() allocates an object and measured slower), but the
// one-shot `crypto.hash` over preallocated `K^ipad || counter` and `K^opad || inner` buffers
// measured 10-20% faster than `createHmac` with either a Buffer or a KeyObject key: two native calls
// and no Hmac object per step. `hotp()` keeps using createHmac as the plain reference, and the tests
// check both paths agree for keys of every length.
import { createHash, hash } from 'node:crypto';
import type { TotpAlgorithm } from './params.ts';

interface HashSpec {
  readonly node: string;
  readonly block: number; // B in RFC 2104
  readonly size: number; // L in RFC 2104
}

export const HASHES: Readonly<Record<TotpAlgorithm, HashSpec>> = {
  SHA1: { node: 'sha1', block: 64, size: 20 },
  SHA256: { node: 'sha256', block: 64, size: 32 },
  SHA512: { node: 'sha512', block: 128, size: 64 },
};

const IPAD = 0x36;
const OPAD = 0x5c;
const TWO_32 = 0x1_0000_0000;

/** HMAC of an 8-byte big-endian counter under one key. Synchronous, so safe to share within a thread. */
export class CounterHmac {
  readonly #hash: string;
  readonly #block: number;
  readonly #inner: Buffer; // (K ^ ipad) || counter
  readonly #outer: Buffer; // (K ^ opad) || H(inner)

  constructor(algorithm: TotpAlgorithm, key?: Uint8Array) {
    const { node, block, size } = HASHES[algorithm];
    this.#hash = node;
    this.#block = block;
    this.#inner = Buffer.alloc(block + 8);
    this.#outer = Buffer.alloc(block + size);
    if (key !== undefined) this.setKey(key);
  }

  /** Prepares the pads for `key`; returns this. */
  setKey(key: Uint8Array): this {
    const block = this.#block;
    // RFC 2104 section 2: a key longer than B is replaced by H(K); a shorter one is zero-padded.
    const k = key.length > block ? createHash(this.#hash).update(key).digest() : key;
    const inner = this.#inner;
    const outer = this.#outer;
    for (let i = 0; i < block; i++) {
      const b = i < k.length ? k[i]! : 0;
      inner[i] = b ^ IPAD;
      outer[i] = b ^ OPAD;
    }
    return this;
  }

  /** Overwrites the key material held in the pads. */
  clear(): void {
    this.#inner.fill(0);
    this.#outer.fill(0);
  }

  /** HMAC(K, counter) with the counter as 8 big-endian bytes (RFC 4226 section 5.2). */
  digest(counter: number): Buffer {
    const inner = this.#inner;
    const at = this.#block;
    inner.writeUInt32BE(Math.floor(counter / TWO_32), at);
    inner.writeUInt32BE(counter >>> 0, at + 4);
    this.#outer.set(hash(this.#hash, inner, 'buffer'), at);
    return hash(this.#hash, this.#outer, 'buffer');
  }
}
