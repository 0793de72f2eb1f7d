import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pressureOf, SUSTAINED_CHECKS, SustainedPressure, type Pressure } from './overload.ts';

const limits = { eventLoopDelayMs: 1000, heapBytes: 500, rssBytes: 0 };

test('the first limit exceeded is the reason; a limit of 0 is off', () => {
  assert.equal(pressureOf({ eventLoopDelay: 10, heapUsed: 100, rssBytes: 10 ** 12 }, limits), undefined, 'rss limit 0 is off');
  assert.deepEqual(pressureOf({ eventLoopDelay: 1500.4, heapUsed: 900, rssBytes: 0 }, limits), { reason: 'event_loop_delay', value: 1500, limit: 1000 });
  assert.deepEqual(pressureOf({ eventLoopDelay: 999, heapUsed: 900, rssBytes: 0 }, limits), { reason: 'heap_used', value: 900, limit: 500 });
  assert.deepEqual(pressureOf({ eventLoopDelay: 0, heapUsed: 0, rssBytes: 2000 }, { ...limits, rssBytes: 1000 }), { reason: 'rss', value: 2000, limit: 1000 });
});

test('pressure counts only once it has lasted SUSTAINED_CHECKS checks, and ends at the first check under the limits', () => {
  const reading: Pressure = { reason: 'event_loop_delay', value: 2000, limit: 1000 };
  const sustained = new SustainedPressure();
  for (let i = 1; i < SUSTAINED_CHECKS; i++) assert.equal(sustained.push(reading), undefined, `check ${i}: a spike is not load`);
  assert.deepEqual(sustained.push(reading), reading);
  assert.equal(sustained.push(undefined), undefined);
  assert.equal(sustained.push(reading), undefined, 'counting starts again');
});
