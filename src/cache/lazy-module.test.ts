import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { lazyRequire, once } from './lazy-module.ts';

test('once runs the load at the first call only, and shares its result', async () => {
  let loads = 0;
  const get = once(async () => ({ n: ++loads }));
  assert.equal(loads, 0);
  const [a, b] = await Promise.all([get(), get()]);
  assert.equal(loads, 1);
  assert.equal(a, b);
  assert.equal(await get(), a);
});

test('once forgets a failed load: a rejected promise or a throw is retried by the next call', async () => {
  let calls = 0;
  const get = once(async () => {
    calls++;
    if (calls === 1) throw new Error('transient');
    return calls;
  });
  await assert.rejects(get(), /transient/);
  assert.equal(await get(), 2, 'the second call loads again');
  assert.equal(await get(), 2, 'and that success is kept');
  assert.equal(calls, 2);

  let syncCalls = 0;
  const sync = once(() => {
    if (++syncCalls === 1) throw new Error('not yet');
    return 'loaded';
  });
  assert.throws(() => sync(), /not yet/);
  assert.equal(sync(), 'loaded');
  assert.equal(sync(), 'loaded');
  assert.equal(syncCalls, 2);
});

test('lazyRequire loads the package at the first call, not before', () => {
  const require = createRequire(import.meta.url);
  const path = require.resolve('node-forge');
  const forge = lazyRequire<{ pkcs12: unknown }>('node-forge');
  assert.equal(require.cache[path], undefined);
  const m = forge();
  assert.ok(m.pkcs12);
  assert.ok(require.cache[path]);
  assert.equal(forge(), m);
});
