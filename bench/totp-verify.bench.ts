// TOTP verification throughput for a wrong code at windowSize 3: the worst case, every one of the
// three steps needs an HMAC-SHA1. Compared with otpauth and otplib (what other Node servers use) and
// with a bare node:crypto loop doing the same three HMACs, truncation and comparison.
//   node --import tsx bench/totp-verify.bench.ts   [BENCH_ROUNDS=15 BENCH_MS=200]
import { createHash, createHmac, createSecretKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as OTPAuth from 'otpauth';
import { verifySync } from 'otplib';
import { createTotpVerifier, hotp, timeStep, verifyTotp } from '../src/totp/index.ts';
import { compare, formatRatio, printTable, ratio, type Measurement } from './lib/measure.ts';

const version = (pkg: string): string =>
  (JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;

const key = createHash('sha1').update('portcullis bench key').digest(); // 20 bytes, fixed
const nowMs = Date.UTC(2030, 0, 1, 12, 0, 10);
const step = timeStep(nowMs, 30);
const valid = new Set([step - 1, step, step + 1].map((c) => hotp(key, c)));
let n = 0;
while (valid.has(String(n).padStart(6, '0'))) n++;
const wrong = String(n).padStart(6, '0');
const right = hotp(key, step);

// Ours: the prepared verifier (what a login flow keeps per key), and the one-shot function.
const verifier = createTotpVerifier(key, { windowSize: 3 });

// otpauth: node:crypto createHmac with a Buffer key; window 1 = steps -1..+1.
const otpauth = new OTPAuth.TOTP({ secret: new OTPAuth.Secret({ buffer: new Uint8Array(key).buffer }), period: 30 });

// otplib v13 functional API; epoch in seconds; ±30 s tolerance = steps -1..+1; default (noble, pure JS) crypto.
const epoch = Math.floor(nowMs / 1000);
const otplibVerify = (token: string) => verifySync({ secret: new Uint8Array(key), token, epoch, epochTolerance: 30 });

// The practical floor: three createHmac calls with the key as a KeyObject, a reused counter buffer,
// RFC 4226 truncation and a branch-free integer comparison. No input checks, no result object.
const keyObject = createSecretKey(key);
const counter = Buffer.alloc(8);
function bareLoop(token: string): boolean {
  const want = Number(token);
  let diff = 1;
  for (let c = step - 1; c <= step + 1; c++) {
    counter.writeUInt32BE(Math.floor(c / 0x1_0000_0000), 0);
    counter.writeUInt32BE(c >>> 0, 4);
    const mac = createHmac('sha1', keyObject).update(counter).digest();
    const o = mac[19]! & 0x0f;
    const v = (((mac[o]! & 0x7f) << 24) | (mac[o + 1]! << 16) | (mac[o + 2]! << 8) | mac[o + 3]!) % 1_000_000;
    diff &= (v ^ want) === 0 ? 0 : 1;
  }
  return diff === 0;
}

// The contenders must agree before their speed means anything.
const check = (name: string, ok: boolean) => {
  if (!ok) throw new Error(`${name} does not verify like the others`);
};
check('portcullis', verifier.verify(right, nowMs).valid && !verifier.verify(wrong, nowMs).valid);
check('verifyTotp', verifyTotp(key, right, nowMs).valid && !verifyTotp(key, wrong, nowMs).valid);
check('otpauth', otpauth.validate({ token: right, timestamp: nowMs, window: 1 }) === 0 && otpauth.validate({ token: wrong, timestamp: nowMs, window: 1 }) === null);
check('otplib', otplibVerify(right).valid && !otplibVerify(wrong).valid);
check('bare loop', bareLoop(right) && !bareLoop(wrong));

const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
const ms = Number(process.env.BENCH_MS ?? 200);
const names = {
  bare: 'bare node:crypto loop (createHmac, KeyObject)',
  ours: 'portcullis createTotpVerifier().verify',
  oneShot: 'portcullis verifyTotp (one-shot)',
  otpauth: `otpauth ${version('otpauth')} TOTP.validate`,
  otplib: `otplib ${version('otplib')} verifySync`,
};
const results = compare(
  {
    [names.bare]: () => bareLoop(wrong),
    [names.ours]: () => verifier.verify(wrong, nowMs),
    [names.oneShot]: () => verifyTotp(key, wrong, nowMs),
    [names.otpauth]: () => otpauth.validate({ token: wrong, timestamp: nowMs, window: 1 }),
    [names.otplib]: () => otplibVerify(wrong),
  },
  { rounds, ms },
);
const [bare, ours, , otpauthResult] = results as [Measurement, Measurement, Measurement, Measurement, ...Measurement[]];
const perRound = (m: Measurement) => m.rounds.map((ops, r) => ops / bare.rounds[r]!);

console.log('TOTP verify of a wrong code, windowSize 3 (3 x HMAC-SHA1, 6 digits, 20-byte key)');
console.log(`Node ${process.version}, ${rounds} interleaved rounds x ${ms} ms per case; median ops/s, median of per-round ratios\n`);
printTable(
  ['engine', 'verifications/s', 'vs bare loop', 'rounds min..max'],
  results.map((m) => [
    m.name,
    m.opsPerSec,
    formatRatio(ratio(m, bare)),
    `${formatRatio(Math.min(...perRound(m)))}..${formatRatio(Math.max(...perRound(m)))}`,
  ]),
);
console.log(`\nportcullis / otpauth: ${formatRatio(ratio(ours, otpauthResult))}`);
console.log(`portcullis / bare loop: ${formatRatio(ratio(ours, bare))}`);
