import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { TotpInputError } from './errors.ts';
import { CounterHmac, HASHES } from './hmac.ts';
import { hotp, truncate } from './hotp.ts';
import { TOTP_ALGORITHMS, type TotpDigits } from './params.ts';

const RFC_KEY = Buffer.from('12345678901234567890');

// RFC 4226 Appendix D: HOTP values for counters 0..9 under the ASCII key "12345678901234567890".
const APPENDIX_D = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
// ... and the intermediate truncated values (Dec column), which give the 8-digit form.
const APPENDIX_D_TRUNCATED = [
  1284755224, 1094287082, 137359152, 1726969429, 1640338314, 868254676, 1918287922, 82162583, 673399871, 645520489,
];

test('hotp matches every RFC 4226 Appendix D value (counters 0..9)', () => {
  APPENDIX_D.forEach((code, counter) => assert.equal(hotp(RFC_KEY, counter), code, `counter ${counter}`));
});

test('hotp with 8 digits is the Appendix D truncated value mod 10^8', () => {
  APPENDIX_D_TRUNCATED.forEach((dec, counter) => {
    assert.equal(hotp(RFC_KEY, counter, 'SHA1', 8), String(dec % 1e8).padStart(8, '0'), `counter ${counter}`);
  });
});

test('truncate follows RFC 4226 section 5.4 on its worked example', () => {
  const mac = Buffer.from('1f8698690e02ca16618550ef7f19da8e945b555a', 'hex');
  assert.equal(truncate(mac, 6), 872921);
  assert.equal(truncate(mac, 8), 57872921); // 0x50ef7f19 = 1357872921
});

test('CounterHmac (fast path) equals createHmac for every algorithm, key length 1..300 and large counters', () => {
  const counters = [0, 1, 255, 256, 0xffffffff, 0x100000000, 0x123456789ab, Number.MAX_SAFE_INTEGER];
  for (const algorithm of TOTP_ALGORITHMS) {
    const { node, block } = HASHES[algorithm];
    for (const length of [1, 10, 19, 20, 21, 32, 63, 64, 65, 127, 128, 129, 200, 300]) {
      const key = randomBytes(length);
      const fast = new CounterHmac(algorithm, key);
      for (const counter of counters) {
        const msg = Buffer.alloc(8);
        msg.writeBigUInt64BE(BigInt(counter));
        const expected = createHmac(node, key).update(msg).digest();
        assert.deepEqual(fast.digest(counter), expected, `${algorithm} key ${length} (block ${block}) counter ${counter}`);
      }
    }
  }
});

test('a code of all zeros is a real code: found by search, it keeps its leading zeros', () => {
  // With 6 digits about one counter in a million gives 000000; search a fixed key until one does.
  const key = Buffer.from('portcullis-test-key!');
  const fast = new CounterHmac('SHA1', key);
  let counter = 0;
  while (truncate(fast.digest(counter), 6) !== 0) counter++;
  assert.equal(hotp(key, counter), '000000');
  assert.notEqual(hotp(key, counter + 1), '000000');
});

test('codes keep leading zeros (RFC 6238 vector 1234567890 gives 005924)', () => {
  assert.equal(hotp(RFC_KEY, 41152263), '005924');
  assert.equal(hotp(RFC_KEY, 41152263, 'SHA1', 8), '89005924');
});

test('hotp rejects bad counters, algorithms, digits and keys', () => {
  const isParams = (e: unknown) => e instanceof TotpInputError && e.reason === 'params';
  for (const counter of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
    assert.throws(() => hotp(RFC_KEY, counter), isParams, String(counter));
  }
  assert.throws(() => hotp(RFC_KEY, 0, 'MD5' as 'SHA1'), isParams);
  for (const digits of [4, 5, 7, 9, 10]) assert.throws(() => hotp(RFC_KEY, 0, 'SHA1', digits as TotpDigits), isParams);
  assert.throws(() => hotp(Buffer.alloc(0), 0), (e: unknown) => e instanceof TotpInputError && e.reason === 'secret');
});

test('CounterHmac can be re-keyed and cleared', () => {
  const a = randomBytes(20);
  const b = randomBytes(70);
  const shared = new CounterHmac('SHA1', a);
  const expected = (key: Buffer) => createHmac('sha1', key).update(Buffer.alloc(8)).digest();
  assert.deepEqual(shared.digest(0), expected(a));
  assert.deepEqual(shared.setKey(b).digest(0), expected(b), 'a longer key fully replaces the shorter one');
  assert.deepEqual(shared.setKey(a).digest(0), expected(a));
  shared.clear();
  assert.notDeepEqual(shared.digest(0), expected(a));
});
