import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TotpInputError } from './errors.ts';
import { hotp } from './hotp.ts';
import { DEFAULT_TOTP_PARAMS } from './params.ts';
import { createTotpVerifier, isWellFormedCode, verifyTotp, windowOffsets } from './verify.ts';

const KEY = Buffer.from('12345678901234567890');
const PERIOD_MS = 30_000;
const STEP = 55_555_555; // some time in 2022
const NOW = STEP * PERIOD_MS + 12_345; // inside STEP, not at its edge

test('windowOffsets keeps WSO2 windowSize semantics', () => {
  const table: [number, number, number][] = [
    // windowSize, from, to
    [1, 0, 0],
    [2, 0, 1],
    [3, -1, 1],
    [4, -1, 2],
    [5, -2, 2],
    [6, -2, 3],
    [99, -49, 49],
  ];
  for (const [w, from, to] of table) {
    const offsets = windowOffsets(w);
    assert.deepEqual(offsets, { from, to }, `windowSize ${w}`);
    assert.ok(!Object.is(offsets.from, -0), `windowSize ${w} gives -0`);
    assert.equal(to - from + 1, w, 'the window has exactly windowSize steps');
  }
  for (const w of [0, -1, 1.5, 100, Number.NaN]) {
    assert.throws(() => windowOffsets(w), (e: unknown) => e instanceof TotpInputError && e.reason === 'params', String(w));
  }
});

test('windowSize 1..5: exactly the steps in the window are accepted, including just outside both sides', () => {
  for (let w = 1; w <= 5; w++) {
    const { from, to } = windowOffsets(w);
    const verifier = createTotpVerifier(KEY, { windowSize: w });
    const accepted: number[] = [];
    for (let offset = -4; offset <= 4; offset++) {
      const code = hotp(KEY, STEP + offset);
      const result = verifier.verify(code, NOW);
      assert.deepEqual(verifyTotp(KEY, code, NOW, { windowSize: w }), result, 'one-shot and prepared agree');
      if (result.valid) {
        assert.equal(result.step, STEP + offset, `windowSize ${w} offset ${offset} reports its own step`);
        accepted.push(offset);
      }
    }
    const expected = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    assert.deepEqual(accepted, expected, `windowSize ${w}`);
    // Named explicitly: the first step outside the window on each side is refused.
    assert.deepEqual(verifier.verify(hotp(KEY, STEP + from - 1), NOW), { valid: false }, `windowSize ${w} below`);
    assert.deepEqual(verifier.verify(hotp(KEY, STEP + to + 1), NOW), { valid: false }, `windowSize ${w} above`);
  }
});

test('the window is centred on the step of nowMs, up to its last millisecond', () => {
  const v = createTotpVerifier(KEY, { windowSize: 1 });
  const code = hotp(KEY, STEP);
  assert.equal(v.verify(code, STEP * PERIOD_MS).valid, true);
  assert.equal(v.verify(code, (STEP + 1) * PERIOD_MS - 1).valid, true);
  assert.equal(v.verify(code, (STEP + 1) * PERIOD_MS).valid, false);
  assert.equal(v.verify(code, STEP * PERIOD_MS - 1).valid, false);
});

test('near the epoch, steps before 0 are skipped without error', () => {
  const v = createTotpVerifier(KEY, { windowSize: 5 });
  assert.deepEqual(v.verify(hotp(KEY, 0), 0), { valid: true, step: 0 });
  assert.deepEqual(v.verify(hotp(KEY, 2), 0), { valid: true, step: 2 });
  assert.deepEqual(v.verify(hotp(KEY, 3), 0), { valid: false });
});

test('the matched step is returned, so a caller can refuse a step already used', () => {
  const v = createTotpVerifier(KEY);
  const used = new Set<number>();
  const accept = (code: string, now: number) => {
    const r = v.verify(code, now);
    if (!r.valid || used.has(r.step)) return false;
    used.add(r.step);
    return true;
  };
  const code = hotp(KEY, STEP);
  assert.equal(accept(code, NOW), true);
  assert.equal(accept(code, NOW), false, 'same code, same step');
  assert.equal(accept(code, NOW + PERIOD_MS), false, 'same code seen as the previous step');
  assert.equal(accept(hotp(KEY, STEP + 1), NOW + PERIOD_MS), true);
});

test('input is checked first: only exactly `digits` ASCII digits can match', () => {
  // Step 30 of the RFC key has the code 026920: a leading zero to lose.
  const now = 30 * PERIOD_MS + 1;
  assert.equal(hotp(KEY, 30), '026920');
  const v = createTotpVerifier(KEY, { windowSize: 1 });
  assert.deepEqual(v.verify('026920', now), { valid: true, step: 30 });
  const malformed: unknown[] = [
    '26920', // 12345 is not 012345
    '0026920',
    '+26920',
    '-26920',
    ' 26920',
    '026920 ',
    ' 026920',
    '026 920',
    '026920\n',
    '02692O', // letter O
    '０２６９２０', // full-width digits
    '٠٢٦٩٢٠', // Arabic-Indic digits
    '0x6928',
    '2.69e4',
    '',
    26920,
    '026920'.split(''),
    undefined,
    null,
  ];
  for (const code of malformed) {
    assert.equal(isWellFormedCode(code, 6), false, JSON.stringify(code));
    assert.deepEqual(v.verify(code, now), { valid: false }, JSON.stringify(code));
    assert.deepEqual(verifyTotp(KEY, code, now, { windowSize: 1 }), { valid: false }, JSON.stringify(code));
  }
  assert.equal(isWellFormedCode('000000', 6), true);
  assert.equal(isWellFormedCode('00000000', 8), true);
  assert.equal(isWellFormedCode('000000', 8), false);
});

