import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabelLimiter, OTHER } from './label-limiter.ts';

test('the first values keep their label, later ones share "other"', () => {
  const limiter = new LabelLimiter(2);
  assert.equal(limiter.label('a'), 'a');
  assert.equal(limiter.label('b'), 'b');
  assert.equal(limiter.label('c'), OTHER);
  assert.equal(limiter.label('a'), 'a', 'a value seen before the cap keeps its series');
});

test('labels are cut to 64 characters and lose control characters', () => {
  const limiter = new LabelLimiter(10);
  assert.equal(limiter.label('x'.repeat(100)), 'x'.repeat(64));
  assert.equal(limiter.label('app\nname\u0000'), 'appname');
});
