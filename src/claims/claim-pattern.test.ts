import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { checkClaimPattern, engineLoads, matchesClaimPattern, MAX_VALUE_LENGTH } from './claim-pattern.ts';

const refused = (code: string, description?: RegExp) => (err: unknown) => err instanceof AppError && err.code === code && (!description || description.test(err.description));

test('the shipped email pattern and ordinary patterns behave as RegExp.test did', () => {
  const email = '^[^\\s@]+@[^\\s@]+$';
  assert.equal(matchesClaimPattern(email, 'bob@example.com'), true);
  assert.equal(matchesClaimPattern(email, 'not an email'), false);
  assert.equal(matchesClaimPattern('^[A-Z]{2,5}$', 'ENG'), true);
  assert.equal(matchesClaimPattern('^[A-Z]{2,5}$', 'lowercase'), false);
  assert.equal(matchesClaimPattern('\\d', 'a1'), true, 'a search, not a full match');
  assert.equal(matchesClaimPattern('^(?<year>\\d{4})-\\u0030\\d$', '2024-05'), true, 'JavaScript spellings are translated');
  assert.equal(matchesClaimPattern('^[\\p{L} .\'-]+$', 'José Ñandú'), true);
});

test('a catastrophic pattern runs in linear time: (a+)+$ against a long non-match answers', () => {
  checkClaimPattern('(a+)+$');
  assert.equal(matchesClaimPattern('(a+)+$', `${'a'.repeat(MAX_VALUE_LENGTH - 1)}!`), false);
  assert.equal(matchesClaimPattern('^(\\w+\\s?)*$', `${'word '.repeat(200)}!`), false);
});

test('values over the bound are refused before matching', () => {
  assert.throws(() => matchesClaimPattern('(a+)+$', `${'a'.repeat(5000)}!`), refused('CLM-40004'));
});

test('what RE2 cannot run safely is refused with CLM-40003 and a reason', () => {
  assert.throws(() => checkClaimPattern('^(a)\\1$'), refused('CLM-40003', /backreferences and lookaround/));
  assert.throws(() => checkClaimPattern('^(?=.*\\d).+$'), refused('CLM-40003', /lookaround/));
  assert.throws(() => checkClaimPattern('(?<!x)y'), refused('CLM-40003', /lookaround/));
  assert.throws(() => checkClaimPattern('(['), refused('CLM-40003', /cannot compile/));
  assert.throws(() => checkClaimPattern('^[a-z]{1,1000}$'), refused('CLM-40003', /repetition count/));
  assert.throws(() => checkClaimPattern('\\p{L}{1,100}'), refused('CLM-40003', /too large/), 'this one exhausts the 16 MiB heap');
  assert.throws(() => checkClaimPattern('((a{10}){10}){10}'), refused('CLM-40003', /too large/));
  assert.throws(() => checkClaimPattern('x'.repeat(257)), refused('CLM-40003', /at most 256/));
});

test('compiled patterns are freed: more distinct patterns than re2-wasm’s own class survives (it died at ~4,500)', () => {
  const before = engineLoads();
  for (let i = 0; i < 6000; i++) assert.equal(matchesClaimPattern(`^y${i}$`, `y${i}`), true);
  assert.equal(matchesClaimPattern('^[^\\s@]+@[^\\s@]+$', 'bob@example.com'), true);
  assert.equal(engineLoads(), before, 'the heap never ran out, so nothing leaked');
});

test('the cache is bounded by program size: many large patterns never exhaust the 16 MiB heap', () => {
  const before = engineLoads();
  // 40 programs of this size took the whole heap when they were all kept (a measured OOM abort).
  for (let i = 0; i < 40; i++) assert.equal(matchesClaimPattern(`^\\P{L}[^x]{1,10}z${i}$`, `1abz${i}`), true);
  assert.equal(engineLoads(), before, 'no abort, no reload');
  assert.equal(matchesClaimPattern('^[A-Z]{2,5}$', 'ENG'), true);
});