test('8-digit verification refuses the 6-digit tail of the real code', () => {
  const v = createTotpVerifier(KEY, { digits: 8, windowSize: 1 });
  const now = 59_000;
  assert.deepEqual(v.verify('94287082', now), { valid: true, step: 1 });
  assert.deepEqual(v.verify('287082', now), { valid: false });
});

test('000000 is accepted when it is the real code', () => {
  // Found by searching counters for this key (see hotp.test.ts); checked here so it cannot rot.
  const key = Buffer.from('portcullis-test-key!');
  const step = 50936;
  assert.equal(hotp(key, step), '000000');
  const now = step * PERIOD_MS + 5_000;
  assert.deepEqual(verifyTotp(key, '000000', now, { windowSize: 1 }), { valid: true, step });
  assert.deepEqual(createTotpVerifier(key).verify('000000', now), { valid: true, step });
  assert.deepEqual(verifyTotp(key, '00000', now), { valid: false });
  assert.deepEqual(verifyTotp(key, '0', now), { valid: false });
  assert.deepEqual(verifyTotp(key, '000000', now + 2 * PERIOD_MS), { valid: false }, 'outside the window');
});

test('a code that differs from the real one in any single digit is refused', () => {
  for (const digits of [6, 8] as const) {
    const v = createTotpVerifier(KEY, { digits, windowSize: 1 });
    const real = hotp(KEY, STEP, 'SHA1', digits);
    assert.equal(v.verify(real, NOW).valid, true);
    for (let i = 0; i < digits; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === real[i]) continue;
        const near = real.slice(0, i) + String(d) + real.slice(i + 1);
        assert.deepEqual(v.verify(near, NOW), { valid: false }, `digit ${i} changed`);
      }
    }
  }
});

test('when two steps in the window share a code, the earliest is returned (as WSO2 does)', () => {
  // Found by searching counters for the RFC key: steps 910737 and 910738 both give 911617.
  const [a, b] = [910737, 910738];
  assert.equal(hotp(KEY, a), '911617');
  assert.equal(hotp(KEY, b), '911617');
  assert.deepEqual(createTotpVerifier(KEY).verify('911617', b * PERIOD_MS), { valid: true, step: a });
  assert.deepEqual(verifyTotp(KEY, '911617', a * PERIOD_MS), { valid: true, step: a });
  assert.deepEqual(verifyTotp(KEY, '911617', (b + 1) * PERIOD_MS), { valid: true, step: b }, 'a is outside');
});

test('a wrong code is refused at every step of the window', () => {
  const v = createTotpVerifier(KEY);
  const valid = new Set([-1, 0, 1].map((o) => hotp(KEY, STEP + o)));
  let wrong = 0;
  while (valid.has(String(wrong).padStart(6, '0'))) wrong++;
  assert.deepEqual(v.verify(String(wrong).padStart(6, '0'), NOW), { valid: false });
});

test('verifiers use WSO2 defaults, freeze their params, and reject bad keys, params and times', () => {
  const v = createTotpVerifier(KEY);
  assert.deepEqual(v.params, DEFAULT_TOTP_PARAMS);
  assert.ok(Object.isFrozen(v.params));
  const is = (reason: string) => (e: unknown) => e instanceof TotpInputError && e.reason === reason;
  assert.throws(() => createTotpVerifier(Buffer.alloc(9)), is('secret'));
  assert.throws(() => createTotpVerifier(KEY, { windowSize: 0 }), is('params'));
  assert.throws(() => createTotpVerifier(KEY, { period: 0 }), is('params'));
  assert.throws(() => createTotpVerifier(KEY, { digits: 7 as 6 }), is('params'));
  assert.throws(() => createTotpVerifier(KEY, { algorithm: 'SHA384' as 'SHA1' }), is('params'));
  // Programming errors surface even when the code itself is malformed.
  assert.throws(() => verifyTotp(Buffer.alloc(0), 'x', NOW), is('secret'));
  assert.throws(() => verifyTotp(KEY, 'x', -1), is('params'));
  assert.throws(() => v.verify('x', Number.NaN), is('params'));
  assert.throws(() => verifyTotp(KEY, 'x', NOW, { windowSize: 0 }), is('params'));
});

test('one-shot verification keeps no state between keys and algorithms', () => {
  const other = Buffer.from('another key of 20 b.');
  const long = Buffer.alloc(130, 7); // longer than every block size: hashed first (RFC 2104)
  for (let i = 0; i < 3; i++) {
    for (const [key, algorithm] of [[KEY, 'SHA1'], [other, 'SHA1'], [long, 'SHA512'], [KEY, 'SHA512'], [long, 'SHA1']] as const) {
      const own = hotp(key, STEP, algorithm);
      assert.deepEqual(verifyTotp(key, own, NOW, { algorithm }), { valid: true, step: STEP });
      const foreign = hotp(key === KEY ? other : KEY, STEP, algorithm);
      if (foreign !== own) assert.deepEqual(verifyTotp(key, foreign, NOW, { algorithm, windowSize: 1 }), { valid: false });
    }
  }
});

test('undefined fields in params fall back to the defaults', () => {
  const v = createTotpVerifier(KEY, { digits: undefined, windowSize: undefined });
  assert.deepEqual(v.params, DEFAULT_TOTP_PARAMS);
});
