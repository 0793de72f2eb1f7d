import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { timeOrderedId } from './time-ordered-id.ts';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('a UUID version 7 whose first 48 bits are the time in milliseconds', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (now) => {
      const id = timeOrderedId(now);
      assert.match(id, V7);
      assert.equal(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16), now);
    }),
  );
});

test('ids of a later millisecond sort after those of an earlier one, as strings (how the index orders them)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 47 }), fc.integer({ min: 1, max: 10 ** 9 }), (earlier, gap) => {
      assert.ok(timeOrderedId(earlier) < timeOrderedId(earlier + gap));
    }),
  );
});

test('ids made in the same millisecond differ (74 random bits each), across refills of the random pool', () => {
  const now = Date.now();
  const ids = new Set(Array.from({ length: 5000 }, () => timeOrderedId(now)));
  assert.equal(ids.size, 5000);
});
