// bcrypt verification ($2a$, $2b$, $2y$), for users tables that came from other systems. No bcrypt package is
// installed, so this follows the reference algorithm (Provos and Mazieres; the structure of jBCrypt) and is
// tested against vectors produced by the system's libxcrypt. Blowfish's initial P-array and S-boxes are the
// hexadecimal digits of pi, computed once here (Machin's formula in BigInt) instead of pasted as 1042 constants.
// Verification only: we never write bcrypt, since a verified legacy hash is upgraded to argon2id.
// It runs synchronously (a few ms at cost 6, ~100 ms at cost 10), so the cost is capped.
import { timingSafeEqual } from 'node:crypto';

const BCRYPT = /^\$2[aby]\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;
const MAX_COST = 14;
const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// "OrpheanBeholderScryDoubt" as big-endian words.
const MAGIC = [0x4f727068, 0x65616e42, 0x65686f6c, 0x64657253, 0x63727944, 0x6f756274];

export function isBcryptHash(stored: string): boolean {
  return /^\$2[aby]\$/.test(stored);
}

/** The first `count` 32-bit words of pi's fractional part: P-array (18) then the four S-boxes (4 x 256). */
function piWords(count: number): Uint32Array {
  const bits = BigInt(count * 32 + 64);
  const one = 1n << bits;
  const arctanInverse = (x: bigint): bigint => {
    let sum = 0n;
    let power = one / x;
    const xx = x * x;
    for (let k = 1n, sign = 1n; power !== 0n; k += 2n, sign = -sign) {
      sum += (sign * power) / k;
      power /= xx;
    }
    return sum;
  };
  const fraction = (16n * arctanInverse(5n) - 4n * arctanInverse(239n)) - 3n * one;
  const top = fraction >> 64n; // count * 32 bits
  const words = new Uint32Array(count);
  for (let i = 0; i < count; i++) words[i] = Number((top >> BigInt((count - 1 - i) * 32)) & 0xffffffffn);
  return words;
}

let initial: Uint32Array | undefined;

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;

  constructor() {
    initial ??= piWords(18 + 1024);
    this.p = initial.slice(0, 18);
    this.s = initial.slice(18);
  }

  encipher(lr: Uint32Array, off: number): void {
    const { p, s } = this;
    let l = lr[off]!;
    let r = lr[off + 1]!;
    l ^= p[0]!;
    for (let i = 0; i <= 14; ) {
      let n = (s[l >>> 24]! + s[0x100 | ((l >>> 16) & 0xff)]!) >>> 0;
      n = ((n ^ s[0x200 | ((l >>> 8) & 0xff)]!) + s[0x300 | (l & 0xff)]!) >>> 0;
      r ^= n ^ p[++i]!;
      n = (s[r >>> 24]! + s[0x100 | ((r >>> 16) & 0xff)]!) >>> 0;
      n = ((n ^ s[0x200 | ((r >>> 8) & 0xff)]!) + s[0x300 | (r & 0xff)]!) >>> 0;
      l ^= n ^ p[++i]!;
    }
    lr[off] = (r ^ p[17]!) >>> 0;
    lr[off + 1] = l >>> 0;
  }

  /** Expensive key schedule: with `data` (the salt) mixed in when given. */
  expand(key: Uint8Array, data?: Uint8Array): void {
    const stream = (bytes: Uint8Array, state: { off: number }) => {
      let word = 0;
      for (let i = 0; i < 4; i++) {
        word = (word << 8) | bytes[state.off]!;
        state.off = (state.off + 1) % bytes.length;
      }
      return word >>> 0;
    };
    const k = { off: 0 };
    const d = { off: 0 };
    const lr = new Uint32Array(2);
    for (let i = 0; i < 18; i++) this.p[i] = (this.p[i]! ^ stream(key, k)) >>> 0;
    const fill = (target: Uint32Array) => {
      for (let i = 0; i < target.length; i += 2) {
        if (data) {
          lr[0] = lr[0]! ^ stream(data, d);
          lr[1] = lr[1]! ^ stream(data, d);
        }
        this.encipher(lr, 0);
        target[i] = lr[0]!;
        target[i + 1] = lr[1]!;
      }
    };
    fill(this.p);
    fill(this.s);
  }
}

function decode(text: string, length: number): Uint8Array {
  const v = [...text].map((c) => ALPHABET.indexOf(c));
  const out: number[] = [];
  for (let i = 0; out.length < length && i + 1 < v.length; i += 4) {
    const [c1, c2, c3, c4] = [v[i]!, v[i + 1]!, v[i + 2], v[i + 3]];
    out.push(((c1 << 2) | ((c2 & 0x30) >> 4)) & 0xff);
    if (out.length >= length || c3 === undefined) break;
    out.push((((c2 & 0x0f) << 4) | ((c3 & 0x3c) >> 2)) & 0xff);
    if (out.length >= length || c4 === undefined) break;
    out.push((((c3 & 0x03) << 6) | c4) & 0xff);
  }
  return Uint8Array.from(out);
}

function encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const c1 = bytes[i++]!;
    out += ALPHABET[(c1 >> 2) & 0x3f];
    if (i >= bytes.length) return out + ALPHABET[(c1 & 0x03) << 4];
    const c2 = bytes[i++]!;
    out += ALPHABET[((c1 & 0x03) << 4) | ((c2 >> 4) & 0x0f)];
    if (i >= bytes.length) return out + ALPHABET[(c2 & 0x0f) << 2];
    const c3 = bytes[i++]!;
    out += ALPHABET[((c2 & 0x0f) << 2) | ((c3 >> 6) & 0x03)];
    out += ALPHABET[c3 & 0x3f];
  }
  return out;
}

/** The 23 bytes bcrypt keeps of its 24-byte output, for this password, salt and cost. */
function rawHash(password: string, salt: Uint8Array, cost: number): Uint8Array {
  const key = Buffer.concat([Buffer.from(password, 'utf8'), Buffer.from([0])]);
  const cipher = new Blowfish();
  cipher.expand(key, salt);
  for (let i = 0; i < 2 ** cost; i++) {
    cipher.expand(key);
    cipher.expand(salt);
  }
  const data = Uint32Array.from(MAGIC);
  for (let i = 0; i < 64; i++) for (let j = 0; j < 6; j += 2) cipher.encipher(data, j);
  const out = new Uint8Array(24);
  data.forEach((w, i) => new DataView(out.buffer).setUint32(i * 4, w));
  return out.subarray(0, 23);
}

/** True when `password` matches the bcrypt hash; false for a wrong password, a damaged hash or a cost above 14. */
export function bcryptVerify(stored: string, password: string): boolean {
  const m = BCRYPT.exec(stored);
  if (!m) return false;
  const cost = Number(m[1]);
  if (cost < 4 || cost > MAX_COST) return false;
  const actual = rawHash(password, decode(m[2]!, 16), cost);
  const expected = decode(m[3]!, 23);
  return expected.length === 23 && timingSafeEqual(actual, expected);
}

/** A bcrypt hash ($2b$), for tests only: production never writes bcrypt. */
export function bcryptHashForTest(password: string, salt: Uint8Array, cost: number): string {
  return `$2b$${String(cost).padStart(2, '0')}$${encode(salt).slice(0, 22)}${encode(rawHash(password, salt, cost))}`;
}
